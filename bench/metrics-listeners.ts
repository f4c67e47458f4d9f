/**
 * The work the per-channel metrics add per message, alone: the metrics feature's listeners fed the events the hub
 * builds for them (one publish and its delivery), in a tight loop, against the same loop without listeners (what
 * `metrics.enabled: false` leaves: the hub builds no event). In ns per message; compare with the hub's CPU per
 * message end to end (bench/metrics-cost.ts, RESULTS.md) for the share of the publish path.
 *
 *   npm run build && npx tsx bench/metrics-listeners.ts [--messages 2000000]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { emptyContracts } from '@switchboard/contracts';
import { createMetrics, defaultConfig, type DeliveredEvent, type FeatureHost, type PublishedEvent } from '@switchboard/hub';
import { metricsFeature } from '@switchboard/hub/internal';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '2000000' } } });
const N = Number(values.messages);

/** The listeners the metrics feature registers on a host that lends it nothing else. */
function listeners() {
  const got = { published: [] as ((e: PublishedEvent) => void)[], delivered: [] as ((e: DeliveredEvent) => void)[] };
  const host = {
    config: defaultConfig(),
    metrics: createMetrics({ defaultMetrics: false }),
    inspect: { connections: () => [], channels: () => [], groups: () => [] },
    contracts: () => emptyContracts(),
    onPublished: (fn: (e: PublishedEvent) => void) => got.published.push(fn),
    onDelivered: (fn: (e: DeliveredEvent) => void) => got.delivered.push(fn),
    onRefused: () => undefined,
    onClose: () => undefined,
  } as unknown as FeatureHost;
  metricsFeature().register(host);
  return got;
}

/** ns per message: build and hand out the events of one publish and `fanout` deliveries, on `channels` channels. */
function run(withListeners: boolean, channels: number, fanout: number): number {
  const l = withListeners ? listeners() : { published: [], delivered: [] };
  const names = Array.from({ length: channels }, (_, i) => `bench.c${i}`);
  const seqs = new Array<number>(channels).fill(0);
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const c = i % channels;
    const ch = names[c]!;
    const seq = ++seqs[c]!;
    // what Router.published and Subscription.send do: build an event only when someone listens
    if (l.published.length > 0) {
      const e: PublishedEvent = { ch, seq, type: 't', source: 'bench', id: 'id', durable: false, receivedAt: performance.now() };
      for (const fn of l.published) fn(e);
    }
    for (let d = 0; d < fanout; d++) {
      if (l.delivered.length > 0) {
        const e: DeliveredEvent = { ch, seq, sub: 's1', component: 'bench', session: 'x', deliveries: 1, json: '{}' };
        for (const fn of l.delivered) fn(e);
      }
    }
  }
  return ((performance.now() - t) * 1e6) / N;
}

console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}; ${N} messages per run, medians of 5`);
for (const [channels, fanout] of [
  [1, 1],
  [100, 1],
  [1000, 1],
  [1, 100],
]) {
  const on: number[] = [];
  const off: number[] = [];
  for (let r = 0; r < 5; r++) {
    on.push(run(true, channels, fanout));
    off.push(run(false, channels, fanout));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
  const added = med(on) - med(off);
  console.log(
    `${channels} channel(s), ${fanout} deliver${fanout === 1 ? 'y' : 'ies'} per publish: metrics on ${med(on).toFixed(0)} ns, off ${med(off).toFixed(0)} ns per message → ${added.toFixed(0)} ns added per message (${(added / fanout).toFixed(0)} ns per delivery)`,
  );
}
