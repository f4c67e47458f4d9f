import type { TlsOptions } from './transport.js';
import type { TraceApi } from './trace-context.js';
import type { DocOp, Envelope, EnvelopeMeta, From, PresenceMember, PubResult, WelcomeFrame } from '@switchboard/protocol';
import type { DocumentError } from './errors.js';
import type { WebSocketCtor } from './transport.js';
import type { PayloadParse, PayloadStringify } from './payload-codec.js';

/**
 * Connection state of a client.
 * - `connecting`: before the first `welcome`;
 * - `connected`: a `welcome` was received on the current socket;
 * - `reconnecting`: the socket dropped, the client is trying again (publishes are queued);
 * - `closed`: `close()` was called, reconnecting is off, or it gave up.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Reconnect policy: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** Delay before the second round of attempts, in ms. Default 100. */
  initialDelayMs?: number;
  /** Upper bound of the delay, in ms. Default 10 000. */
  maxDelayMs?: number;
  /** Growth factor of the delay per round. Default 2. */
  factor?: number;
  /**
   * Share of the delay that is randomised, 0..1: a delay `d` becomes a random value in `[d × (1 − jitter), d]`.
   * `1` is full jitter, `0` none. Default 0.5.
   */
  jitter?: number;
  /** Connection attempts in a row before the client gives up and closes. Default `Infinity`. */
  maxAttempts?: number;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** WebSocket URL of a hub, e.g. `ws://127.0.0.1:7070/v1/ws`. */
  url?: string;
  /** Several hub URLs: tried in turn (failover), starting after a drop with the last one that worked. */
  urls?: string[];
  /** JWT, or a function called before every `hello` (so an expired token can be refreshed). Omit in dev mode. */
  token?: string | (() => string | Promise<string>);
  /**
   * Makes a token: called before every `hello` (instead of `token`), and a while before the current token's `exp`
   * to swap it on the open connection (`refresh` op), so that the connection is not closed when it expires.
   */
  getToken?: () => string | Promise<string>;
  /** With `getToken`: refresh this long before `exp` (or at half the remaining lifetime, when sooner). Default 60 000. */
  refreshAheadMs?: number;
  /** Component id announced in `hello` (the `to` of requests aimed at this client). */
  component: string;
  /** Version of the component, announced in `hello`. */
  version?: string;
  /**
   * Node only: TLS settings of `wss://` connections (a private CA such as a self-signed hub certificate, a client
   * certificate); the `ws` package is used then. Browsers use their own trust store.
   */
  tls?: TlsOptions;
  /** WebSocket constructor. Default `globalThis.WebSocket`, else the `ws` package (Node). */
  WebSocket?: WebSocketCtor;
  /** Reconnect policy, or `false` to close on the first drop. */
  reconnect?: ReconnectOptions | false;
  /** Bound of the queue of publishes made while disconnected (default 10 000); over it `publish` rejects with `RATE_LIMITED`. */
  offlineQueue?: { max?: number };
  /** Time for the first `welcome`, across all attempts, before `connect` rejects with `TIMEOUT`. Default 10 000. */
  connectTimeoutMs?: number;
  /** Default timeout of `request` and of `subscribe`/`unsubscribe` replies. Default 5 000. */
  requestTimeoutMs?: number;
  /** Time a `publish` or a document update may wait for its `ok`, queue time included, before it rejects with `TIMEOUT`. Default 30 000. */
  publishTimeoutMs?: number;
  /** Heartbeat period. Default: the hub's `heartbeat_ms` from `welcome`. Pings go out every half period. */
  heartbeatMs?: number;
  /** Source of randomness of the backoff jitter; injectable for tests. Default `Math.random`. */
  random?: () => number;
  /**
   * Reads the JSON text of each incoming payload: `data` and `meta` of messages, of requests sent to this client
   * and of replies. Default `JSON.parse` (numbers become doubles: 1764749280343123457 arrives as
   * 1764749280343123500). Give a lossless parser to keep 64-bit integers and long decimals exactly; the hub
   * forwards the publisher's text unchanged. Frames themselves are still read with `JSON.parse`.
   */
  parse?: PayloadParse;
  /**
   * Writes each outgoing payload (`data` and `meta` of publishes, requests and replies) as JSON text. Default
   * `JSON.stringify`. Pair it with `parse`, so that values a lossless parser produced are sent back exactly.
   */
  stringify?: PayloadStringify;
  /**
   * OpenTelemetry: publishes made while a span is active carry its `traceparent` in `meta` (the hub continues the
   * trace; a `meta.traceparent` of yours wins). Default: `@opentelemetry/api` when it can be imported (an optional
   * peer dependency; nothing happens without it); pass the module (`import * as otel from '@opentelemetry/api'`)
   * where it cannot be found alone (a browser bundle), or `false` to leave `meta` alone.
   */
  tracing?: TraceApi | false;
}

/** Options of {@link SwitchboardClient.publish}. */
export interface PublishOptions {
  /** Idempotency key; default a fresh UUID, kept across queueing and re-sends so a message lands once. */
  msgId?: string;
  meta?: EnvelopeMeta;
  /** Wait for the hub's `ok` (default `true`). `false`: fire and forget; a refusal arrives as an `error` event. */
  ack?: boolean;
}

/** What a publish resolves with. `seq` is 0 for a fire-and-forget publish (not known). */
export interface PublishResult extends PubResult {
  /** The `msg_id` the message was published with. */
  msgId: string;
}

/** Options of {@link SwitchboardClient.subscribe}. */
export interface SubscribeOptions<D = unknown> {
  /** Where to start: `'earliest'`, `'latest'` (default) or the last seq already seen (`0` = from the start). */
  from?: From;
  /** Consumer group: each message goes to one member; the group's position is kept by the hub. */
  group?: string;
  /**
   * `'manual'`: the application acknowledges (`m.ack()`; with `onMessage`, the SDK acks when the callback resolves
   * and nacks when it throws). `'auto'`: the hub counts a message as acknowledged when it sends it.
   * Default `'manual'` with `onMessage`, `'auto'` without.
   */
  ack?: 'manual' | 'auto';
  /** In-flight window and iterator buffer bound. Default the hub's `max_inflight`. */
  maxInflight?: number;
  /** Callback per message, called one at a time in order. Without it, iterate the subscription. */
  onMessage?: (m: Message<D>) => void | Promise<void>;
}

/** A delivered message. */
export interface Message<D = unknown> {
  envelope: Envelope<D>;
  seq: number;
  ch: string;
  type: string;
  data: D;
  /** How many times this message was delivered before (0 on first delivery). */
  redelivered: number;
  /** Acknowledge (manual subscriptions; a no-op for `auto`). Idempotent. */
  ack(): void;
  /** Ask for redelivery, after `delayMs` if given (manual subscriptions). */
  nack(opts?: { delayMs?: number; reason?: string }): void;
}

/** A live subscription; iterate it (`for await`) unless it was made with `onMessage`. */
export interface Subscription<D = unknown> extends AsyncIterable<Message<D>> {
  /** The hub's subscription id on the current connection (changes after a reconnect). */
  readonly id: string;
  /** The channel or pattern subscribed to. */
  readonly ch: string;
  /**
   * The resume position: the last seq processed (acknowledged when manual, handed out when auto) of `channel`,
   * or, without `channel`, of the subscription's channel (for a pattern: the lowest over the channels seen).
   */
  lastSeq(channel?: string): number;
  /** Stop the subscription; a pending iteration ends. */
  unsubscribe(): Promise<void>;
}

/** An incoming request, as given to an `onRequest` handler. */
export interface IncomingRequest {
  type: string;
  data: unknown;
  /** Component id of the requester. */
  from: string;
  meta?: EnvelopeMeta;
}

/** Handler of incoming requests; its result is the reply's `data`. Throw a `SwitchboardError` to reply with its code. */
export type RequestHandler = (req: IncomingRequest) => unknown | Promise<unknown>;

/** Events of a client and their payloads. */
export interface ClientEvents {
  state: ConnectionState;
  /** Asynchronous errors: fire-and-forget publishes refused, a subscription refused on resubscribe, callback throws. */
  error: Error;
  /** The `welcome` of every reconnect (the first one arrives before `connect` resolves: see `session`, `node`). */
  welcome: WelcomeFrame;
}

/** A connection to a Switchboard hub. */
export interface SwitchboardClient {
  /** Session id from the latest `welcome`. */
  readonly session: string | undefined;
  /** Hub node id from the latest `welcome`. */
  readonly node: string | undefined;
  readonly state: ConnectionState;
  /** Listen to an event; returns a function that removes the listener. */
  on<E extends keyof ClientEvents>(event: E, fn: (payload: ClientEvents[E]) => void): () => void;
  /**
   * Publish a message. While disconnected it is queued (bounded) and sent on reconnect; a publish sent but not
   * yet acknowledged when the socket drops is sent again with the same `msg_id`. Rejects with `SwitchboardError`.
   */
  publish<D>(ch: string, type: string, data: D, options?: PublishOptions): Promise<PublishResult>;
  /** Subscribe to a channel or pattern; resolves once the hub accepted it. */
  subscribe<D = unknown>(ch: string, options?: SubscribeOptions<D>): Promise<Subscription<D>>;
  /** Send a request to a component; resolves with its reply's data, rejects with `TIMEOUT`, `UNAVAILABLE` or the replier's code. */
  request<R = unknown>(to: string, type: string, data?: unknown, options?: { timeoutMs?: number; meta?: EnvelopeMeta }): Promise<R>;
  /** Answer requests sent to this component. The latest handler registered answers; returns a remover. */
  onRequest(handler: RequestHandler): () => void;
  /**
   * Open shared document `name`: resolves once the hub sent its snapshot, with a handle whose `value` follows every
   * change. After a reconnect the handle subscribes again (or takes back its resumed subscription) and never keeps
   * a value the hub does not have. One handle per document and client: a second call returns the same handle.
   * Rejects with `FORBIDDEN` (token), `BAD_FRAME` (name) or `TIMEOUT`.
   */
  doc<T = unknown>(name: string): Promise<SharedDocument<T>>;
  /**
   * Join the presence of channel `ch` (an exact name), shown to others with `info` (default: none, `{}`). Resolves
   * once the member list is known. The handle holds a subscription to `ch` (its messages are not kept) and joins
   * again after a reconnect.
   */
  presence(ch: string, info?: Record<string, unknown>): Promise<Presence>;
  /** Close the connection; queued and unacknowledged publishes reject with `UNAVAILABLE`, iterations end. */
  close(): Promise<void>;
}

/**
 * What changed the local value of a {@link SharedDocument}:
 * - `local`: an update of this handle, applied at once (optimistic), before the hub answered;
 * - `remote`: a change the hub sent (another client's, or one of this handle made while it was disconnected);
 * - `rollback`: the hub refused an update of this handle (or it timed out): its operations are taken out again,
 *   and the value is the hub's with the other pending updates on top; `error` says why;
 * - `snapshot`: a fresh copy of the whole value from the hub (after a reconnect, or after a gap in versions);
 * - `rebase`: the hub applied an update of this handle in another order than the local copy did, and the value
 *   was recomputed.
 */
export type DocumentChangeKind = 'local' | 'remote' | 'rollback' | 'snapshot' | 'rebase';

/** One change of a {@link SharedDocument}. */
export interface DocumentChange<T = unknown> {
  kind: DocumentChangeKind;
  /** The local value after the change (the hub's value with this handle's pending updates on top). */
  value: T;
  /** The version confirmed by the hub after the change. */
  version: number;
  /**
   * The operations: of the update (`local`, and the ones undone by `rollback`), of the hub's patch (`remote`), or
   * one `replace` of the whole value (`snapshot`, `rebase`).
   */
  ops: DocOp[];
  /** Component id that made the change (this client's for `local` and `rollback`; `$hub` for `snapshot` and `rebase`). */
  by: string;
  /** For `rollback`: why the update did not apply. */
  error?: DocumentError;
}

/** Options of {@link SharedDocument.update}. */
export interface DocumentUpdateOptions {
  /**
   * Apply only if the document is still at this version; otherwise the update is refused with `CONFLICT` (a
   * {@link DocumentError} whose `version` is the current one) and rolled back locally. Ignored by the hub for an
   * update made only of `inc`.
   */
  ifVersion?: number;
}

/**
 * A shared state document: a versioned JSON value kept by the hub. `value` is the hub's latest snapshot with every
 * later patch applied, plus this handle's updates that the hub has not confirmed yet (optimistic updates).
 * Iterate it (`for await`) or listen with `on('change')` to follow changes.
 */
export interface SharedDocument<T = unknown> extends AsyncIterable<DocumentChange<T>> {
  /** The document name, e.g. `session/42`. */
  readonly name: string;
  /** The local value; treat it as read-only (it is replaced, not changed in place). */
  readonly value: T;
  /** The last version confirmed by the hub (0 for a document never written). */
  readonly version: number;
  /** Updates of this handle the hub has not confirmed yet (queued while disconnected, or awaiting their answer). */
  readonly pending: number;
  /** Listen to changes; returns a function that removes the listener. */
  on(event: 'change', fn: (change: DocumentChange<T>) => void): () => void;
  /**
   * Change the document with RFC 6902 operations (plus `inc`). The local value changes at once; resolves with the
   * version the update produced. Rejects with a {@link DocumentError} (`CONFLICT` with the current `version`,
   * `CONTRACT_VIOLATION`, `BAD_FRAME`, `FORBIDDEN`, `TOO_LARGE`, `TIMEOUT`, `UNAVAILABLE` when the connection dropped
   * before the answer, so that it may or may not have been applied), and the local change is rolled back. Made
   * while disconnected, the update waits (within `publishTimeoutMs`) and is sent once the document is subscribed
   * again.
   */
  update(ops: DocOp[], options?: DocumentUpdateOptions): Promise<number>;
  /** Adds `n` (default 1) to the number at `path` (an absent key counts as 0): `update([{op:'inc',path,value:n}])`. */
  inc(path: string, n?: number): Promise<number>;
  /** Stop following the document (`doc.unsub`); updates not sent yet reject with `UNAVAILABLE`. */
  close(): Promise<void>;
}

/** Events of a {@link Presence}. */
export interface PresenceEvents {
  /** A member joined (after a reconnect: one that joined meanwhile). */
  join: PresenceMember;
  /** A member left (after a reconnect: one that left meanwhile). */
  leave: PresenceMember;
}

/** This client's membership of a channel's presence, and the channel's member list. */
export interface Presence {
  /** The channel. */
  readonly ch: string;
  /** The members, this client included, longest present first. */
  readonly members: PresenceMember[];
  /** Listen to joins or leaves; returns a function that removes the listener. */
  on<E extends keyof PresenceEvents>(event: E, fn: (member: PresenceEvents[E]) => void): () => void;
  /** Leave the channel (unsubscribes the subscription that holds the membership). */
  leave(): Promise<void>;
}
