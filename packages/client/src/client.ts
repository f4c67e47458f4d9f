import {
  CloseCodes,
  DEFAULT_LIMITS,
  DEFAULT_TIMINGS,
  SwitchboardError,
  isPattern,
  type ClientFrame,
  type DocPatchFrame,
  type DocPatchesFrame,
  type EnvelopeMeta,
  type ErrFrame,
  type FrameId,
  type HelloFrame,
  type IncomingReqFrame,
  type JoinFrame,
  type LeaveFrame,
  type MsgFrame,
  type OkFrame,
  type WelcomeFrame,
} from '@switchboard/protocol';
import { backoffDelay, backoffPolicy, type BackoffPolicy } from './backoff.js';
import { Emitter } from './emitter.js';
import { Documents } from './documents.js';
import { AsyncRefusalError, errorFromFrame } from './errors.js';
import type { Link, ReplyHandlers } from './link.js';
import { Outbox } from './outbox.js';
import { loadTraceApi, withTraceContext, type TraceApi } from './trace-context.js';
import { frameCodec, type FrameCodec } from './payload-codec.js';
import { PresenceImpl, type PresenceHost } from './presence.js';
import { Requests } from './requests.js';
import { Subscriptions } from './subscriptions.js';
import { checkHubUrl } from './hub-url.js';
import { TokenRefresher } from './token-refresh.js';
import { openTransport, resolveWebSocket, type Transport, type WebSocketCtor } from './transport.js';
import type {
  ClientEvents,
  ConnectOptions,
  ConnectionState,
  Presence,
  PublishOptions,
  PublishResult,
  RequestHandler,
  SharedDocument,
  SubscribeOptions,
  Subscription,
  SwitchboardClient,
} from './types.js';

/** A refused `hello`, as thrown inside the connect loop. */
class Refused {
  constructor(readonly error: SwitchboardError) {}
}

const noop = () => {};

/** The client: one logical connection across sockets, reconnects and hub restarts. */
export class ClientImpl implements SwitchboardClient {
  private readonly options: ConnectOptions;
  private readonly codec: FrameCodec;
  private readonly urls: string[];
  private readonly policy: BackoffPolicy | undefined;
  private readonly random: () => number;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly emitter = new Emitter<ClientEvents>();
  private readonly link: Link;
  private readonly outbox: Outbox;
  private readonly requests: Requests;
  private readonly subscriptions: Subscriptions;
  private readonly documents: Documents;
  /** Presence handles by channel. */
  private readonly presences = new Map<string, Set<PresenceImpl>>();
  private readonly presenceHost: PresenceHost;
  private readonly pending = new Map<FrameId, ReplyHandlers>();
  private ctor: WebSocketCtor | undefined;
  /** `@opentelemetry/api` when it is in the program (or given): publishes carry the active span's traceparent. */
  private traceApi: TraceApi | undefined;
  private transport: Transport | undefined;
  private handshaking: Transport | undefined;
  private welcome: WelcomeFrame | undefined;
  private resumeSession: string | undefined;
  private currentState: ConnectionState = 'connecting';
  private nextId = 1;
  private urlIndex = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastReceived = 0;
  private sleeper: { timer: ReturnType<typeof setTimeout>; resolve(): void } | undefined;
  private closing: Promise<void> | undefined;
  /** The token of the last `hello` sent, and what refreshes it ahead of expiry (with `getToken`). */
  private helloToken: string | undefined;
  private readonly refresher: TokenRefresher | undefined;

  constructor(options: ConnectOptions) {
    this.options = options;
    this.codec = frameCodec(options.parse, options.stringify);
    this.urls = options.urls?.length ? [...options.urls] : options.url ? [options.url] : [];
    if (this.urls.length === 0)
      throw new SwitchboardError('BAD_FRAME', 'connect() needs `url` or a non-empty `urls`, e.g. { url: "ws://127.0.0.1:7070/v1/ws" }');
    for (const url of this.urls) checkHubUrl(url);
    if (typeof options.component !== 'string' || options.component === '') {
      throw new SwitchboardError('BAD_FRAME', 'connect() needs `component`: the id this client announces in hello, e.g. { component: "core-engine" }');
    }
    this.policy = options.reconnect === false ? undefined : backoffPolicy(options.reconnect);
    this.random = options.random ?? Math.random;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMINGS.request_timeout_ms;
    const up = () => this.transport !== undefined;
    this.link = {
      get up() {
        return up();
      },
      call: (frame, reply) => this.call(frame, reply),
      cancel: (id) => {
        this.pending.delete(id);
      },
      send: (frame) => this.send(frame),
    };
    this.outbox = new Outbox(this.link, {
      max: options.offlineQueue?.max ?? 10_000,
      timeoutMs: options.publishTimeoutMs ?? 30_000,
      newId: () => globalThis.crypto.randomUUID(),
    });
    this.requests = new Requests(this.link, options.component, this.requestTimeoutMs);
    this.refresher = options.getToken
      ? new TokenRefresher({
          link: this.link,
          getToken: options.getToken,
          aheadMs: options.refreshAheadMs ?? 60_000,
          onError: (err) => this.emitter.emit('error', err),
        })
      : undefined;
    this.subscriptions = new Subscriptions(this.link, {
      requestTimeoutMs: this.requestTimeoutMs,
      defaultBound: () => this.welcome?.limits?.max_inflight ?? DEFAULT_LIMITS.max_inflight,
      emitError: (err) => {
        this.emitter.emit('error', err);
      },
    });
    const refPrefix = globalThis.crypto.randomUUID().slice(0, 8);
    let refs = 0;
    this.documents = new Documents(this.link, {
      component: options.component,
      updateTimeoutMs: options.publishTimeoutMs ?? 30_000,
      requestTimeoutMs: this.requestTimeoutMs,
      newRef: () => `${refPrefix}-${++refs}`,
      emitError: (err) => {
        this.emitter.emit('error', err);
      },
    });
    this.presenceHost = {
      link: this.link,
      emitError: (err) => {
        this.emitter.emit('error', err);
      },
      forget: (p) => {
        this.presences.get(p.ch)?.delete(p);
      },
    };
  }

  get session(): string | undefined {
    return this.welcome?.session;
  }
  get node(): string | undefined {
    return this.welcome?.node;
  }
  get state(): ConnectionState {
    return this.currentState;
  }

  on<E extends keyof ClientEvents>(event: E, fn: (payload: ClientEvents[E]) => void): () => void {
    return this.emitter.on(event, fn);
  }

  /** Connects for the first time; rejects on a refused hello or when no hub answers in time. */
  async start(): Promise<void> {
    try {
      this.ctor = await resolveWebSocket(this.options.WebSocket, this.options.tls);
      this.traceApi = await loadTraceApi(this.options.tracing);
      await this.establish(true);
    } catch (err) {
      this.teardown(err as Error);
      throw err;
    }
  }

  // ---- sending ----

  private call(frame: ClientFrame, reply: ReplyHandlers): FrameId {
    if (!this.transport) throw new SwitchboardError('UNAVAILABLE', 'not connected to a hub');
    const id = this.nextId++;
    const text = this.codec.encode({ ...frame, id });
    this.pending.set(id, reply);
    this.transport.send(text);
    return id;
  }

  private send(frame: ClientFrame): boolean {
    if (!this.transport) return false;
    this.transport.send(this.codec.encode(frame));
    return true;
  }

  // ---- public operations ----

  publish<D>(ch: string, type: string, data: D, options?: PublishOptions): Promise<PublishResult> {
    if (this.currentState === 'closed') return Promise.reject(this.closedError());
    return this.outbox.publish(ch, type, data, this.traceApi ? withTraceContext(this.traceApi, options) : options);
  }

  subscribe<D = unknown>(ch: string, options: SubscribeOptions<D> = {}): Promise<Subscription<D>> {
    if (this.currentState === 'closed') return Promise.reject(this.closedError());
    return this.subscriptions.subscribe(ch, options);
  }

  request<R = unknown>(to: string, type: string, data?: unknown, options?: { timeoutMs?: number; meta?: EnvelopeMeta }): Promise<R> {
    if (this.currentState === 'closed') return Promise.reject(this.closedError());
    return this.requests.request<R>(to, type, data, options);
  }

  onRequest(handler: RequestHandler): () => void {
    return this.requests.onRequest(handler);
  }

  doc<T = unknown>(name: string): Promise<SharedDocument<T>> {
    if (this.currentState === 'closed') return Promise.reject(this.closedError());
    return this.documents.open<T>(name);
  }

  async presence(ch: string, info?: Record<string, unknown>): Promise<Presence> {
    if (this.currentState === 'closed') throw this.closedError();
    if (typeof ch !== 'string' || isPattern(ch))
      throw new SwitchboardError('UNKNOWN_CHANNEL', `presence needs a channel name without wildcards, not ${JSON.stringify(ch)}`);
    const p = new PresenceImpl(ch, this.presenceHost);
    let set = this.presences.get(ch);
    if (!set) this.presences.set(ch, (set = new Set()));
    set.add(p);
    let sub: Subscription;
    try {
      sub = await this.subscriptions.subscribe(ch, { ack: 'auto', onMessage: noop }, { presence: true, info, onAttach: () => p.attached(), trustHub: true });
    } catch (err) {
      p.failed(err as Error);
      throw err;
    }
    p.held(sub);
    try {
      await p.ready;
    } catch (err) {
      await sub.unsubscribe().catch(noop);
      throw err;
    }
    return p;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const t = this.transport;
    this.teardown(this.closedError(), true);
    this.closing = t
      ? new Promise<void>((resolve) => {
          t.onclose = () => resolve();
          t.close(1000, 'client closed');
        })
      : Promise.resolve();
    return this.closing;
  }

  private closedError(): SwitchboardError {
    return new SwitchboardError('UNAVAILABLE', 'the client is closed; connect() again to get a new one');
  }

  // ---- incoming frames ----

  private onFrame(t: Transport, text: string): void {
    if (t !== this.transport) return;
    this.lastReceived = Date.now();
    let decoded: { op?: unknown; re?: FrameId; [k: string]: unknown } | undefined;
    try {
      decoded = this.codec.decode(text);
    } catch (err) {
      this.emitter.emit(
        'error',
        new SwitchboardError(
          'BAD_FRAME',
          `the hub sent a frame that is not JSON (or the parse option refused it: ${(err as Error).message}): ${text.slice(0, 200)}`,
          undefined,
          { cause: err },
        ),
      );
      return;
    }
    if (decoded === undefined) return;
    const f = decoded;
    switch (f.op) {
      case 'ok': {
        const h = f.re === undefined ? undefined : this.pending.get(f.re);
        if (h) {
          this.pending.delete(f.re!);
          h.ok(f as OkFrame);
        }
        return;
      }
      case 'err': {
        const h = f.re === undefined ? undefined : this.pending.get(f.re);
        if (h) {
          this.pending.delete(f.re!);
          h.err(f as unknown as ErrFrame);
          return;
        }
        this.emitter.emit('error', new AsyncRefusalError(f as unknown as ErrFrame));
        return;
      }
      case 'msg':
        if (typeof f.sub === 'string' && f.msg && typeof f.msg === 'object') this.subscriptions.route(f as unknown as MsgFrame);
        return;
      case 'req':
        if (typeof f.rid === 'string') this.requests.handle(f as unknown as IncomingReqFrame);
        return;
      case 'doc.patch':
        if (typeof f.doc === 'string' && typeof f.version === 'number' && Array.isArray(f.ops)) this.documents.route(f as unknown as DocPatchFrame);
        return;
      case 'doc.patches':
        if (typeof f.doc === 'string' && Array.isArray(f.patches)) {
          for (const p of f.patches as DocPatchesFrame['patches']) {
            if (typeof p?.version === 'number' && Array.isArray(p.ops)) this.documents.route({ ...p, op: 'doc.patch', doc: f.doc });
          }
        }
        return;
      case 'join':
      case 'leave':
        if (typeof f.ch === 'string') for (const p of this.presences.get(f.ch) ?? []) p.route(f as unknown as JoinFrame | LeaveFrame);
        return;
      default:
        return; // pong, and ops of features this client does not use
    }
  }

  // ---- connection lifecycle ----

  private setState(s: ConnectionState): void {
    if (this.currentState === s) return;
    this.currentState = s;
    this.emitter.emit('state', s);
  }

  /** Tries the URLs in turn, rounds separated by backoff, until a welcome (or the budget runs out). */
  private async establish(initial: boolean): Promise<void> {
    const n = this.urls.length;
    const deadline = initial ? Date.now() + this.connectTimeoutMs : Infinity;
    const policy = this.policy ?? backoffPolicy();
    const maxAttempts = this.policy ? this.policy.maxAttempts : n;
    const start = this.urlIndex;
    let attempts = 0;
    let round = 0;
    let lastErr: unknown;
    for (;;) {
      for (let k = 0; k < n; k++) {
        if (this.currentState === 'closed') throw this.closedError();
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new SwitchboardError(
            'TIMEOUT',
            `no hub answered within ${this.connectTimeoutMs} ms at ${this.urls.join(', ')}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`,
            undefined,
            { cause: lastErr },
          );
        }
        if (attempts >= maxAttempts) {
          throw new SwitchboardError(
            'UNAVAILABLE',
            `gave up after ${attempts} connection attempts to ${this.urls.join(', ')}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`,
            undefined,
            { cause: lastErr },
          );
        }
        attempts++;
        const idx = (start + k) % n;
        try {
          await this.attempt(idx, Math.min(remaining, this.connectTimeoutMs));
          return;
        } catch (err) {
          if (!(err instanceof Refused)) {
            lastErr = err;
            continue;
          }
          if (initial || this.isFatalRefusal(err.error)) throw err.error;
          this.emitter.emit('error', err.error);
          lastErr = err.error;
        }
      }
      if (this.currentState === 'closed') throw this.closedError();
      await this.sleep(Math.min(backoffDelay(policy, round++, this.random), Math.max(0, deadline - Date.now())));
    }
  }

  /** A refused hello that retrying cannot fix: a bad static token. */
  private isFatalRefusal(err: SwitchboardError): boolean {
    if (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN') return typeof (this.options.getToken ?? this.options.token) !== 'function';
    return err.code === 'BAD_FRAME';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleeper = undefined;
        resolve();
      }, ms);
      this.sleeper = { timer, resolve };
    });
  }

  /** One socket to `urls[idx]`: open, hello, welcome. */
  private async attempt(idx: number, timeoutMs: number): Promise<void> {
    const url = this.urls[idx]!;
    const deadline = Date.now() + timeoutMs;
    const t = await openTransport(this.ctor!, url, timeoutMs).catch((err: unknown) => {
      // The server refused the upgrade (a wrong path): as final as a refused hello.
      throw err instanceof SwitchboardError && err.code === 'NOT_FOUND' ? new Refused(err) : err;
    });
    if (this.currentState === 'closed') {
      t.close(1000, 'client closed');
      throw this.closedError();
    }
    this.handshaking = t;
    const helloId = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      const finish = (err: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (this.handshaking === t) this.handshaking = undefined;
        t.onmessage = noop;
        t.onclose = noop;
        t.close(1000, 'handshake failed');
        reject(err);
      };
      const timer = setTimeout(
        () => finish(new SwitchboardError('TIMEOUT', `no welcome from ${url} within ${timeoutMs} ms`)),
        Math.max(1, deadline - Date.now()),
      );
      t.onclose = (info) =>
        finish(new SwitchboardError('UNAVAILABLE', `${url} closed the connection before welcome (code ${info.code}${info.reason ? `: ${info.reason}` : ''})`));
      t.onmessage = (text) => {
        let f: { op?: unknown; re?: unknown; [k: string]: unknown };
        try {
          f = JSON.parse(text);
        } catch {
          return;
        }
        if (f?.op === 'welcome') {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          if (this.handshaking === t) this.handshaking = undefined;
          if (this.currentState === 'closed') {
            t.onclose = noop;
            t.close(1000, 'client closed');
            reject(this.closedError());
            return;
          }
          this.adopt(t, f as unknown as WelcomeFrame, idx);
          resolve();
        } else if (f?.op === 'err' && (f.re === helloId || f.re === undefined)) {
          const err = errorFromFrame(f as unknown as ErrFrame);
          if (this.resumeSession !== undefined && err.code !== 'UNAUTHENTICATED' && err.code !== 'FORBIDDEN') {
            // The hub would not resume the old session: start a fresh one next time (subscriptions resume from
            // their own positions anyway).
            this.resumeSession = undefined;
            finish(err);
          } else {
            finish(new Refused(err));
          }
        }
      };
      this.token().then(
        (token) => {
          if (finished) return;
          const hello: HelloFrame = { op: 'hello', id: helloId, component: this.options.component };
          if (token !== undefined) hello.token = token;
          this.helloToken = token;
          if (this.options.version !== undefined) hello.version = this.options.version;
          if (this.resumeSession !== undefined) hello.resume = this.resumeSession;
          t.send(JSON.stringify(hello));
        },
        (err: unknown) =>
          finish(
            new Refused(
              new SwitchboardError('UNAUTHENTICATED', `the token function failed: ${err instanceof Error ? err.message : String(err)}`, undefined, {
                cause: err,
              }),
            ),
          ),
      );
    });
  }

  private async token(): Promise<string | undefined> {
    const t = this.options.getToken ?? this.options.token;
    return typeof t === 'function' ? await t() : t;
  }

  /** A welcome arrived on `t`: make it the current socket, restore state, report connected. */
  private adopt(t: Transport, welcome: WelcomeFrame, idx: number): void {
    this.transport = t;
    this.welcome = welcome;
    this.resumeSession = welcome.session;
    this.urlIndex = idx;
    this.lastReceived = Date.now();
    t.onmessage = (text) => this.onFrame(t, text);
    t.onclose = (info) => this.lost(t, info);
    this.startHeartbeat(t, this.options.heartbeatMs ?? welcome.heartbeat_ms ?? DEFAULT_TIMINGS.heartbeat_ms);
    this.refresher?.start(this.helloToken);
    // Order matters: subscriptions first, then publishes that were awaiting ok, then the offline queue,
    // then requests made while offline. All synchronous, so nothing the application does interleaves.
    this.subscriptions.restore(welcome);
    this.documents.restore(welcome);
    this.outbox.flush();
    this.requests.flush();
    this.setState('connected');
    this.emitter.emit('welcome', welcome);
  }

  private startHeartbeat(t: Transport, heartbeatMs: number): void {
    clearInterval(this.heartbeat);
    const period = Math.max(10, Math.floor(heartbeatMs / 2));
    this.heartbeat = setInterval(() => {
      if (t !== this.transport) return;
      if (Date.now() - this.lastReceived > 2 * heartbeatMs) {
        t.onmessage = noop;
        t.onclose = noop;
        t.close(4000, 'heartbeat timeout');
        this.lost(t, { code: 4000, reason: `nothing received from the hub for ${2 * heartbeatMs} ms` });
        return;
      }
      this.send({ op: 'ping' });
    }, period);
  }

  /** The current socket is gone: park everything, then reconnect (or close, when reconnect is off). */
  private lost(t: Transport, info: { code: number; reason: string }): void {
    if (t !== this.transport) return;
    this.transport = undefined;
    this.refresher?.stop();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.outbox.requeue();
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const h of calls) h.drop();
    this.subscriptions.detachAll();
    this.documents.detachAll();
    if (this.currentState === 'closed') return;
    if (info.code === CloseCodes.SESSION_TAKEN_OVER.code) {
      // another connection resumed this session: reconnecting with it would take it back, and so on
      const err = new SwitchboardError(
        'UNAVAILABLE',
        'the hub closed this connection because another connection resumed its session (code 4409); this client stops, so that the two do not take the session from each other',
      );
      this.emitter.emit('error', err);
      this.teardown(err);
      return;
    }
    if (!this.policy) {
      this.teardown(
        new SwitchboardError(
          'UNAVAILABLE',
          `the connection to the hub closed (code ${info.code}${info.reason ? `: ${info.reason}` : ''}) and reconnect is off`,
        ),
      );
      return;
    }
    this.setState('reconnecting');
    void this.establish(false).catch((err: Error) => {
      if (this.currentState === 'closed') return;
      this.emitter.emit('error', err);
      this.teardown(err);
    });
  }

  /** Final: state `closed`, every pending operation rejected with `err`, iterations ended. */
  private teardown(err: Error, userClose = false): void {
    this.setState('closed');
    this.refresher?.stop();
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
      this.sleeper = undefined;
    }
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const t = this.transport;
    this.transport = undefined;
    if (t) {
      t.onmessage = noop;
    }
    if (this.handshaking) {
      this.handshaking.close(1000, 'client closed');
      this.handshaking = undefined;
    }
    this.outbox.failAll(err);
    this.requests.failAll(err);
    this.pending.clear();
    this.subscriptions.endAll(err, userClose);
    this.documents.endAll(err, userClose);
    this.presences.clear();
  }
}

/**
 * Connects to a Switchboard hub. Resolves after the first `welcome`; rejects with a `SwitchboardError`
 * carrying the hub's code when the hello is refused (`UNAUTHENTICATED`, …), or with `TIMEOUT` when no hub
 * answers within `connectTimeoutMs`. A wrong URL rejects at once: `BAD_FRAME` for a scheme other than `ws:` /
 * `wss:`, `NOT_FOUND` when the server refuses the upgrade with HTTP 400/404 (a path other than `/v1/ws`).
 */
export async function connect(options: ConnectOptions): Promise<SwitchboardClient> {
  const client = new ClientImpl(options);
  await client.start();
  return client;
}
