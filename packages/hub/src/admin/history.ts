import { SYS_PREFIX } from '@switchboard/protocol';
import type { HubInspector } from '../features/hub-inspector.js';
import { ReceiveTimes } from '../metrics/receive-times.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { Traffic } from './traffic.js';

/** Options of {@link History}. */
export interface HistoryOptions {
  /** Length of one sample in ms, a whole number of seconds (default 10 s). */
  intervalMs?: number;
  /** Samples kept per channel (default 360: an hour of 10 s samples). */
  slots?: number;
  /** Channels with a history at most; past it a new channel gets none until an old one has been idle for `slots` samples. */
  maxChannels: number;
  /** Consumer groups with a history per channel, at most (default 16). */
  maxGroups?: number;
}

/** One channel's history as `GET /v1/admin/history?ch=` answers it: one column per series, oldest sample first. */
export interface ChannelHistory {
  ch: string;
  interval_s: number;
  slots: number;
  /** Start of each sample, epoch seconds. */
  t: number[];
  /** Accepted publishes, `msg` frames written (redeliveries included) and refused publishes in each sample. */
  published: number[];
  delivered: number[];
  refused: number[];
  /** Delivery latency (accepted → first `msg` frame written) in ms; `null` in a sample without a timed delivery. */
  latency_ms: { p50: (number | null)[]; p99: (number | null)[] };
  /** Each consumer group's lag (head − ack floor) and pending at the end of each sample; `null` where not known. */
  groups: { group: string; lag: (number | null)[]; pending: (number | null)[] }[];
}

interface GroupRing {
  stamps: Float64Array;
  lag: Float64Array;
  pending: Float64Array;
}

/** One channel's samples in a ring: slot = sample number mod slots; `stamps` says which sample a slot holds. */
class ChannelRing {
  readonly stamps: Float64Array;
  readonly published: Float64Array;
  readonly delivered: Float64Array;
  readonly refused: Float64Array;
  readonly p50: Float64Array;
  readonly p99: Float64Array;
  readonly groups = new Map<string, GroupRing>();
  /** The first sample this ring holds, and the last one that had any traffic or group. */
  lastActive: number;

  constructor(
    readonly slots: number,
    readonly first: number,
  ) {
    this.stamps = new Float64Array(slots).fill(-1);
    this.published = new Float64Array(slots);
    this.delivered = new Float64Array(slots);
    this.refused = new Float64Array(slots);
    this.p50 = new Float64Array(slots).fill(NaN);
    this.p99 = new Float64Array(slots).fill(NaN);
    this.lastActive = first;
  }
}

/** Per channel: its number in {@link ReceiveTimes} and the latencies of the sample under way. */
interface LatencyEntry {
  id: number;
  hist: LatencyHistogram;
}

/**
 * The last hour of each channel on this node, for the dashboard's charts without Prometheus: per sample (10 s by
 * default, 360 kept) the publishes, deliveries and refusals (summed from {@link Traffic}'s one-second slots, so
 * counting costs nothing more per message), the delivery latency p50/p99 and each consumer group's lag and pending.
 * Samples close on {@link History.tick} (a timer of the admin feature, and every read) by the injected clock; the
 * latencies and group states seen since the last tick go to the newest sample it closes.
 * Memory is bounded: `maxChannels` rings of fixed size, `maxGroups` per channel.
 */
export class History {
  readonly intervalMs: number;
  readonly slots: number;
  private readonly maxChannels: number;
  private readonly maxGroups: number;
  private readonly rings = new Map<string, ChannelRing>();
  private readonly latency = new Map<string, LatencyEntry>();
  private readonly times = new ReceiveTimes();
  /** The last sample closed (sample n covers [n·interval, (n+1)·interval) ms). */
  private closed: number;

  constructor(
    private readonly traffic: Traffic,
    private readonly inspect: HubInspector,
    private readonly now: () => number,
    options: HistoryOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    if (this.intervalMs % 1000 !== 0 || this.intervalMs <= 0) throw new Error('History: intervalMs must be a whole number of seconds');
    this.slots = options.slots ?? 360;
    this.maxChannels = options.maxChannels;
    this.maxGroups = options.maxGroups ?? 16;
    this.closed = Math.floor(now() / this.intervalMs) - 1;
  }

  /** A publish accepted at `at` (`performance.now()`): remembered so that its first delivery can be timed. */
  published(ch: string, seq: number, at: number): void {
    if (at <= 0 || ch.startsWith(SYS_PREFIX)) return;
    const e = this.entry(ch);
    if (e) this.times.record(e.id, seq, at);
  }

  /** A `msg` frame written at `at` (`performance.now()`): a first delivery of a timed publish adds its latency. */
  delivered(ch: string, seq: number, deliveries: number, at: number): void {
    if (deliveries !== 1) return;
    const e = this.latency.get(ch);
    if (!e) return;
    const t = this.times.find(e.id, seq);
    if (t >= 0) e.hist.observe(at - t);
  }

  private entry(ch: string): LatencyEntry | undefined {
    let e = this.latency.get(ch);
    if (!e) {
      if (this.latency.size >= this.maxChannels) return undefined;
      e = { id: this.latency.size + 1, hist: new LatencyHistogram() };
      this.latency.set(ch, e);
    }
    return e;
  }

  /** Closes every sample that ended by now (at most the last `slots`). */
  tick(): void {
    const current = Math.floor(this.now() / this.intervalMs);
    const last = current - 1;
    if (last <= this.closed) return;
    const from = Math.max(this.closed + 1, last - this.slots + 1);
    for (let n = from; n <= last; n++) this.close(n, n === last);
    this.closed = last;
  }

  private close(n: number, withGroups: boolean): void {
    const fromSecond = (n * this.intervalMs) / 1000;
    const toSecond = fromSecond + this.intervalMs / 1000 - 1;
    const t = this.traffic;
    const groups = withGroups ? this.groupsNow() : new Map<string, { group: string; lag: number; pending: number }[]>();
    const names = new Set<string>([...t.published.keys(), ...t.delivered.keys(), ...t.refused.keys(), ...groups.keys(), ...this.rings.keys()]);
    for (const ch of names) {
      if (ch.startsWith(SYS_PREFIX)) continue;
      const published = t.published.window(ch)?.sum(fromSecond, toSecond) ?? 0;
      const delivered = t.delivered.window(ch)?.sum(fromSecond, toSecond) ?? 0;
      const refused = t.refused.window(ch)?.sum(fromSecond, toSecond) ?? 0;
      const hist = withGroups ? this.latency.get(ch)?.hist : undefined;
      const chGroups = groups.get(ch);
      const active = published + delivered + refused > 0 || chGroups !== undefined;
      let ring = this.rings.get(ch);
      if (!ring) {
        if (!active || this.rings.size >= this.maxChannels) continue;
        ring = new ChannelRing(this.slots, n);
        this.rings.set(ch, ring);
      } else if (!active && ring.lastActive <= n - this.slots) {
        this.rings.delete(ch);
        continue;
      }
      if (active) ring.lastActive = n;
      const slot = n % this.slots;
      ring.stamps[slot] = n;
      ring.published[slot] = published;
      ring.delivered[slot] = delivered;
      ring.refused[slot] = refused;
      ring.p50[slot] = hist?.quantile(0.5) ?? NaN;
      ring.p99[slot] = hist?.quantile(0.99) ?? NaN;
      for (const g of chGroups ?? []) {
        let gr = ring.groups.get(g.group);
        if (!gr) {
          if (ring.groups.size >= this.maxGroups) continue;
          gr = { stamps: new Float64Array(this.slots).fill(-1), lag: new Float64Array(this.slots), pending: new Float64Array(this.slots) };
          ring.groups.set(g.group, gr);
        }
        gr.stamps[slot] = n;
        gr.lag[slot] = g.lag;
        gr.pending[slot] = g.pending;
      }
    }
    if (withGroups) for (const e of this.latency.values()) e.hist.reset();
  }

  /** Lag and pending of each consumer group with members on this node, by channel. */
  private groupsNow(): Map<string, { group: string; lag: number; pending: number }[]> {
    const heads = new Map<string, number>();
    for (const c of this.inspect.channels()) heads.set(c.ch, c.durable ? c.head : 0);
    const out = new Map<string, { group: string; lag: number; pending: number }[]>();
    for (const g of this.inspect.groups()) {
      const head = heads.get(g.ch) ?? 0;
      const list = out.get(g.ch) ?? [];
      list.push({ group: g.group, lag: head > 0 ? Math.max(0, head - g.ackFloor) : 0, pending: g.pending });
      out.set(g.ch, list);
    }
    return out;
  }

  /** The channels with a history now, by name. */
  channels(): string[] {
    this.tick();
    return [...this.rings.keys()].sort();
  }

  /** The history of `ch` (oldest sample first, up to the last closed one), or undefined when it has none. */
  read(ch: string): ChannelHistory | undefined {
    this.tick();
    const ring = this.rings.get(ch);
    if (!ring) return undefined;
    const out: ChannelHistory = {
      ch,
      interval_s: this.intervalMs / 1000,
      slots: this.slots,
      t: [],
      published: [],
      delivered: [],
      refused: [],
      latency_ms: { p50: [], p99: [] },
      groups: [...ring.groups.keys()].map((group) => ({ group, lag: [], pending: [] })),
    };
    const groupRings = [...ring.groups.values()];
    for (let n = Math.max(ring.first, this.closed - this.slots + 1); n <= this.closed; n++) {
      const slot = n % this.slots;
      const here = ring.stamps[slot] === n;
      out.t.push((n * this.intervalMs) / 1000);
      out.published.push(here ? ring.published[slot]! : 0);
      out.delivered.push(here ? ring.delivered[slot]! : 0);
      out.refused.push(here ? ring.refused[slot]! : 0);
      out.latency_ms.p50.push(here ? nullable(ring.p50[slot]!) : null);
      out.latency_ms.p99.push(here ? nullable(ring.p99[slot]!) : null);
      groupRings.forEach((gr, i) => {
        const g = out.groups[i]!;
        const known = gr.stamps[slot] === n;
        g.lag.push(known ? gr.lag[slot]! : null);
        g.pending.push(known ? gr.pending[slot]! : null);
      });
    }
    return out;
  }
}

function nullable(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}
