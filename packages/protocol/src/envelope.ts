/** Priority hint carried in `meta.priority`. */
export type Priority = 'high' | 'medium' | 'low';

/** Optional metadata of a message. Unknown keys are kept as given. */
export interface EnvelopeMeta {
  correlation_id?: string;
  traceparent?: string;
  priority?: Priority;
  [key: string]: unknown;
}

/** A published message as the hub stores and delivers it. */
export interface Envelope<D = unknown> {
  /** UUID: the client's `msg_id` when given, otherwise assigned by the hub. */
  id: string;
  /** Channel name. */
  ch: string;
  /** Message type (the contract's message `name`). */
  type: string;
  /** Component id of the publisher. */
  source: string;
  /** ISO-8601 time the hub accepted the message. */
  ts: string;
  /** Per-channel, gap-free, increasing position; the first message of a channel has seq 1. */
  seq: number;
  data: D;
  meta?: EnvelopeMeta;
}
