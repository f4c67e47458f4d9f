import type { AckMode } from '@switchboard/protocol';

/** One live subscription of a connection: who subscribed to what, and how (for listings such as `GET /v1/channels`). */
export interface SubscriberInfo {
  component: string;
  session: string;
  /** The channel or pattern subscribed to. */
  pattern: string;
  group?: string;
  ack: AckMode;
}
