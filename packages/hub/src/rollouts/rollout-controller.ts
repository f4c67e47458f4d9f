import { randomBytes } from 'node:crypto';
import { SwitchboardError } from '@switchboard/protocol';
import type { FeatureHost } from '../features/feature.js';
import type { GroupOutcomeEvent, GroupRouteRequest } from '../features/group-routing.js';
import { HUB_SOURCE, SYS_ALERTS } from '../admin/sys-events.js';
import { isFinal, routes, weightOf, type RolloutEvent, type RolloutRecord } from './rollout-record.js';
import type { RolloutSpec } from './rollout-spec.js';
import { MAX_LISTED, RolloutStore, type NodeFigures } from './rollout-store.js';
import { bucketOf, onCanary, stickyKey } from './sticky-key.js';
import { figures, mergeSummaries, p95, SlidingWindow, type WindowSummary } from './rollout-window.js';

/** This node's figures of one rollout. */
interface LocalFigures {
  canary: SlidingWindow;
  stable: SlidingWindow;
  totals: NodeFigures['totals'];
  lag: { routed: number; acked: number };
}

/** The operator's verbs on a rollout. */
export type RolloutAction = 'promote' | 'pause' | 'resume' | 'abort';

/**
 * The rollouts of one hub node: routes each group message of a rollout's group to the canary or stable side,
 * collects the outcomes, and — on the node that holds the controller lease — judges the guardrails and moves the
 * rollout through its steps. Every node reads the rollouts from the store each tick, so all route by the same weights.
 */
export class RolloutController {
  readonly store: RolloutStore;
  private readonly cache = new Map<string, { record: RolloutRecord; revision: number }>();
  /** The rollout that routes each `(ch, group)`. */
  private readonly routing = new Map<string, RolloutRecord>();
  private readonly local = new Map<string, LocalFigures>();
  private controller = false;
  private controllerNode: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly host: FeatureHost,
    private readonly now: () => number,
    private readonly tickMs: number,
  ) {
    this.store = new RolloutStore(host.store);
  }

  /** Reads the rollouts and starts ticking. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    if (this.controller) await this.store.release(this.host.config.nodeId, this.now()).catch(() => undefined);
  }

  /** The node holding the controller lease, as last seen. */
  controllerName(): string | undefined {
    return this.controllerNode;
  }

  /** The group router: which members a message of a rolled-out group may go to. */
  route(req: GroupRouteRequest): ((m: { version?: string }) => boolean) | undefined {
    const r = this.routing.get(key(req.ch, req.group));
    if (!r) return undefined;
    const version = r.spec.version;
    const canary = onCanary(bucketOf(r.id, stickyKey(req.message, r.spec.keyField)), weightOf(r));
    if (canary && req.deliveries === 1 && req.again !== true && (r.state === 'running' || r.state === 'paused')) this.figuresOf(r).lag.routed++;
    return canary ? (m) => m.version === version : (m) => m.version !== version;
  }

  /** Counts an ended delivery of a rolled-out group on its side. */
  outcome(e: GroupOutcomeEvent): void {
    const r = this.routing.get(key(e.ch, e.group));
    if (!r || (r.state !== 'running' && r.state !== 'paused')) return;
    const f = this.figuresOf(r);
    const side = e.member.version === r.spec.version ? 'canary' : 'stable';
    const error = e.outcome !== 'acked';
    f[side].add(this.now(), error, e.latencyMs);
    f.totals[side].delivered++;
    if (error) f.totals[side].errors++;
    if (side === 'canary' && !error) f.lag.acked++;
  }

  /** Starts a rollout; CONFLICT when one already runs on the group. */
  async create(spec: RolloutSpec, by: string): Promise<RolloutRecord> {
    await this.refresh();
    const busy = this.routing.get(key(spec.channel, spec.group));
    if (busy && (busy.state === 'running' || busy.state === 'paused'))
      throw new SwitchboardError(
        'CONFLICT',
        `rollout ${busy.id} is ${busy.state} on group "${spec.group}" of "${spec.channel}"; promote or abort it before starting another`,
      );
    const live = [...this.cache.values()].filter((c) => !isFinal(c.record)).length;
    if (live >= MAX_LISTED) {
      this.host.metrics.limitRefused('live_rollouts');
      throw new SwitchboardError('RATE_LIMITED', `${live} rollouts are running or paused, the most a hub keeps; complete or abort some first`);
    }
    const at = this.now();
    const record: RolloutRecord = {
      id: randomBytes(6).toString('hex'),
      spec,
      state: 'running',
      step: 0,
      stepStartedAt: at,
      createdAt: at,
      updatedAt: at,
      createdBy: by,
      history: [{ at, event: 'started', step: 0, weight: spec.steps[0]!, by }],
    };
    await this.store.create(record, (id) => {
      const c = this.cache.get(id);
      return c !== undefined && isFinal(c.record);
    });
    await this.refresh();
    return record;
  }

  /** Every listed rollout, newest first. */
  async list(): Promise<RolloutRecord[]> {
    await this.refresh();
    return [...this.cache.values()].map((c) => c.record).sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(id: string): Promise<RolloutRecord> {
    const cur = await this.store.get(id);
    if (!cur) throw new SwitchboardError('NOT_FOUND', `no rollout "${id}"; switchboard rollout status lists them`);
    return cur.record;
  }

  /** Runs an operator's verb; CONFLICT when the rollout's state does not allow it. */
  async act(id: string, action: RolloutAction, by: string): Promise<RolloutRecord> {
    await this.get(id);
    const at = this.now();
    const next = await this.store.update(id, (r) => {
      const live = r.state === 'running' || r.state === 'paused';
      if (!live || (action === 'pause' && r.state !== 'running') || (action === 'resume' && r.state !== 'paused')) {
        const allowed = r.state === 'running' ? 'promote, pause or abort' : r.state === 'paused' ? 'resume, promote or abort' : 'nothing: start a new rollout';
        throw new SwitchboardError('CONFLICT', `rollout ${id} is ${r.state}, so it cannot ${action}; it allows ${allowed}`);
      }
      if (action === 'pause') return this.with(r, at, { state: 'paused', pausedAt: at }, 'paused', by);
      if (action === 'resume') {
        const { pausedAt, ...rest } = r;
        return this.with(rest, at, { state: 'running', stepStartedAt: r.stepStartedAt + (at - (pausedAt ?? at)) }, 'resumed', by);
      }
      if (action === 'abort') return this.with(r, at, { state: 'aborted', reason: `aborted by ${by}` }, 'aborted', by);
      return this.advance(r, at, by);
    });
    await this.refresh();
    return next!;
  }

  /** One tick: read the rollouts, share this node's figures, hold the lease, judge. */
  tick(): Promise<void> {
    this.ticking ??= this.runTick()
      .catch((err: unknown) => this.host.log.warn({ err }, 'rollouts: a tick failed; it runs again at the next one'))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    await this.refresh();
    const now = this.now();
    const node = this.host.config.nodeId;
    const live = [...this.routing.values()].filter((r) => r.state === 'running' || r.state === 'paused');
    if (live.length === 0) {
      // Nothing to control: no store write each tick (the lease lapses; the next rollout takes it again).
      this.controller = false;
      return;
    }
    this.controller = await this.store.lease(node, now, now + Math.max(5_000, this.tickMs * 3));
    this.controllerNode = this.controller ? node : (await this.store.holder())?.node;
    if (!this.controller) {
      for (const r of live) await this.store.putFigures(r.id, node, this.snapshot(r, now));
      return;
    }
    const others = (await this.host.cluster.nodes(250)).filter((n) => !n.self).map((n) => n.node);
    for (const r of live) {
      const parts = [this.snapshot(r, now)];
      for (const n of others) {
        const f = await this.store.figuresOf(r.id, n);
        if (f && f.at >= now - r.spec.windowMs) parts.push(f);
      }
      await this.judge(r.id, parts, now);
    }
  }

  /** Applies the guardrails and the hold to one rollout (the controller only). */
  private async judge(id: string, parts: NodeFigures[], now: number): Promise<void> {
    const canary = mergeSummaries(parts.map((p) => p.canary));
    const stable = mergeSummaries(parts.map((p) => p.stable));
    const totals = {
      canary: { delivered: sum(parts, (p) => p.totals.canary.delivered), errors: sum(parts, (p) => p.totals.canary.errors) },
      stable: { delivered: sum(parts, (p) => p.totals.stable.delivered), errors: sum(parts, (p) => p.totals.stable.errors) },
    };
    const routed = sum(parts, (p) => p.lag?.routed ?? 0);
    const lag = Math.max(0, routed - sum(parts, (p) => p.lag?.acked ?? 0));
    let breach: string | undefined;
    const next = await this.store.update(id, (r) => {
      if (r.state !== 'running' && r.state !== 'paused') return undefined;
      const base: RolloutRecord = { ...r, canary: figures(canary), stable: figures(stable), totals, canaryLag: lag, updatedAt: now };
      breach = this.breach(r.spec, canary, routed, lag);
      if (breach !== undefined) return this.with(base, now, { state: 'rolled_back', reason: breach }, 'rolled_back', 'controller', breach);
      if (r.state === 'running' && now - base.stepStartedAt >= r.spec.holdMs) return this.advance(base, now, 'controller');
      return base;
    });
    const before = this.cache.get(id)?.record;
    if (next && (next.state !== before?.state || next.step !== before.step)) await this.refresh();
    if (next?.state === 'rolled_back' && breach !== undefined) {
      this.alert(next, breach);
      this.host.audit({
        action: 'rollout.rolled_back',
        outcome: 'ok',
        component: 'controller',
        target: `${next.spec.channel} ${next.spec.group}`,
        reason: breach,
        details: { rollout: id, step: next.step + 1 },
      });
    }
  }

  /** The guardrail a canary window breaks, said with its figures; undefined when none (or too few samples). */
  private breach(spec: RolloutSpec, c: WindowSummary, routed: number, lag: number): string | undefined {
    const win = `${spec.windowMs / 1000}s`;
    if (c.delivered >= spec.minSamples && c.errors / c.delivered > spec.maxErrorRate) {
      const pct = ((c.errors / c.delivered) * 100).toFixed(1);
      return `canary error rate ${pct} % (${c.errors} of ${c.delivered} deliveries nacked or unacknowledged over the last ${win}) is above max_error_rate ${spec.maxErrorRate * 100} %`;
    }
    const p = p95(c.latencies);
    if (p !== null && c.latencies.length >= spec.minSamples && p > spec.maxLatencyP95Ms)
      return `canary latency p95 ${p} ms (delivery to ack over the last ${win}, ${c.latencies.length} samples) is above max_latency_p95 ${spec.maxLatencyP95Ms} ms`;
    if (spec.maxLag !== undefined && routed >= spec.minSamples && lag > spec.maxLag)
      return `canary lag ${lag} messages (routed to the canary and not acknowledged yet, of ${routed}) is above max_lag ${spec.maxLag}`;
    return undefined;
  }

  private advance(r: RolloutRecord, at: number, by: string): RolloutRecord {
    const { pausedAt: _paused, ...rest } = r;
    if (r.step + 1 >= r.spec.steps.length) return this.with(rest, at, { state: 'completed' }, 'completed', by);
    return this.with(rest, at, { state: 'running', step: r.step + 1, stepStartedAt: at }, 'step', by);
  }

  private with(r: RolloutRecord, at: number, change: Partial<RolloutRecord>, event: RolloutEvent['event'], by: string, reason?: string): RolloutRecord {
    const next: RolloutRecord = { ...r, ...change, updatedAt: at };
    const e: RolloutEvent = { at, event, step: next.step, weight: weightOf(next), by, ...(reason !== undefined ? { reason } : {}) };
    next.history = [...r.history, e].slice(-100);
    return next;
  }

  /** Reads the rollouts from the store; takes back what the canary holds here when one was rolled back or aborted. */
  private async refresh(): Promise<void> {
    const ids = await this.store.ids();
    const listed = new Set(ids);
    for (const id of this.cache.keys()) if (!listed.has(id)) this.cache.delete(id);
    for (const id of ids) {
      const c = this.cache.get(id);
      if (c && isFinal(c.record)) continue;
      const cur = await this.store.get(id);
      if (cur) this.cache.set(id, cur);
    }
    const before = new Map(this.routing);
    this.routing.clear();
    const newest = [...this.cache.values()].map((c) => c.record).sort((a, b) => a.createdAt - b.createdAt);
    for (const r of newest) {
      const k = key(r.spec.channel, r.spec.group);
      if (routes(r)) this.routing.set(k, r);
      else this.routing.delete(k);
    }
    for (const [k, r] of this.routing) {
      const prev = before.get(k);
      if (weightOf(r) === 0 && (!prev || prev.id !== r.id || weightOf(prev) > 0)) {
        const version = r.spec.version;
        void this.host.groups.reclaim(r.spec.channel, r.spec.group, (m) => m.version === version).catch(() => undefined);
      }
    }
    for (const id of this.local.keys()) {
      const r = this.cache.get(id)?.record;
      if (!r || isFinal(r)) this.local.delete(id);
    }
  }

  private figuresOf(r: RolloutRecord): LocalFigures {
    let f = this.local.get(r.id);
    if (!f) {
      f = {
        canary: new SlidingWindow(r.spec.windowMs),
        stable: new SlidingWindow(r.spec.windowMs),
        totals: { canary: { delivered: 0, errors: 0 }, stable: { delivered: 0, errors: 0 } },
        lag: { routed: 0, acked: 0 },
      };
      this.local.set(r.id, f);
    }
    return f;
  }

  private snapshot(r: RolloutRecord, now: number): NodeFigures {
    const f = this.figuresOf(r);
    return { at: now, canary: f.canary.summary(now), stable: f.stable.summary(now), totals: structuredClone(f.totals), lag: { ...f.lag } };
  }

  /** `$sys.alerts`: the rollout was rolled back, why, and its figures. */
  private alert(r: RolloutRecord, reason: string): void {
    const data = {
      alert: 'rollout_rolled_back',
      state: 'firing',
      rollout: r.id,
      ch: r.spec.channel,
      group: r.spec.group,
      version: r.spec.version,
      step: r.step + 1,
      reason,
      canary: r.canary,
      stable: r.stable,
      message: `rollout ${r.id} of version ${r.spec.version} on group "${r.spec.group}" was rolled back: ${reason}`,
      node: this.host.config.nodeId,
      at: new Date(this.now()).toISOString(),
    };
    try {
      const p = this.host.router.publish({ ch: SYS_ALERTS, type: 'alert', data, source: HUB_SOURCE, system: true });
      if (p instanceof Promise) p.catch((err: unknown) => this.host.log.debug({ err }, 'rollouts: an alert was not published'));
    } catch (err) {
      this.host.log.debug({ err }, 'rollouts: an alert was not published');
    }
    this.host.log.warn({ rollout: r.id, ch: r.spec.channel, group: r.spec.group }, `rollouts: ${data.message}`);
  }
}

function key(ch: string, group: string): string {
  return ch + '\u0000' + group;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
}
