import { SwitchboardError, type MsgFrame, type WelcomeFrame } from '@switchboard/protocol';
import { errorFromFrame } from './errors.js';
import type { Link } from './link.js';
import { SubscriptionImpl, type SubscriptionHost, type SubscriptionInternals } from './subscription.js';
import type { SubscribeOptions, Subscription } from './types.js';

/** Messages for a hub subscription id not known yet (its `ok` still on the way), kept at most. */
const STASH_MAX = 10_000;

/** Settings of a {@link Subscriptions} table. */
export interface SubscriptionsOptions {
  /** Time the hub has to accept a `sub` or an `unsub`. */
  requestTimeoutMs: number;
  /** Buffer bound of a subscription that names none. */
  defaultBound(): number;
  emitError(err: Error): void;
}

interface FirstReply {
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The client's subscriptions across sockets: routes `msg` frames by hub id, subscribes everything again
 * after a reconnect, and keeps hub ids that are no longer wanted from delivering.
 */
export class Subscriptions {
  private readonly subs = new Set<SubscriptionImpl<unknown>>();
  private readonly byHubId = new Map<string, SubscriptionImpl<unknown>>();
  private readonly firstReplies = new Map<SubscriptionImpl<unknown>, FirstReply>();
  /** Hub ids given up on (unsubscribed, paused, timed out): their late `msg` frames are ignored. */
  private readonly retired = new Set<string>();
  private stash: MsgFrame[] = [];
  private readonly host: SubscriptionHost;

  constructor(
    private readonly link: Link,
    private readonly options: SubscriptionsOptions,
  ) {
    this.host = {
      send: (frame) => this.link.send(frame),
      emitError: (err) => this.options.emitError(err),
      defaultBound: () => this.options.defaultBound(),
      pause: (_sub, hubId) => {
        this.byHubId.delete(hubId);
        this.retired.add(hubId);
        this.link.send({ op: 'unsub', sub: hubId });
      },
      resume: (sub) => {
        if (this.link.up && this.subs.has(sub)) this.sendSub(sub);
      },
      forget: (sub) => this.forget(sub),
      unsubscribe: (hubId) => this.unsubscribe(hubId),
    };
  }

  subscribe<D>(ch: string, options: SubscribeOptions<D>, internals?: SubscriptionInternals): Promise<Subscription<D>> {
    const sub = new SubscriptionImpl<D>(ch, options, this.host, internals);
    const any = sub as unknown as SubscriptionImpl<unknown>;
    this.subs.add(any);
    return new Promise<Subscription<D>>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.firstReplies.delete(any)) return;
        this.subs.delete(any);
        sub.end();
        reject(new SwitchboardError('TIMEOUT', `the hub did not accept the subscription to "${ch}" within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      this.firstReplies.set(any, { resolve: () => resolve(sub), reject, timer });
      if (this.link.up) this.sendSub(any);
    });
  }

  private forget(sub: SubscriptionImpl<unknown>): void {
    this.subs.delete(sub);
    const first = this.firstReplies.get(sub);
    if (first) {
      this.firstReplies.delete(sub);
      clearTimeout(first.timer);
      first.reject(new SwitchboardError('NOT_FOUND', `the subscription to "${sub.ch}" was cancelled before the hub accepted it`));
    }
    const hubId = sub.attachedId;
    if (hubId !== undefined) {
      this.byHubId.delete(hubId);
      this.retired.add(hubId);
    }
  }

  private unsubscribe(hubId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.link.up) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.link.cancel(id);
        reject(new SwitchboardError('TIMEOUT', `the hub did not confirm unsub of ${hubId} within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      const id = this.link.call(
        { op: 'unsub', sub: hubId },
        {
          ok: () => {
            clearTimeout(timer);
            resolve();
          },
          err: (f) => {
            clearTimeout(timer);
            if (f.code === 'NOT_FOUND') resolve();
            else reject(errorFromFrame(f));
          },
          drop: () => {
            clearTimeout(timer);
            resolve();
          },
        },
      );
    });
  }

  private sendSub(sub: SubscriptionImpl<unknown>): void {
    this.link.call(sub.subFrame(), {
      ok: (f) => {
        const hubId = String(f.sub);
        if (!this.subs.has(sub) || sub.isEnded) {
          // Given up on (timed out or unsubscribed) before the hub answered.
          this.retired.add(hubId);
          this.link.send({ op: 'unsub', sub: hubId });
          return;
        }
        sub.attach(hubId, f.head);
        this.byHubId.set(hubId, sub);
        const first = this.firstReplies.get(sub);
        if (first) {
          this.firstReplies.delete(sub);
          clearTimeout(first.timer);
          first.resolve();
        }
        this.replayStash(hubId, sub);
      },
      err: (f) => {
        const err = errorFromFrame(f);
        this.subs.delete(sub);
        const first = this.firstReplies.get(sub);
        if (first) {
          this.firstReplies.delete(sub);
          clearTimeout(first.timer);
          sub.end();
          first.reject(err);
        } else {
          const e = new SwitchboardError(err.code, `resubscribing to "${sub.ch}" after a reconnect failed: ${err.message}`, err.details);
          sub.end(e);
          this.options.emitError(e);
        }
      },
      drop: () => {
        /* subscribed again by restore() on the next welcome */
      },
    });
  }

  /** A `msg` frame: to its subscription, or kept briefly when its `sub` reply has not been read yet. */
  route(f: MsgFrame): void {
    const sub = this.byHubId.get(f.sub);
    if (sub) {
      sub.deliver(f);
      return;
    }
    if (this.retired.has(f.sub)) return;
    this.stash.push(f);
    if (this.stash.length > STASH_MAX) this.stash.shift();
  }

  private replayStash(hubId: string, sub: SubscriptionImpl<unknown>): void {
    if (this.stash.length === 0) return;
    const mine = this.stash.filter((f) => f.sub === hubId);
    if (mine.length === 0) return;
    this.stash = this.stash.filter((f) => f.sub !== hubId);
    for (const f of mine) sub.deliver(f);
  }

  /**
   * A welcome arrived: every subscription again. A hub that resumed the session (`resumed: true`, extension
   * field `subs`) already restored those it lists, under their old ids, from its own record of
   * acknowledgements: manual and group ones are taken back as they are. Restored ones not taken back are
   * unsubscribed first; then the others are sent as a new `sub` from their resume point.
   */
  restore(welcome: WelcomeFrame): void {
    this.retired.clear();
    this.stash = [];
    const restored = new Map<string, string>();
    const listed = (welcome as { subs?: unknown }).subs;
    if (welcome.resumed === true && Array.isArray(listed)) {
      for (const r of listed as { sub?: unknown; ch?: unknown }[]) {
        if (typeof r?.sub === 'string' && typeof r.ch === 'string') restored.set(r.sub, r.ch);
      }
    }
    const again: SubscriptionImpl<unknown>[] = [];
    for (const sub of this.subs) {
      if (sub.isEnded) continue;
      const former = sub.formerId;
      // An auto-ack subscription restored by the hub continues after the last message the hub *sent*, and
      // messages lost with the old socket would be a gap: those subscribe again from what the application got.
      const trustHub = sub.ackMode === 'manual' || sub.group !== undefined || sub.internals.trustHub === true;
      if (former !== undefined && restored.get(former) === sub.ch && trustHub) {
        restored.delete(former);
        sub.attach(former, undefined);
        this.byHubId.set(former, sub);
      } else {
        again.push(sub);
      }
    }
    for (const hubId of restored.keys()) {
      this.retired.add(hubId);
      this.link.send({ op: 'unsub', sub: hubId });
    }
    for (const sub of again) this.sendSub(sub);
  }

  /** The socket dropped. */
  detachAll(): void {
    for (const sub of this.subs) sub.detach();
    this.byHubId.clear();
    this.retired.clear();
    this.stash = [];
  }

  /** The client closed: pending subscribes reject with `err`; iterations end (throwing `err` unless `quiet`). */
  endAll(err: Error, quiet: boolean): void {
    for (const [sub, first] of this.firstReplies) {
      clearTimeout(first.timer);
      first.reject(err);
      sub.end();
    }
    this.firstReplies.clear();
    for (const sub of this.subs) sub.end(quiet ? undefined : err);
    this.subs.clear();
    this.byHubId.clear();
    this.stash = [];
  }
}
