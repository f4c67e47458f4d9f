import { randomUUID } from 'node:crypto';
import { CLIENT_OPS, channelPatternProblem, isPattern, PAYLOAD_MEMBERS, rawMembers, SwitchboardError, type AckMode, type ErrorCode, type From, type PubResult } from '@switchboard/protocol';
import { assertMayPublish, assertMaySubscribe, type Authenticator, type Identity } from './auth.js';
import { configDeclares, type HubConfig } from './config.js';
import type { HubMetrics } from './metrics.js';
import type { Peer } from './peer.js';
import type { RequestRouter, Responder } from './requests.js';
import type { Router } from './router.js';
import { Subscription, type SubscriptionDeps, type SubscriptionSpec } from './delivery/subscription.js';
import type { SharedFrame } from './delivery/frames.js';
import { SharedStateOps, type SharedStateDeps } from './shared-state-ops.js';
import type { ParkedSharedState } from './shared-state-resume.js';

/** What a connection needs from the hub. */
export interface ConnectionDeps {
  config: HubConfig;
  router: Router;
  requests: RequestRouter;
  metrics: HubMetrics;
  auth: Authenticator;
  subscriptions: SubscriptionDeps;
  parked: ParkedSessions;
  /** Shared state documents and presence. */
  shared: SharedStateDeps;
  /** True once the hub is stopping: new work is refused with UNAVAILABLE. */
  closing: () => boolean;
  /**
   * Ends a still-open connection of `session` (same component), parking what it holds, so that a `resume` can take
   * it over at once instead of waiting for the hub to notice that its socket died.
   */
  takeOver?: (session: string, component: string) => void;
  log: { warn(obj: unknown, msg?: string): void; debug(obj: unknown, msg?: string): void };
}

/** One live subscription of a connection: who subscribed to what, and how. */
export interface SubscriberInfo {
  component: string;
  session: string;
  /** The channel or pattern subscribed to. */
  pattern: string;
  group?: string;
  ack: AckMode;
}

/** A subscription as kept for a disconnected session, to restore on `resume`. */
interface ParkedSubscription {
  spec: SubscriptionSpec;
}

/** What a parked session keeps. */
interface Parked {
  subs: ParkedSubscription[];
  nextSub: number;
  /** Its document subscriptions and presence, released (the member leaves) when the session is forgotten. */
  shared?: ParkedSharedState;
}

/** Subscriptions of disconnected sessions, kept for `session_ttl` so that `hello.resume` can restore them. */
export class ParkedSessions {
  private readonly parked = new Map<string, Parked & { component: string; timer: NodeJS.Timeout }>();

  /** Sessions are kept `ttlMs` each, at most `max` at once (the longest-parked one is forgotten first). */
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  park(session: string, component: string, subs: ParkedSubscription[], nextSub: number, shared?: ParkedSharedState): void {
    this.take(session, component)?.shared?.release();
    const timer = setTimeout(() => {
      this.parked.delete(session);
      shared?.release();
    }, this.ttlMs);
    timer.unref?.();
    this.parked.set(session, { component, subs, nextSub, timer, ...(shared ? { shared } : {}) });
    for (const [id, p] of this.parked) {
      if (this.parked.size <= this.max) break;
      clearTimeout(p.timer);
      this.parked.delete(id);
      p.shared?.release();
    }
  }

  take(session: string, component: string): Parked | undefined {
    const p = this.parked.get(session);
    if (!p || p.component !== component) return undefined;
    clearTimeout(p.timer);
    this.parked.delete(session);
    return p;
  }

  clear(): void {
    for (const p of this.parked.values()) {
      clearTimeout(p.timer);
      p.shared?.release();
    }
    this.parked.clear();
  }
}

type Frame = Record<string, unknown>;
type FrameId = number | string | undefined;

/** Labels of the publish-duration series for socket publishes. */
const WS_LABELS = Object.freeze({ transport: 'ws' });
const GROUP_NAME = /^[A-Za-z0-9_.\-:@/]{1,128}$/;
const MAX_NACK_DELAY_MS = 3_600_000;

/**
 * One client connection: the session state machine (`hello` first), every client op, and the replies.
 * Frames arrive as text from the transport; replies leave through the {@link Peer}.
 */
export class Connection implements Responder {
  state: 'new' | 'ready' | 'closed' = 'new';
  identity: Identity | undefined;
  sessionId = '';
  lastSeen = Date.now();
  private readonly subs = new Map<string, Subscription>();
  private nextSub = 1;
  private pendingRequests = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** True while a `hello`'s token is being verified, so that a second `hello` is refused, not silently dropped. */
  private helloInProgress = false;
  private readonly shared: SharedStateOps;

  constructor(
    readonly peer: Peer,
    private readonly deps: ConnectionDeps,
  ) {
    this.shared = new SharedStateOps(deps.shared, { identity: () => this.identity!, session: () => this.sessionId, send: (t) => this.send(t) });
  }

  get component(): string {
    return this.identity?.component ?? '';
  }

  send(text: string | SharedFrame): void {
    this.peer.send(text);
  }

  /** The live subscriptions of this connection, for the channel listing of the HTTP API. */
  subscriptionList(): SubscriberInfo[] {
    if (this.state !== 'ready') return [];
    return [...this.subs.values()].map((s) => ({
      component: this.component, session: this.sessionId, pattern: s.spec.pattern, ack: s.spec.ack, ...(s.spec.group !== undefined ? { group: s.spec.group } : {}),
    }));
  }

  /** Handles one text frame of `bytes` bytes. Never throws. */
  onText(text: string, bytes: number): void {
    this.lastSeen = Date.now();
    if (bytes > this.deps.config.limits.maxFrameBytes) {
      this.sendErr(undefined, 'TOO_LARGE', `frame of ${bytes} bytes is over the limit of ${this.deps.config.limits.maxFrameBytes} bytes; split the message or raise limits.max_frame_bytes`);
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch (err) {
      this.sendErr(undefined, 'BAD_FRAME', `frame is not valid JSON (${(err as Error).message}); send one JSON object per text frame`);
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      this.sendErr(undefined, 'BAD_FRAME', 'frame must be a JSON object such as {"op":"ping","id":1}');
      return;
    }
    this.dispatch(frame as Frame, text);
  }

  /** Answers a frame that cannot be read (binary, invalid UTF-8) with BAD_FRAME. */
  onBadFrame(message: string): void {
    this.lastSeen = Date.now();
    this.sendErr(undefined, 'BAD_FRAME', message);
  }

  /** Notes liveness (a WebSocket pong). */
  touch(): void {
    this.lastSeen = Date.now();
  }

  /**
   * Checks a frame's `id` and `op` and runs the op. The checks and every op that need not wait (an ephemeral publish,
   * ack, ping) run synchronously, so such a frame is answered within this call; a failure is answered either way.
   */
  private dispatch(frame: Frame, text?: string): void {
    const rawId = frame.id;
    const id: FrameId = typeof rawId === 'number' || typeof rawId === 'string' ? rawId : undefined;
    try {
      if (rawId !== undefined && id === undefined) throw new SwitchboardError('BAD_FRAME', '"id" must be a number or a string');
      const op = frame.op;
      if (typeof op !== 'string') throw new SwitchboardError('BAD_FRAME', 'frame has no "op"; every frame needs one, e.g. {"op":"ping"}');
      if (!(CLIENT_OPS as readonly string[]).includes(op)) {
        throw new SwitchboardError('UNKNOWN_OP', `unknown op "${op.slice(0, 64)}"; known ops: ${CLIENT_OPS.join(', ')}`);
      }
      const waiting = this.run(op, frame, id, text);
      if (waiting) waiting.catch((err: unknown) => this.fail(frame, id, err));
    } catch (err) {
      this.fail(frame, id, err);
    }
  }

  /**
   * Runs a known op; returns a promise only when the op waits. Throws (or rejects) with the refusal. `text` is the
   * frame as received, from which a payload's own text is taken.
   */
  private run(op: string, frame: Frame, id: FrameId, text?: string): Promise<unknown> | void {
    if (op === 'ping') return this.reply(id, { op: 'pong' }, true);
    if (this.deps.closing() && op !== 'ack' && op !== 'nack' && op !== 'reply') {
      throw new SwitchboardError('UNAVAILABLE', 'the hub is shutting down; reconnect (to another node, or after it restarts) and retry');
    }
    if (op === 'hello') {
      const info = this.shared.checkInfo(frame.info);
      return this.hello(frame, id).then(() => this.shared.hello(info));
    }
    if (this.state !== 'ready') throw new SwitchboardError('UNAUTHENTICATED', `"${op}" before "welcome": send {"op":"hello","component":"<your component id>"} first`);
    switch (op) {
      case 'pub':
        return this.pub(frame, id, text);
      case 'sub':
        this.shared.checkInfo(frame.info);
        return this.sub(frame, id).then((sub) => sub && this.shared.subscribed(sub.id, sub.spec.pattern, frame));
      case 'ack':
      case 'nack':
        return this.ackOrNack(op, frame, id);
      case 'unsub':
        return this.unsub(frame, id).then(() => this.shared.unsubscribed(frame.sub));
      case 'req':
        return this.req(frame, id, text);
      case 'reply':
        this.deps.requests.reply(this, frame.rid, frame.data, frame.error, text === undefined ? undefined : rawMembers(text, PAYLOAD_MEMBERS)?.data);
        return this.reply(id, {});
      case 'doc.sub':
      case 'doc.unsub':
      case 'doc.update':
      case 'presence':
        return this.shared.handle(op, frame).then((result) => this.reply(id, result));
    }
  }

  /** Answers a frame whose handling failed with its error code (a refused fire-and-forget publish names its channel). */
  private fail(frame: Frame, id: FrameId, err: unknown): void {
    const e = toSwitchboardError(err, this.deps.log);
    const extra: Frame = {};
    if (frame.op === 'pub' && id === undefined) {
      if (typeof frame.ch === 'string') extra.ch = frame.ch;
      if (typeof frame.msg_id === 'string') extra.msg_id = frame.msg_id;
    }
    if ((frame.op === 'ack' || frame.op === 'nack') && typeof frame.sub === 'string') extra.sub = frame.sub;
    this.sendErr(id, e.code, e.message, e.details, extra);
  }

  private async hello(frame: Frame, id: FrameId): Promise<void> {
    if (this.state !== 'new') throw new SwitchboardError('BAD_FRAME', 'this connection already said hello; open a new connection to change identity');
    if (this.helloInProgress) throw new SwitchboardError('BAD_FRAME', 'a hello is already being checked on this connection; wait for its welcome or err before sending another');
    if (frame.token !== undefined && typeof frame.token !== 'string') throw new SwitchboardError('BAD_FRAME', '"token" must be a string (a JWT)');
    if (frame.version !== undefined && typeof frame.version !== 'string') throw new SwitchboardError('BAD_FRAME', '"version" must be a string naming the component\'s version, e.g. "1.4.0"');
    let identity: Identity;
    this.helloInProgress = true;
    try {
      identity = await this.deps.auth.authenticate(frame.token as string | undefined, frame.component as string | undefined);
    } finally {
      this.helloInProgress = false;
    }
    if (this.state !== 'new') return;
    this.identity = identity;
    let restored: Parked | undefined;
    if (frame.resume !== undefined) {
      if (typeof frame.resume !== 'string') throw new SwitchboardError('BAD_FRAME', '"resume" must be the session id of an earlier welcome');
      this.deps.takeOver?.(frame.resume, identity.component);
      restored = this.deps.parked.take(frame.resume, identity.component);
    }
    this.sessionId = restored ? (frame.resume as string) : randomUUID();
    this.state = 'ready';
    this.deps.requests.add(this);
    if (identity.exp !== undefined) {
      const ms = identity.exp * 1000 - Date.now();
      this.expiryTimer = setTimeout(() => this.peer.close(4401, 'token expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      this.expiryTimer.unref?.();
    }
    const restoredSubs: Subscription[] = [];
    if (restored) {
      this.nextSub = restored.nextSub;
      for (const p of restored.subs) {
        const sub = new Subscription(p.spec, this.peer, this.deps.subscriptions);
        try {
          await sub.start();
          this.subs.set(sub.id, sub);
          restoredSubs.push(sub);
        } catch (err) {
          await sub.close();
          this.deps.log.warn({ err, sub: p.spec.id }, 'could not restore subscription');
        }
      }
      this.deps.metrics.subscriptions.inc(restoredSubs.length);
    }
    const resumedShared = restored?.shared && (await this.shared.resume(restored.shared, new Set(restoredSubs.map((s) => s.id))));
    const { limits } = this.deps.config;
    const welcome: Frame = {
      op: 'welcome',
      session: this.sessionId,
      node: this.deps.config.nodeId,
      heartbeat_ms: this.deps.config.heartbeatMs,
      limits: { max_frame_bytes: limits.maxFrameBytes, max_inflight: limits.maxInflight, max_subscriptions: limits.maxSubscriptions },
    };
    if (frame.resume !== undefined) {
      welcome.resumed = restored !== undefined;
      if (restored) welcome.subs = restoredSubs.map((s) => ({ sub: s.id, ch: s.spec.pattern, group: s.spec.group, ack: s.spec.ack }));
      if (resumedShared) welcome.docs = resumedShared.docs;
    }
    this.reply(id, welcome, true);
    for (const s of restoredSubs) s.activate();
    resumedShared?.activate();
  }

  /** Publishes; returns a promise only when the router has to wait (the store, a new channel, a dead letter). */
  private pub(frame: Frame, id: FrameId, text?: string): Promise<void> | undefined {
    const started = performance.now();
    if (typeof frame.ch === 'string' && this.identity) assertMayPublish(this.identity, frame.ch);
    const raw = text === undefined ? undefined : rawMembers(text, PAYLOAD_MEMBERS);
    const result = this.deps.router.publish({ ch: frame.ch, type: frame.type, data: frame.data, msgId: frame.msg_id, meta: frame.meta, dataText: raw?.data, metaText: raw?.meta, source: this.component });
    if (result instanceof Promise) return result.then((r) => this.published(id, r, started));
    this.published(id, result, started);
    return undefined;
  }

  private published(id: FrameId, result: PubResult, started: number): void {
    this.deps.metrics.publishSeconds.observe(WS_LABELS, (performance.now() - started) / 1e3);
    if (id !== undefined && this.state !== 'closed') this.peer.send(pubOk(id, result.seq, result.duplicate === true));
  }

  private async sub(frame: Frame, id: FrameId): Promise<Subscription | undefined> {
    const spec = this.checkSub(frame);
    assertMaySubscribe(this.identity!, spec.pattern);
    const { config, subscriptions } = this.deps;
    if (config.strictChannels && !isPattern(spec.pattern) && !spec.pattern.startsWith('$') && !subscriptions.channels.contract(spec.pattern) && !configDeclares(config, spec.pattern)) {
      throw new SwitchboardError('UNKNOWN_CHANNEL', `channel "${spec.pattern}" is not declared by any contract or config entry, and this hub runs with strict_channels; check the name, or declare it`);
    }
    const sub = new Subscription(spec, this.peer, this.deps.subscriptions);
    this.subs.set(sub.id, sub);
    let head: number;
    try {
      head = await sub.start();
    } catch (err) {
      this.subs.delete(sub.id);
      await sub.close();
      throw err;
    }
    if (sub.closed) return;
    this.deps.metrics.subscriptions.inc();
    this.reply(id, { sub: sub.id, head });
    sub.activate();
    return sub;
  }

  private checkSub(frame: Frame): SubscriptionSpec {
    const { limits } = this.deps.config;
    const problem = channelPatternProblem(frame.ch);
    if (problem) throw new SwitchboardError(typeof frame.ch === 'string' ? 'UNKNOWN_CHANNEL' : 'BAD_FRAME', `cannot subscribe to ${JSON.stringify(frame.ch)}: ${problem}`);
    if (this.subs.size >= limits.maxSubscriptions) {
      throw new SwitchboardError('RATE_LIMITED', `this connection has ${this.subs.size} subscriptions, the limit; unsubscribe from some or raise limits.max_subscriptions`);
    }
    let from: From = 'latest';
    if (frame.from !== undefined) {
      if (frame.from === 'earliest' || frame.from === 'latest') from = frame.from;
      else if (typeof frame.from === 'number' && Number.isSafeInteger(frame.from) && frame.from >= 0) from = frame.from;
      else if (typeof frame.from === 'string' && /^\d+$/.test(frame.from)) from = Number(frame.from);
      else throw new SwitchboardError('BAD_FRAME', '"from" must be "earliest", "latest" or a whole number n ≥ 0 (deliver every message with seq > n)');
    }
    let group: string | undefined;
    if (frame.group !== undefined) {
      if (typeof frame.group !== 'string' || !GROUP_NAME.test(frame.group)) throw new SwitchboardError('BAD_FRAME', '"group" must be 1-128 characters of A-Z a-z 0-9 _ . - : @ /');
      group = frame.group;
    }
    let ack: AckMode = 'auto';
    if (frame.ack !== undefined) {
      if (frame.ack !== 'manual' && frame.ack !== 'auto') throw new SwitchboardError('BAD_FRAME', '"ack" must be "manual" or "auto"');
      ack = frame.ack;
    }
    let maxInflight = limits.maxInflight;
    if (frame.max_inflight !== undefined) {
      if (typeof frame.max_inflight !== 'number' || !Number.isInteger(frame.max_inflight) || frame.max_inflight < 1) {
        throw new SwitchboardError('BAD_FRAME', '"max_inflight" must be a whole number ≥ 1');
      }
      maxInflight = Math.min(frame.max_inflight, limits.maxInflight);
    }
    if (frame.presence !== undefined && typeof frame.presence !== 'boolean') throw new SwitchboardError('BAD_FRAME', '"presence" must be true or false');
    return { id: 's' + this.nextSub++, pattern: frame.ch as string, from, group, ack, maxInflight };
  }

  private ackOrNack(op: 'ack' | 'nack', frame: Frame, id: FrameId): void {
    const sub = this.findSub(frame.sub);
    const seq = frame.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new SwitchboardError('BAD_FRAME', `"seq" must be the whole-number seq of the message to ${op}`);
    if (frame.ch !== undefined && typeof frame.ch !== 'string') throw new SwitchboardError('BAD_FRAME', '"ch" must be the channel name of the message');
    const ch = frame.ch as string | undefined;
    if (op === 'ack') sub.ack(seq, ch);
    else {
      const delay = frame.delay_ms ?? 0;
      if (typeof delay !== 'number' || !(delay >= 0)) throw new SwitchboardError('BAD_FRAME', '"delay_ms" must be a number of milliseconds ≥ 0');
      if (frame.reason !== undefined && typeof frame.reason !== 'string') throw new SwitchboardError('BAD_FRAME', '"reason" must be a string');
      sub.nack(seq, Math.min(delay, MAX_NACK_DELAY_MS), ch);
    }
    this.reply(id, {});
  }

  private async unsub(frame: Frame, id: FrameId): Promise<void> {
    const sub = this.findSub(frame.sub);
    this.subs.delete(sub.id);
    await sub.close();
    this.deps.metrics.subscriptions.dec();
    this.reply(id, {});
  }

  private async req(frame: Frame, id: FrameId, text?: string): Promise<void> {
    if (id === undefined) throw new SwitchboardError('BAD_FRAME', '"req" needs an "id": the reply comes back as {"op":"ok","re":<id>,"data":…}');
    if (typeof frame.to !== 'string' || frame.to === '') throw new SwitchboardError('BAD_FRAME', '"to" must name the component to ask, e.g. "core-engine"');
    if (typeof frame.type !== 'string' || frame.type === '') throw new SwitchboardError('BAD_FRAME', '"type" must be a non-empty string naming the request type');
    const t = frame.timeout_ms;
    if (t !== undefined && (typeof t !== 'number' || !(t > 0))) throw new SwitchboardError('BAD_FRAME', '"timeout_ms" must be a number of milliseconds > 0');
    if (frame.meta !== undefined && (typeof frame.meta !== 'object' || frame.meta === null || Array.isArray(frame.meta))) throw new SwitchboardError('BAD_FRAME', '"meta" must be an object');
    if (this.pendingRequests >= this.deps.config.limits.maxPendingRequests) {
      throw new SwitchboardError('RATE_LIMITED', `this connection has ${this.pendingRequests} requests waiting, the limit; wait for replies or raise limits.max_pending_requests`);
    }
    this.pendingRequests++;
    try {
      const dataText = text === undefined || frame.data === undefined ? undefined : rawMembers(text, PAYLOAD_MEMBERS)?.data;
      const r = await this.deps.requests.request(this.component, frame.to, frame.type, frame.data, t as number | undefined, frame.meta as never, dataText);
      if (r.dataText === undefined) this.reply(id, { data: r.data });
      else if (this.state !== 'closed') this.peer.send('{"op":"ok","re":' + JSON.stringify(id) + ',"data":' + r.dataText + '}');
    } finally {
      this.pendingRequests--;
    }
  }

  private findSub(subId: unknown): Subscription {
    if (typeof subId !== 'string') throw new SwitchboardError('BAD_FRAME', '"sub" must be the subscription id from the sub reply, e.g. "s1"');
    const sub = this.subs.get(subId);
    if (!sub) throw new SwitchboardError('NOT_FOUND', `no subscription "${subId}" on this connection; use the "sub" id returned by the sub reply`);
    return sub;
  }

  private reply(id: FrameId, body: Frame, always = false): void {
    if (id === undefined && !always) return;
    if (this.state === 'closed') return;
    const { op = 'ok', ...rest } = body;
    this.peer.send(JSON.stringify(id === undefined ? { op, ...rest } : { op, re: id, ...rest }));
  }

  private sendErr(id: FrameId, code: ErrorCode, message: string, details?: unknown, extra?: Frame): void {
    if (this.state === 'closed') return;
    const frame: Frame = { op: 'err' };
    if (id !== undefined) frame.re = id;
    frame.code = code;
    frame.message = message;
    if (details !== undefined) frame.details = details;
    if (extra) Object.assign(frame, extra);
    this.peer.send(JSON.stringify(frame));
  }

  /**
   * Ends the connection: requests fail over, subscriptions (documents and presence too) are parked for `resume`
   * and stopped. `code` is the WebSocket close code: 1000, 1001 or 1005 (the client closed the socket) makes it
   * leave presence at once; after a lost connection its memberships wait for a resume (see `presenceGraceMs`).
   */
  async close(code?: number): Promise<void> {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const shared = wasReady && !this.deps.closing() ? this.shared.park(code !== 1000 && code !== 1001 && code !== 1005) : (this.shared.close(), undefined);
    if (!wasReady) return;
    this.deps.requests.remove(this);
    const parked: ParkedSubscription[] = [];
    for (const sub of this.subs.values()) {
      parked.push({ spec: { ...sub.spec, positions: sub.positions() } });
    }
    if (parked.length || shared) this.deps.parked.park(this.sessionId, this.component, parked, this.nextSub, shared);
    const subs = [...this.subs.values()];
    this.subs.clear();
    this.deps.metrics.subscriptions.dec(subs.length);
    await Promise.all(subs.map((s) => s.close()));
  }
}

/**
 * The `ok` of a `pub`, `{"op":"ok","re":…,"seq":…}` (plus `"duplicate":true`): the bytes `reply` would send, built
 * without the intermediate objects, as it is sent once per acked publish.
 */
function pubOk(id: number | string, seq: number, duplicate: boolean): string {
  return '{"op":"ok","re":' + (typeof id === 'number' ? String(id) : JSON.stringify(id)) + ',"seq":' + seq + (duplicate ? ',"duplicate":true}' : '}');
}

/** Maps anything thrown to a protocol error; unexpected faults become INTERNAL and are logged. */
export function toSwitchboardError(err: unknown, log?: { warn(obj: unknown, msg?: string): void }): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  log?.warn({ err }, 'unexpected error');
  return new SwitchboardError('INTERNAL', `internal error: ${(err as Error)?.message ?? String(err)}; the operation was not applied`);
}
