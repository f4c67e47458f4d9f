import { DLQ_PREFIX, SYS_PREFIX } from '@switchboard/protocol';
import type { FeatureHost, HubFeature } from '../features/feature.js';
import type { DeliveredEvent, PublishedEvent, RefusedEvent } from '../features/hub-events.js';
import type { Store } from '../store/store.js';
import type { HubInspector } from '../features/hub-inspector.js';
import { LabelBudget, OTHER } from './channel-labels.js';
import type { CounterSeries } from './labelled-counter.js';
import type { DurationSeries } from './duration-histogram.js';
import type { GaugeSample } from './scrape-gauge.js';
import type { HubMetrics } from './metrics.js';
import { ReceiveTimes } from './receive-times.js';

/** Channels whose series (and number for {@link ReceiveTimes}) are remembered; past it they are looked up each time. */
const MAX_TRACKED_CHANNELS = 10_000;

/** What the feature keeps per channel name: the series it bumps, found with one map lookup per message. */
interface ChannelSeries {
  /** Number of the channel in {@link ReceiveTimes}; 0 = not timed. */
  id: number;
  published: CounterSeries;
  delivered: CounterSeries;
  latency: DurationSeries;
}

/**
 * The per-channel and per-group metrics (docs/reference/metrics.md), fed through the feature seam: published,
 * delivered and latency from the hub's events, violations from its refusals, and lag, pending and DLQ depth worked
 * out at scrape time from `inspect` and the store. Channel and group label values are bounded by
 * `metrics.channel_labels` and `metrics.max_channel_labels`: the rest are `other`.
 */
export function metricsFeature(): HubFeature {
  return {
    name: 'metrics',
    register(host) {
      const feed = new MetricsFeed(host);
      // The hub's own `$sys.*` events are not traffic between components: they get no series (and take no label).
      host.onPublished((e) => {
        if (!e.ch.startsWith(SYS_PREFIX)) feed.published(e);
      });
      host.onDelivered((e) => {
        if (!e.ch.startsWith(SYS_PREFIX)) feed.delivered(e);
      });
      host.onRefused((e) => feed.refused(e));
      const m = host.metrics;
      m.consumerLag.readFrom(() => feed.groupSamples('lag'));
      m.consumerPending.readFrom(() => feed.groupSamples('pending'));
      m.dlqDepth.readFrom(() => dlqSamples(host.store, feed.channels));
      host.onClose(() => {
        for (const g of [m.consumerLag, m.consumerPending, m.dlqDepth]) g.readFrom(undefined);
      });
    },
  };
}

class MetricsFeed {
  readonly channels: LabelBudget;
  private readonly groups: LabelBudget;
  private readonly byChannel = new Map<string, ChannelSeries>();
  private readonly times = new ReceiveTimes();
  private readonly metrics: HubMetrics;
  private readonly inspect: HubInspector;

  constructor(private readonly host: FeatureHost) {
    const { channelLabels, maxChannelLabels } = host.config.metrics;
    this.channels = new LabelBudget({ patterns: channelLabels, max: maxChannelLabels });
    this.groups = new LabelBudget({ max: maxChannelLabels });
    this.metrics = host.metrics;
    this.inspect = host.inspect;
  }

  private series(ch: string): ChannelSeries {
    const known = this.byChannel.get(ch);
    if (known) return known;
    const label = this.channels.label(ch);
    const tracked = this.byChannel.size < MAX_TRACKED_CHANNELS;
    const s: ChannelSeries = {
      id: tracked ? this.byChannel.size + 1 : 0,
      published: this.metrics.published.series(label),
      delivered: this.metrics.delivered.series(label),
      latency: this.metrics.deliveryLatency.series(label),
    };
    if (tracked) this.byChannel.set(ch, s);
    return s;
  }

  published(e: PublishedEvent): void {
    const s = this.series(e.ch);
    s.published.inc();
    if (s.id > 0 && e.receivedAt > 0) this.times.record(s.id, e.seq, e.receivedAt);
  }

  delivered(e: DeliveredEvent): void {
    const s = this.series(e.ch);
    s.delivered.inc();
    if (e.deliveries !== 1 || s.id === 0) return;
    const at = this.times.find(s.id, e.seq);
    if (at >= 0) s.latency.observe((performance.now() - at) / 1000);
  }

  refused(e: RefusedEvent): void {
    if (e.code !== 'CONTRACT_VIOLATION' || e.ch === undefined) return;
    const declared = e.type !== undefined && this.host.contracts().channel(e.ch)?.messageTypes.includes(e.type);
    this.metrics.violations.series(this.channels.label(e.ch), declared ? e.type! : OTHER).inc();
  }

  /** Lag (head − ack floor) or pending of each durable group with members here; groups folded into `other` add up (lag: the largest). */
  groupSamples(what: 'lag' | 'pending'): GaugeSample[] {
    const heads = new Map<string, number>();
    for (const c of this.inspect.channels()) if (c.durable) heads.set(c.ch, c.head);
    const out = new Map<string, { labels: string[]; value: number }>();
    for (const g of this.inspect.groups()) {
      const head = heads.get(g.ch);
      if (head === undefined) continue;
      const labels = [this.channels.label(g.ch), this.groups.label(g.group)];
      const value = what === 'lag' ? Math.max(0, head - g.ackFloor) : g.pending;
      const key = labels.join('\u0000');
      const prev = out.get(key);
      if (!prev) out.set(key, { labels, value });
      else prev.value = what === 'lag' ? Math.max(prev.value, value) : prev.value + value;
    }
    return [...out.values()];
  }
}

/** Entries in each `$dlq.<ch>` log of the store, labelled by the original channel (`other` ones add up). */
async function dlqSamples(store: Store, channels: LabelBudget): Promise<GaugeSample[]> {
  const out = new Map<string, number>();
  for (const name of await store.channels()) {
    if (!name.startsWith(DLQ_PREFIX)) continue;
    const { count } = await store.info(name);
    const label = channels.label(name.slice(DLQ_PREFIX.length));
    out.set(label, (out.get(label) ?? 0) + count);
  }
  return [...out].map(([label, value]) => ({ labels: [label], value }));
}
