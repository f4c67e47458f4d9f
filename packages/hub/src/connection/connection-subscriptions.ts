import { isPattern, SwitchboardError, type RawFrame } from '@switchboard/protocol';
import { assertMaySubscribe, type Identity } from '../auth/authenticator.js';
import { configDeclares, type HubConfig } from '../config/config.js';
import type { SubscriberInfo } from '../delivery/subscriber-info.js';
import { Subscription, type SubscriptionDeps, type SubscriptionOwner, type SubscriptionSpec } from '../delivery/subscription.js';
import type { HubMetrics } from '../metrics/metrics.js';
import type { Peer } from './peer.js';
import { checkSubscribeFrame } from './subscribe-frame.js';

/** What the subscriptions of a connection need from the hub. */
export interface ConnectionSubscriptionsDeps {
  config: HubConfig;
  metrics: HubMetrics;
  subscriptions: SubscriptionDeps;
  log: { warn(obj: unknown, msg?: string): void };
}

/** The `sub`s of one connection: started, found by id, ended, taken away for parking and restored on `resume`. */
export class ConnectionSubscriptions {
  private readonly subs = new Map<string, Subscription>();
  private nextSub = 1;

  constructor(
    private readonly peer: Peer,
    private readonly deps: ConnectionSubscriptionsDeps,
    /** Whose subscriptions they are (valid from `welcome` on). */
    private readonly owner: () => SubscriptionOwner,
  ) {}

  /** The live subscriptions, for listings. */
  list(): SubscriberInfo[] {
    const { component, session } = this.owner();
    return [...this.subs.values()].map((s) => ({
      component,
      session,
      pattern: s.spec.pattern,
      ack: s.spec.ack,
      ...(s.spec.group !== undefined ? { group: s.spec.group } : {}),
    }));
  }

  /**
   * Checks a `sub` frame against the limits, the token and `strict_channels`, and starts it; resolves with it and
   * the channel's head, or undefined when the subscription was closed meanwhile. Call `activate()` after the reply.
   */
  async subscribe(frame: RawFrame, identity: Identity): Promise<{ sub: Subscription; head: number } | undefined> {
    const spec = checkSubscribeFrame(frame, 's' + this.nextSub++, this.subs.size, this.deps.config.limits, this.deps.metrics.limitRefused);
    assertMaySubscribe(identity, spec.pattern);
    const { config, subscriptions } = this.deps;
    if (
      config.strictChannels &&
      !isPattern(spec.pattern) &&
      !spec.pattern.startsWith('$') &&
      !subscriptions.channels.contract(spec.pattern) &&
      !configDeclares(config, spec.pattern)
    ) {
      throw new SwitchboardError(
        'UNKNOWN_CHANNEL',
        `channel "${spec.pattern}" is not declared by any contract or config entry, and this hub runs with strict_channels; check the name, or declare it`,
      );
    }
    const sub = new Subscription(spec, this.peer, subscriptions, this.owner());
    this.subs.set(sub.id, sub);
    let head: number;
    try {
      head = await sub.start();
    } catch (err) {
      this.subs.delete(sub.id);
      await sub.close();
      throw err;
    }
    if (sub.closed) return undefined;
    this.deps.metrics.subscriptions.inc();
    return { sub, head };
  }

  /** The subscription `subId` names; throws BAD_FRAME or NOT_FOUND saying which id to use. */
  find(subId: unknown): Subscription {
    if (typeof subId !== 'string') throw new SwitchboardError('BAD_FRAME', '"sub" must be the subscription id from the sub reply, e.g. "s1"');
    const sub = this.subs.get(subId);
    if (!sub) throw new SwitchboardError('NOT_FOUND', `no subscription "${subId}" on this connection; use the "sub" id returned by the sub reply`);
    return sub;
  }

  /** Ends the subscription `subId` names (`unsub`). */
  async unsubscribe(subId: unknown): Promise<void> {
    const sub = this.find(subId);
    this.subs.delete(sub.id);
    await sub.close();
    this.deps.metrics.subscriptions.dec();
  }

  /**
   * Starts again the subscriptions of a parked session (`resume`), each after its positions; one that cannot start
   * is logged and left out. Resolves with those restored; call `activate()` on each after the `welcome`.
   */
  async restore(parked: { subs: SubscriptionSpec[]; nextSub: number }): Promise<Subscription[]> {
    this.nextSub = parked.nextSub;
    const restored: Subscription[] = [];
    for (const spec of parked.subs) {
      const sub = new Subscription(spec, this.peer, this.deps.subscriptions, this.owner());
      try {
        await sub.start();
        this.subs.set(sub.id, sub);
        restored.push(sub);
      } catch (err) {
        await sub.close();
        this.deps.log.warn({ err, sub: spec.id, ch: spec.pattern, ...this.owner() }, `could not restore subscription ${spec.id} to ${spec.pattern}`);
      }
    }
    this.deps.metrics.subscriptions.inc(restored.length);
    return restored;
  }

  /**
   * Takes every subscription away, at once: what a parked session keeps of them (each spec with its positions, and
   * the next id), and `close`, which stops them (call it once the session is parked).
   */
  takeAll(): { specs: SubscriptionSpec[]; nextSub: number; close(): Promise<void> } {
    const subs = [...this.subs.values()];
    const specs = subs.map((sub) => ({ ...sub.spec, positions: sub.positions() }));
    this.subs.clear();
    this.deps.metrics.subscriptions.dec(subs.length);
    return { specs, nextSub: this.nextSub, close: async () => void (await Promise.all(subs.map((s) => s.close()))) };
  }
}
