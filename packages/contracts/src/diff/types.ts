/**
 * Whom a contract change breaks.
 * - `producers`: the change narrows what is accepted; messages producers send today would be refused.
 * - `consumers`: the change widens what is accepted; consumers relying on the old shape may get messages they
 *   do not expect.
 * - `nobody`: documentation only (descriptions, titles, examples) or a new channel.
 */
export type ChangeBreaks = 'producers' | 'consumers' | 'nobody';

/** One difference between two contract sets, found by {@link diffContracts}. */
export interface ContractChange {
  /**
   * What changed, e.g. `channel-removed`, `message-added`, `property-added`, `required-added`, `type-changed`,
   * `enum-value-removed`, `maximum-lowered`, `pattern-added`, `additional-properties-closed`, `description-changed`.
   */
  kind: string;
  /** The channel address (the new one when both exist; `{param}` names may differ between the two). */
  channel: string;
  /** The message type, or null for a change of the channel itself. */
  type: string | null;
  /**
   * Where in the message data: `""` for the whole message (payload), `/bid` for a property, `/legs/[]/price`
   * for a property of the items of an array. Null for a change of a channel or of a message type's presence.
   */
  path: string | null;
  /** The old value (of the keyword, or of the whole schema for an added/removed property); undefined when absent. */
  old: unknown;
  /** The new value; undefined when absent. */
  new: unknown;
  breaks: ChangeBreaks;
}
