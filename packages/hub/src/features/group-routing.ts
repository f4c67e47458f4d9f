import type { StoredMessage } from '../store/store.js';

/** A member of a consumer group, as a feature that routes group messages sees it. */
export interface GroupMemberView {
  component: string;
  session: string;
  /** The member's `hello.version`, when it gave one. */
  version?: string;
}

/** One group message about to be handed to a member of its group on this node. */
export interface GroupRouteRequest {
  ch: string;
  group: string;
  message: StoredMessage;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  deliveries: number;
  /** True when the message waited for room and is routed again (the same delivery, not a new one). */
  again?: boolean;
}

/**
 * Chooses which members of a group a message may go to: returns a predicate over the members, or undefined when
 * any member may take it. When the members that pass have no room, the message waits for them. When no member on
 * the node passes, in a cluster the message goes back to the group for another node (each time a delivery, while
 * two or more are left before `max_deliveries`); after that, or on a single node, any member takes it (a message is
 * never held back for a member that is not there).
 * Runs inline on the delivery path: it must not throw or block.
 */
export type GroupRouter = (request: GroupRouteRequest) => ((member: GroupMemberView) => boolean) | undefined;

/** How one group delivery with manual ack ended (automatic ack counts as `acked` at once). */
export interface GroupOutcomeEvent {
  ch: string;
  group: string;
  seq: number;
  member: GroupMemberView;
  outcome: 'acked' | 'nacked' | 'timeout';
  /** Milliseconds from the delivery to the ack or nack (to the end of the ack wait for `timeout`). */
  latencyMs: number;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  deliveries: number;
}

/** What a feature may do to the consumer groups of this node. */
export interface GroupControl {
  /**
   * Takes back every delivery in flight on this node to a member of `(ch, group)` that `which` picks, and makes it
   * due at once for the group (a late ack of such a member still counts). Resolves with how many were taken back.
   */
  reclaim(ch: string, group: string, which: (member: GroupMemberView) => boolean): Promise<number>;
}
