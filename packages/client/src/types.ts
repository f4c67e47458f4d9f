import type { Envelope, EnvelopeMeta, From, PubResult, WelcomeFrame } from '@switchboard/protocol';
import type { WebSocketCtor } from './transport.js';

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
  /** Component id announced in `hello` (the `to` of requests aimed at this client). */
  component: string;
  /** Version of the component, announced in `hello`. */
  version?: string;
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
  /** Time a `publish` may wait for its `ok`, queue time included, before it rejects with `TIMEOUT`. Default 30 000. */
  publishTimeoutMs?: number;
  /** Heartbeat period. Default: the hub's `heartbeat_ms` from `welcome`. Pings go out every half period. */
  heartbeatMs?: number;
  /** Source of randomness of the backoff jitter; injectable for tests. Default `Math.random`. */
  random?: () => number;
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
  /** Close the connection; queued and unacknowledged publishes reject with `UNAVAILABLE`, iterations end. */
  close(): Promise<void>;
}
