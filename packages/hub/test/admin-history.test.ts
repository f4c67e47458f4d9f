// The hub's last hour per channel (GET /v1/admin/history): 10-second samples in a ring of 360, moved by an injected
// clock (no sleeping): counts from the rate tables, delivery latency p50/p99, and each group's lag at the sample's end.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { HubInspector, GroupSnapshot } from '../src/features/hub-inspector.js';
import { History } from '../src/admin/history.js';
import { LatencyHistogram } from '../src/admin/latency-histogram.js';
import { Traffic } from '../src/admin/traffic.js';
import { manualClock } from '../../../test/support/util.js';

const START = 1_800_000_000_000; // a whole multiple of 10 s

/** What the history reads of the hub's state: heads of channels and groups, set by the test as a hub would have them. */
function state() {
  const heads = new Map<string, number>();
  const groups: GroupSnapshot[] = [];
  const inspect: HubInspector = {
    connections: () => [],
    channels: () => [...heads].map(([ch, head]) => ({ ch, head, durable: true, settings: {} as never })),
    groups: () => groups,
  };
  return { heads, groups, inspect };
}

it('samples every 10 s what was published, delivered and refused, with zeros for quiet samples', () => {
  const clock = manualClock(START);
  const traffic = new Traffic(100, clock.now);
  const hub = state();
  const history = new History(traffic, hub.inspect, clock.now, { maxChannels: 100 });

  for (let i = 0; i < 30; i++) traffic.onPublished('market.ticks', 'data-bridge');
  for (let i = 0; i < 28; i++) traffic.onDelivered('market.ticks', 'core-engine');
  traffic.onRefused('market.ticks', 'data-bridge');
  clock.advance(9_999);
  assert.equal(history.read('market.ticks'), undefined, 'the first sample is not closed yet');
  clock.advance(1);
  traffic.onPublished('market.ticks', 'data-bridge'); // belongs to the second sample
  clock.advance(20_000); // the second sample ends, and a quiet third one
  const h = history.read('market.ticks')!;
  assert.deepEqual(h.t, [START / 1000, START / 1000 + 10, START / 1000 + 20]);
  assert.deepEqual(h.published, [30, 1, 0]);
  assert.deepEqual(h.delivered, [28, 0, 0]);
  assert.deepEqual(h.refused, [1, 0, 0]);
  assert.equal(h.interval_s, 10);
  assert.deepEqual(history.channels(), ['market.ticks']);
  assert.equal(history.read('other.channel'), undefined);
});

it('keeps 360 samples (an hour) and forgets a channel idle for a whole hour', () => {
  const clock = manualClock(START);
  const traffic = new Traffic(100, clock.now);
  const history = new History(traffic, state().inspect, clock.now, { maxChannels: 100 });
  for (let s = 0; s < 400; s++) {
    traffic.onPublished('busy', 'p');
    if (s === 0) traffic.onPublished('once', 'p');
    clock.advance(10_000);
    history.tick(); // as the feature's timer does, every 10 s
  }
  const h = history.read('busy')!;
  assert.equal(h.t.length, 360);
  assert.equal(h.t.at(-1), START / 1000 + 399 * 10, 'the newest sample is the last closed one');
  assert.equal(h.t[0], START / 1000 + 40 * 10, 'the oldest 40 samples were overwritten');
  assert.ok(h.published.every((n) => n === 1));
  assert.equal(history.read('once'), undefined, '"once" had no traffic for 360 samples: its history is gone');
});

it('gives at most maxChannels channels a history', () => {
  const clock = manualClock(START);
  const traffic = new Traffic(100, clock.now);
  const history = new History(traffic, state().inspect, clock.now, { maxChannels: 2 });
  for (const ch of ['a', 'b', 'c']) traffic.onPublished(ch, 'p');
  clock.advance(10_000);
  assert.deepEqual(history.channels(), ['a', 'b']);
});

it('records delivery latency p50/p99 per sample from publish and first-delivery times; redeliveries are not timed', () => {
  const clock = manualClock(START);
  const traffic = new Traffic(100, clock.now);
  const history = new History(traffic, state().inspect, clock.now, { maxChannels: 100 });
  // 100 messages: 98 delivered 1 ms after their publish, 2 after 50 ms
  for (let seq = 1; seq <= 100; seq++) {
    history.published('market.ticks', seq, 1000 + seq);
    traffic.onPublished('market.ticks', 'p');
    history.delivered('market.ticks', seq, 1, 1000 + seq + (seq > 98 ? 50 : 1));
    history.delivered('market.ticks', seq, 2, 1000 + seq + 5000);
  }
  clock.advance(10_000);
  history.tick(); // the feature's timer: latencies go to the sample that closes
  traffic.onPublished('market.ticks', 'p'); // an untimed sample follows
  clock.advance(10_000);
  const h = history.read('market.ticks')!;
  const [p50, p99] = [h.latency_ms.p50[0]!, h.latency_ms.p99[0]!];
  assert.ok(p50 >= 1 && p50 < 1.2, `p50 ${p50} ms is the bucket of 1 ms`);
  assert.ok(p99 >= 50 && p99 < 60, `p99 ${p99} ms is the bucket of 50 ms`);
  assert.deepEqual([h.latency_ms.p50[1], h.latency_ms.p99[1]], [null, null]);
});

it('records each group lag (head − ack floor) and pending at the end of a sample', () => {
  const clock = manualClock(START);
  const traffic = new Traffic(100, clock.now);
  const hub = state();
  const history = new History(traffic, hub.inspect, clock.now, { maxChannels: 100 });
  hub.heads.set('market.ticks', 500);
  hub.groups.push({ ch: 'market.ticks', group: 'engine', members: 1, ackFloor: 400, pending: 20 });
  clock.advance(10_000);
  history.tick();
  hub.heads.set('market.ticks', 900);
  hub.groups[0]!.ackFloor = 880;
  hub.groups[0]!.pending = 5;
  clock.advance(10_000);
  const h = history.read('market.ticks')!;
  assert.deepEqual(h.groups, [{ group: 'engine', lag: [100, 20], pending: [20, 5] }]);
});

it('a latency histogram answers quantiles within a bucket (never below the value, under 19 % above)', () => {
  const hist = new LatencyHistogram();
  assert.equal(hist.quantile(0.5), undefined);
  for (const ms of [0.005, 0.3, 2, 7, 30, 120, 900, 4000]) {
    const one = new LatencyHistogram();
    one.observe(ms);
    const q = one.quantile(0.5)!;
    assert.ok(q >= ms - 1e-3 && q <= Math.max(ms, 0.01) * 1.19 + 1e-3, `${ms} ms → ${q}`);
  }
});
