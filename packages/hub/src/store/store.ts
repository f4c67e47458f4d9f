import type { EnvelopeMeta } from '@switchboard/protocol';

/**
 * The durable state of a Switchboard hub, behind one async interface.
 *
 * The hub core talks only to this interface; it never imports a database or broker client. `sqlite`
 * (embedded, one hub node) and `jetstream` (NATS JetStream, several hub nodes; `jetstream-store.ts`)
 * implement it; the JetStream one follows the mapping below. One conformance suite (`test/store-conformance.ts`) states the behaviour below as tests and runs
 * against every implementation.
 *
 * Any implementation must:
 * - make every promise it resolves true at the moment it resolves: an `append` that resolved is durable
 *   under the implementation's stated durability policy and will be returned by `read` until retention
 *   removes it;
 * - assign `seq` per channel: the first message of a channel gets 1, each next one exactly one more, with no
 *   gaps and no reuse, also across restarts and after retention removed older messages;
 * - never reorder: `read` returns messages in `seq` order;
 * - reject, never silently drop: when the backing storage is unreachable, methods reject with a
 *   `SwitchboardError` of code `UNAVAILABLE` (and `ping` rejects), so the hub can answer the client;
 * - be safe to call concurrently: calls may overlap, and appends to one channel resolve in `seq` order;
 * - keep no state that another hub node would need in process memory only (JetStream), or state plainly
 *   that it serves one node (SQLite).
 *
 * Mapping onto NATS JetStream (the `jetstream` backend):
 * | method | JetStream |
 * | --- | --- |
 * | `ensureChannel` | a stream per durable channel (`<ns>_ch_<hash>` on the one subject `<ns>.ch.<hash>`, the channel name as description), `max_msgs`/`max_age` from retention, `duplicate_window` = dedupe window (at most `max_age`) |
 * | `append` | a publish of the envelope with seq 0 to the stream subject with the `Nats-Msg-Id` header, answered by the PubAck (on one shared inbox); `seq` = the stream sequence (one stream per channel keeps it gap-free and per channel), written into the envelope text on the way out; `duplicate` from the PubAck |
 * | `read`, `info` | stream info `first_seq`/`last_seq`/`messages`, then direct gets of the seqs in the page |
 * | `trim` | a stream purge with `seq` = `min(upToSeq, last_seq) + 1` (keeps what is at or above it), answered with the count purged |
 * | `group` | a durable pull consumer named after the group, `ack_policy: explicit`, `ack_wait`, no `max_deliver` (the hub dead-letters and terms); `fetch` = a no-wait pull request, or what waiting pull requests opened by `demand` brought in; `ack` = `+ACK`, `nack` = `-NAK {delay}`, `term` = `+TERM`, each confirmed by the server; `deliveries` = the delivery count of the `$JS.ACK` subject; `ackFloor` = this node's own contiguous acks, plus the consumer's `ack_floor` read from the server (at most about once a second, and only while another node may hold the next seq) |
 * | `kvGet`, `kvPut` | a KV bucket per `bucket`; `kvPut` with `expectedRevision` = `kv.update(key, value, revision)`, `0` = `kv.create` |
 * | `ping` | a JetStream account-info request |
 */
export interface Store {
  /** Short name of the backend, e.g. `sqlite`. */
  readonly kind: string;

  /**
   * Declares a durable channel and its retention before the first append on it (idempotent; a later
   * call with other options updates retention).
   */
  ensureChannel(ch: string, options?: ChannelStoreOptions): Promise<void>;

  /**
   * Appends one message to channel `ch` and resolves once it is durable.
   * When `input.msgId` is given and a message with the same `msgId` was appended to the same channel within
   * the dedupe window, nothing is written and the earlier `seq` is returned with `duplicate: true`.
   * The stored envelope is `{id, ch, type, source, ts, seq, data, meta}` (meta omitted when absent),
   * serialised once into `message.json`. Where `input.dataText` / `input.metaText` are given, the envelope holds
   * exactly those texts (the publisher's, byte for byte), not a re-serialisation of `data` / `meta`, and `read`
   * and group deliveries return them unchanged.
   */
  append(ch: string, input: AppendInput): Promise<AppendResult>;

  /** Up to `limit` messages of `ch` with `seq > afterSeq`, oldest first. An unknown channel gives `[]`. */
  read(ch: string, afterSeq: number, limit: number): Promise<StoredMessage[]>;

  /** First retained seq, last seq (0 when empty) and retained count of `ch`. */
  info(ch: string): Promise<ChannelInfo>;

  /**
   * Removes the retained messages of `ch` with `seq <= upToSeq` (an operator purging a dead-letter log, say) and
   * resolves with how many were removed, once the removal is durable. Like retention it never touches the seqs:
   * `info().last` stays, the next append gets `last + 1`, `info().first` moves past the removed ones, and
   * consumer groups skip them. An `upToSeq` past the last seq removes everything retained (never a seq not yet
   * appended); an unknown channel, or nothing at or below `upToSeq`, removes nothing and resolves with 0.
   */
  trim(ch: string, upToSeq: number): Promise<number>;

  /** Every channel that has ever had a message appended, dead-letter logs (`$dlq.*`) included. */
  channels(): Promise<string[]>;

  /**
   * Opens (creating when absent) the durable position of consumer group `group` on channel `ch`.
   * `options.from` is used only when the group is created; an existing group keeps its position.
   * Positions and acknowledgements survive `close()` and a crash; deliveries that were not acknowledged
   * before a crash are delivered again.
   */
  group(ch: string, group: string, options: GroupOptions): Promise<GroupCursor>;

  /** Reads a versioned value; `undefined` when the key does not exist. */
  kvGet(bucket: string, key: string): Promise<VersionedValue | undefined>;

  /**
   * Writes a versioned value and resolves with its new revision (revisions increase; they need not be
   * consecutive). With `expectedRevision`, the write happens only when the current revision equals it
   * (`0`: only when the key does not exist); otherwise it rejects with a `SwitchboardError` of code
   * `CONFLICT` whose `details` is `{ revision: <current revision, 0 when absent> }`.
   */
  kvPut(bucket: string, key: string, value: unknown, expectedRevision?: number): Promise<number>;

  /**
   * Lists the keys of a bucket that start with `prefix` (all keys without one), in ascending order (by code point), at most `limit` of them (default 1000). A bucket never written lists none.
   */
  kvKeys(bucket: string, options?: KvKeysOptions): Promise<string[]>;

  /** Resolves when the backing storage is reachable; rejects with `UNAVAILABLE` when it is not. */
  ping(): Promise<void>;

  /** Flushes what is pending, stops timers and releases the storage. Further calls reject. */
  close(): Promise<void>;
}

/** What {@link Store.kvKeys} lists. */
export interface KvKeysOptions {
  /** Only keys that start with it. */
  prefix?: string;
  /** At most this many keys (default 1000). */
  limit?: number;
}

/** Retention of a durable channel. Absent limits mean "unlimited". */
export interface ChannelStoreOptions {
  /** Keep at most this many messages (the oldest are removed first). */
  maxMessages?: number;
  /** Remove messages older than this many milliseconds. */
  maxAgeMs?: number;
}

/** What the hub hands the store for one published message. */
export interface AppendInput {
  /** Message id (the envelope's `id`). */
  id: string;
  type: string;
  /** Component id of the publisher. */
  source: string;
  /** ISO-8601 acceptance time, set by the hub. */
  ts: string;
  /** The payload, parsed (what validation saw). */
  data: unknown;
  meta?: EnvelopeMeta;
  /**
   * The publisher's JSON text of `data`, when the hub has it: stored instead of `JSON.stringify(data)`, so that
   * numbers beyond a double's precision keep their digits. Must be JSON text whose value is `data`.
   */
  dataText?: string;
  /** The JSON text of `meta` (the publisher's, or the hub's for a dead letter), stored as it is; only with `meta`. */
  metaText?: string;
  /** Idempotency key (the client's `msg_id`). */
  msgId?: string;
}

/** A message as stored: its `seq`, its channel and the envelope serialised once. */
export interface StoredMessage {
  ch: string;
  seq: number;
  /** The whole envelope as JSON text, `seq` included. Delivered as is, never re-serialised. */
  json: string;
}

export interface AppendResult {
  seq: number;
  /** True when `msgId` was seen within the dedupe window and nothing was written. */
  duplicate: boolean;
  /** The stored message; absent for duplicates. */
  message?: StoredMessage;
}

export interface ChannelInfo {
  /** Oldest retained seq; `last + 1` when nothing is retained (0 for a channel never written). */
  first: number;
  /** Seq of the newest message ever appended (0 when none). */
  last: number;
  /** Number of retained messages. */
  count: number;
}

/** Where a new group starts: before its first message (`earliest`), after the current head (`latest`), or after a seq. */
export type GroupStart = 'earliest' | 'latest' | number;

export interface GroupOptions {
  from: GroupStart;
  /** A delivery not acked within this time is delivered again. */
  ackWaitMs: number;
  /**
   * Called (with no arguments, possibly often) when `fetch` may return something it did not before
   * because an ack wait or a nack delay ran out. New appends are signalled by the hub itself.
   */
  onReady?: () => void;
}

/** One delivery handed out by a group cursor. */
export interface GroupDelivery {
  message: StoredMessage;
  /** 1 on the first delivery, 2 on the first redelivery, … (survives restarts where the backend can). */
  deliveries: number;
}

/**
 * The shared position of one consumer group on one channel. Every hub node holding a cursor for the same
 * `(ch, group)` draws from the same position: each message is handed to one fetch at a time.
 */
export interface GroupCursor {
  readonly ch: string;
  readonly group: string;
  /**
   * Up to `max` deliveries, oldest seq first: redeliveries that are due (ack wait passed, nack delay over),
   * then messages never delivered. Each returned message is in flight until acked, nacked or termed, or
   * until its ack wait passes.
   */
  fetch(max: number): Promise<GroupDelivery[]>;
  /** Marks `seq` done; the group's position moves past it for good. Unknown or already acked seqs are ignored. */
  ack(seq: number): Promise<void>;
  /** Makes `seq` due for redelivery after `delayMs` (0: now). */
  nack(seq: number, delayMs: number): Promise<void>;
  /** Marks `seq` done without success (it was dead-lettered by the hub); never delivered again. */
  term(seq: number): Promise<void>;
  /**
   * Optional: this node's members could take `n` more deliveries now. A backend shared by several nodes may
   * keep requests open for them and call `onReady` when deliveries arrive, so that the nodes with room share
   * new messages (rather than the first node to call `fetch` taking them all). Never more than `n` are held
   * for this node through it; `fetch` then hands them out.
   */
  demand?(n: number): void;
  /**
   * Highest seq acknowledged with every earlier one acknowledged too (the group's ack floor), as this node
   * knows it: exact after this node's own acks; acks made on other nodes may show up to about a second later.
   */
  ackFloor(): number;
  /** Deliveries currently in flight. */
  inFlight(): number;
  /** Releases this node's hold; in-flight deliveries become due again after their ack wait. */
  close(): Promise<void>;
}

/** A value and its revision. */
export interface VersionedValue {
  value: unknown;
  revision: number;
}

/** The part of a logger (pino's, or `console`) a store writes to: warnings, and with `info` its recoveries. */
export interface StoreLogger {
  warn(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
}
