import { randomUUID } from 'node:crypto';
import {
  CloseCodes,
  decodeClientFrame,
  isLostConnection,
  PAYLOAD_MEMBERS,
  rawMembers,
  SwitchboardError,
  type PubResult,
  type RawFrame,
} from '@switchboard/protocol';
import { assertMayPublish, assertMayRequest, type Identity } from '../auth/authenticator.js';
import type { Peer } from './peer.js';
import type { Responder } from '../requests/request-router.js';
import type { Subscription } from '../delivery/subscription.js';
import type { SharedFrame } from '../delivery/frames.js';
import type { SubscriberInfo } from '../delivery/subscriber-info.js';
import type { ConnectionHooks, FeatureConnection, PublishAttempt } from '../features/feature.js';
import type { ParkedSession } from './parked-sessions.js';
import { ConnectionSubscriptions } from './connection-subscriptions.js';
import { ConnectionReplies } from './connection-replies.js';
import type { ConnectionDeps } from './connection-deps.js';
import { checkAckFrame, checkRequestFrame, pubOk, replyOk } from './op-frames.js';
import type { ConnectionSnapshot } from '../features/hub-inspector.js';

type Frame = RawFrame;
type FrameId = number | string | undefined;

/** Labels of the publish-duration series for socket publishes. */
const WS_LABELS = Object.freeze({ transport: 'ws' });

/**
 * One client connection: the session state machine (`hello` first), every client op, and the replies.
 * Frames arrive as text from the transport; replies leave through the {@link Peer}.
 */
export class Connection implements Responder {
  state: 'new' | 'ready' | 'closed' = 'new';
  identity: Identity | undefined;
  sessionId = '';
  /** The `hello.version`, when the component gave one. */
  version: string | undefined;
  /** ISO-8601 time of the `welcome`. */
  since = '';
  lastSeen = Date.now();
  private readonly subs: ConnectionSubscriptions;
  /** What this connection answers (`ok`, `err`). */
  private readonly out: ConnectionReplies;
  private pendingRequests = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** True while a `hello`'s token is being verified, so that a second `hello` is refused, not silently dropped. */
  private helloInProgress = false;
  /** The hooks of each feature for this connection, in registry order. */
  private readonly hooks: ConnectionHooks[];
  /** This connection as the features see it. */
  private readonly view: FeatureConnection;

  constructor(
    readonly peer: Peer,
    private readonly deps: ConnectionDeps,
  ) {
    const view: FeatureConnection = (this.view = {
      identity: () => this.identity!,
      session: () => this.sessionId,
      remote: () => this.peer.remote,
      send: (t) => this.send(t),
      reauthenticate: (identity) => {
        if (this.state !== 'ready' || identity.component !== this.component) return;
        this.identity = identity;
        this.armExpiry(identity);
      },
    });
    this.hooks = deps.features.connections.map((spec) => spec.open(view));
    this.out = new ConnectionReplies(peer, deps, this);
    this.subs = new ConnectionSubscriptions(peer, deps, () => ({
      component: this.component,
      session: this.sessionId,
      ...(this.version !== undefined ? { version: this.version } : {}),
    }));
  }

  get component(): string {
    return this.identity?.component ?? '';
  }

  send(text: string | SharedFrame): void {
    this.peer.send(text);
  }

  /** What this connection is, for the features that report it; undefined before its `welcome`. */
  snapshot(): ConnectionSnapshot | undefined {
    if (this.state !== 'ready') return undefined;
    return {
      component: this.component,
      ...(this.version !== undefined ? { version: this.version } : {}),
      session: this.sessionId,
      since: this.since,
      subscriptions: this.subscriptionList(),
    };
  }

  /** The live subscriptions of this connection, for the channel listing of the HTTP API. */
  subscriptionList(): SubscriberInfo[] {
    return this.state === 'ready' ? this.subs.list() : [];
  }

  /** Handles one text frame of `bytes` bytes. Never throws. */
  onText(text: string, bytes: number): void {
    this.lastSeen = Date.now();
    if (bytes > this.deps.config.limits.maxFrameBytes) {
      this.deps.metrics.limitRefused('frame_bytes');
      this.out.sendErr(
        undefined,
        'TOO_LARGE',
        `frame of ${bytes} bytes is over the limit of ${this.deps.config.limits.maxFrameBytes} bytes; split the message or raise limits.max_frame_bytes`,
      );
      return;
    }
    const decoded = decodeClientFrame(text, this.deps.knownOps);
    if (!decoded.ok) {
      if (decoded.frame) this.out.fail(decoded.frame, decoded.id, new SwitchboardError(decoded.code, decoded.message));
      else this.out.sendErr(undefined, decoded.code, decoded.message);
      return;
    }
    this.dispatch(decoded.op, decoded.frame, decoded.id, text);
  }

  /** Answers a frame that cannot be read (binary, invalid UTF-8) with BAD_FRAME. */
  onBadFrame(message: string): void {
    this.lastSeen = Date.now();
    this.out.sendErr(undefined, 'BAD_FRAME', message);
  }

  /** Notes liveness (a WebSocket pong). */
  touch(): void {
    this.lastSeen = Date.now();
  }

  /**
   * Runs a decoded frame's op. The ops that need not wait (an ephemeral publish, ack, ping) run synchronously, so
   * such a frame is answered within this call; a failure is answered either way.
   */
  private dispatch(op: string, frame: Frame, id: FrameId, text: string): void {
    try {
      const waiting = this.run(op, frame, id, text);
      if (waiting) waiting.catch((err: unknown) => this.out.fail(frame, id, err));
    } catch (err) {
      this.out.fail(frame, id, err);
    }
  }

  /**
   * Runs a known op; returns a promise only when the op waits. Throws (or rejects) with the refusal. `text` is the
   * frame as received, from which a payload's own text is taken.
   */
  private run(op: string, frame: Frame, id: FrameId, text: string): Promise<unknown> | void {
    if (op === 'ping') return this.out.reply(id, { op: 'pong' }, true);
    if (this.deps.closing() && op !== 'ack' && op !== 'nack' && op !== 'reply') {
      throw new SwitchboardError('UNAVAILABLE', 'the hub is shutting down; reconnect (to another node, or after it restarts) and retry');
    }
    if (op === 'hello') {
      for (const h of this.hooks) h.check?.('hello', frame);
      return this.hello(frame, id).then(() => {
        if (this.state === 'ready') for (const h of this.hooks) h.ready?.(frame);
      });
    }
    if (this.state !== 'ready')
      throw new SwitchboardError('UNAUTHENTICATED', `"${op}" before "welcome": send {"op":"hello","component":"<your component id>"} first`);
    switch (op) {
      case 'pub':
        return this.pub(frame, id, text);
      case 'sub':
        for (const h of this.hooks) h.check?.('sub', frame);
        return this.sub(frame, id).then((sub) => {
          if (sub) for (const h of this.hooks) h.subscribed?.({ id: sub.id, pattern: sub.spec.pattern }, frame);
        });
      case 'ack':
      case 'nack':
        return this.ackOrNack(op, frame, id);
      case 'unsub':
        return this.unsub(frame, id).then(() => {
          for (const h of this.hooks) h.unsubscribed?.(frame.sub as string);
        });
      case 'req':
        return this.req(frame, id, text);
      case 'reply':
        this.deps.requests.reply(this, frame.rid, frame.data, frame.error, rawMembers(text, PAYLOAD_MEMBERS)?.data);
        return this.out.reply(id, {});
    }
    const feature = this.deps.features.ops.get(op);
    const handle = feature === undefined ? undefined : this.hooks[feature]?.handle;
    if (!handle) throw new SwitchboardError('UNKNOWN_OP', `unknown op "${op.slice(0, 64)}"`);
    const result = handle(op, frame);
    if (result instanceof Promise) return result.then((body) => this.out.reply(id, body));
    this.out.reply(id, result);
  }

  private async hello(frame: Frame, id: FrameId): Promise<void> {
    if (this.state !== 'new') throw new SwitchboardError('BAD_FRAME', 'this connection already said hello; open a new connection to change identity');
    if (this.helloInProgress)
      throw new SwitchboardError('BAD_FRAME', 'a hello is already being checked on this connection; wait for its welcome or err before sending another');
    if (frame.token !== undefined && typeof frame.token !== 'string') throw new SwitchboardError('BAD_FRAME', '"token" must be a string (a JWT)');
    if (frame.version !== undefined && typeof frame.version !== 'string')
      throw new SwitchboardError('BAD_FRAME', '"version" must be a string naming the component\'s version, e.g. "1.4.0"');
    let identity: Identity;
    this.helloInProgress = true;
    try {
      identity = await this.deps.auth.authenticate(frame.token as string | undefined, frame.component as string | undefined);
    } finally {
      this.helloInProgress = false;
    }
    if (this.state !== 'new') return;
    for (const h of this.hooks) h.admit?.(identity);
    this.identity = identity;
    let restored: ParkedSession | undefined;
    if (frame.resume !== undefined) {
      if (typeof frame.resume !== 'string') throw new SwitchboardError('BAD_FRAME', '"resume" must be the session id of an earlier welcome');
      this.deps.takeOver?.(frame.resume, identity.component);
      restored = this.deps.parked.take(frame.resume, identity.component);
    }
    this.sessionId = restored ? (frame.resume as string) : randomUUID();
    this.version = frame.version as string | undefined;
    this.since = new Date().toISOString();
    this.state = 'ready';
    this.deps.requests.add(this);
    this.armExpiry(identity);
    const restoredSubs = restored ? await this.subs.restore(restored) : [];
    const resumed: { welcome?: Frame; activate(): void }[] = [];
    if (restored) {
      const ids = new Set(restoredSubs.map((s) => s.id));
      for (const [i, h] of this.hooks.entries()) {
        const parked = restored.features[i];
        const r = parked && h.resume ? await h.resume(parked, ids) : undefined;
        if (r) resumed.push(r);
      }
    }
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
      for (const r of resumed) Object.assign(welcome, r.welcome);
    }
    this.out.reply(id, welcome, true);
    for (const s of restoredSubs) s.activate();
    for (const r of resumed) r.activate();
    const events = this.deps.events;
    if (events && events.connections.length > 0) {
      events.emitConnection({
        event: 'open',
        component: this.component,
        session: this.sessionId,
        ...(this.version !== undefined ? { version: this.version } : {}),
      });
    }
  }

  /** Closes the connection with 4401 when the token of `identity` expires (a refresh arms it again). */
  private armExpiry(identity: Identity): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (identity.exp === undefined) return;
    const ms = identity.exp * 1000 - Date.now();
    this.expiryTimer = setTimeout(
      () => this.peer.close(CloseCodes.TOKEN_EXPIRED.code, CloseCodes.TOKEN_EXPIRED.reason),
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
    this.expiryTimer.unref?.();
  }

  /** Publishes; returns a promise only when the router has to wait (the store, a new channel, a dead letter). */
  private pub(frame: Frame, id: FrameId, text: string): Promise<void> | undefined {
    const started = performance.now();
    if (typeof frame.ch === 'string' && this.identity) {
      assertMayPublish(this.identity, frame.ch);
      const guards = this.deps.features.publishGuards;
      if (guards.length > 0) {
        const attempt: PublishAttempt = { component: this.component, ch: frame.ch, transport: 'ws', connection: this.view, remote: this.peer.remote };
        for (const guard of guards) guard(attempt);
      }
    }
    const raw = rawMembers(text, PAYLOAD_MEMBERS);
    const result = this.deps.router.publish({
      ch: frame.ch,
      type: frame.type,
      data: frame.data,
      msgId: frame.msg_id,
      meta: frame.meta,
      dataText: raw?.data,
      metaText: raw?.meta,
      source: this.component,
    });
    if (result instanceof Promise) return result.then((r) => this.published(id, r, started));
    this.published(id, result, started);
    return undefined;
  }

  private published(id: FrameId, result: PubResult, started: number): void {
    this.deps.metrics.publishSeconds.observe(WS_LABELS, (performance.now() - started) / 1e3);
    if (id !== undefined && this.state !== 'closed') this.peer.send(pubOk(id, result.seq, result.duplicate === true));
  }

  private async sub(frame: Frame, id: FrameId): Promise<Subscription | undefined> {
    const started = await this.subs.subscribe(frame, this.identity!);
    if (!started) return undefined;
    this.out.reply(id, { sub: started.sub.id, head: started.head });
    started.sub.activate();
    return started.sub;
  }

  private ackOrNack(op: 'ack' | 'nack', frame: Frame, id: FrameId): void {
    const sub = this.subs.find(frame.sub);
    const { seq, ch, delayMs } = checkAckFrame(op, frame);
    if (op === 'ack') sub.ack(seq, ch);
    else sub.nack(seq, delayMs, ch);
    this.out.reply(id, {});
  }

  private async unsub(frame: Frame, id: FrameId): Promise<void> {
    await this.subs.unsubscribe(frame.sub);
    this.out.reply(id, {});
  }

  private async req(frame: Frame, id: FrameId, text: string): Promise<void> {
    const { to, type, timeoutMs, meta } = checkRequestFrame(frame, id);
    assertMayRequest(this.identity!, to);
    if (this.pendingRequests >= this.deps.config.limits.maxPendingRequests) {
      this.deps.metrics.limitRefused('pending_requests');
      throw new SwitchboardError(
        'RATE_LIMITED',
        `this connection has ${this.pendingRequests} requests waiting, the limit; wait for replies or raise limits.max_pending_requests`,
      );
    }
    this.pendingRequests++;
    try {
      const dataText = frame.data === undefined ? undefined : rawMembers(text, PAYLOAD_MEMBERS)?.data;
      const r = await this.deps.requests.request(this.component, to, type, frame.data, timeoutMs, meta, dataText);
      if (r.dataText === undefined) this.out.reply(id, { data: r.data });
      else if (this.state !== 'closed') this.peer.send(replyOk(id!, r.dataText));
    } finally {
      this.pendingRequests--;
    }
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
    const events = this.deps.events;
    if (wasReady && events && events.connections.length > 0) {
      const e = {
        event: 'close' as const,
        component: this.component,
        session: this.sessionId,
        ...(this.version !== undefined ? { version: this.version } : {}),
      };
      events.emitConnection(code === undefined ? e : { ...e, code });
    }
    if (!wasReady || this.deps.closing()) {
      for (const h of this.hooks) h.close?.();
      if (!wasReady) return;
    }
    const features = this.deps.closing() ? [] : this.hooks.map((h) => h.park?.(isLostConnection(code)));
    this.deps.requests.remove(this);
    const { specs, nextSub, close } = this.subs.takeAll();
    if (specs.length || features.some((f) => f !== undefined)) this.deps.parked.park(this.sessionId, this.component, { subs: specs, nextSub, features });
    await close();
  }
}
