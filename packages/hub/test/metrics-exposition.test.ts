// The hub's own metrics (labelled counters, scrape-time gauges, duration histograms) write their Prometheus text
// themselves, for speed: it must be exactly what prom-client's classes would write for the same samples.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createMetrics } from '../src/metrics/metrics.js';
import { createLabelledCounter } from '../src/metrics/labelled-counter.js';
import { createScrapeGauge } from '../src/metrics/scrape-gauge.js';
import { createDurationHistogram } from '../src/metrics/duration-histogram.js';
import { isOwnMetric, ownText } from '../src/metrics/exposition.js';

/** The text of metric `name` of our registry, written by the metric itself and by prom-client's registry. */
async function bothWays(registry: Registry, name: string): Promise<[string, string]> {
  const metric = registry.getSingleMetric(name);
  assert.ok(isOwnMetric(metric), `${name} is one of the hub's own metrics`);
  return [await ownText(metric), await registry.getSingleMetricAsString(name)];
}

describe("the hub's own metrics", () => {
  it('a labelled counter writes what a prom-client Counter writes', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const c = createLabelledCounter({ name: 'x_total', help: 'Things, by channel and type.', labelNames: ['channel', 'type'], registry: ours });
    const p = new Counter({ name: 'x_total', help: 'Things, by channel and type.', labelNames: ['channel', 'type'], registers: [theirs] });
    const odd = 'a"b\\c\nd';
    for (const [ch, type, n] of [
      ['orders.new', 'order', 3],
      ['other', odd, 1],
      ['orders.new', 'order', 2],
    ] as const) {
      c.series(ch, type).inc(n);
      p.inc({ channel: ch, type }, n);
    }
    const [mine, viaRegistry] = await bothWays(ours, 'x_total');
    assert.equal(mine, await theirs.getSingleMetricAsString('x_total'));
    assert.equal(viaRegistry, mine);
    ours.resetMetrics();
    assert.match(await ours.metrics(), /^x_total\{channel="orders.new",type="order"\} 0$/m);
  });

  it('a scrape gauge asks its source at each scrape and writes what a prom-client Gauge writes', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const g = createScrapeGauge({ name: 'lag', help: 'Lag.', labelNames: ['channel', 'group'], registry: ours });
    const p = new Gauge({ name: 'lag', help: 'Lag.', labelNames: ['channel', 'group'], registers: [theirs] });
    let calls = 0;
    g.readFrom(async () => {
      calls++;
      return [
        { labels: ['orders.new', 'engine'], value: 3 },
        { labels: ['other', 'other'], value: 0 },
      ];
    });
    p.set({ channel: 'orders.new', group: 'engine' }, 3);
    p.set({ channel: 'other', group: 'other' }, 0);
    const [mine, viaRegistry] = await bothWays(ours, 'lag');
    assert.equal(mine, await theirs.getSingleMetricAsString('lag'));
    assert.equal(viaRegistry, mine);
    assert.equal(calls, 2);
    g.readFrom(() => {
      throw new Error('store down');
    });
    assert.equal(await ours.getSingleMetricAsString('lag'), '# HELP lag Lag.\n# TYPE lag gauge', 'a failing source leaves no samples');
  });

  it('a duration histogram, with or without a label, writes what a prom-client Histogram writes', async () => {
    for (const labelName of ['channel', undefined]) {
      const ours = new Registry();
      const theirs = new Registry();
      const buckets = [0.001, 0.01, 0.1];
      const h = createDurationHistogram({ name: 'd_seconds', help: 'D.', labelName, buckets, registry: ours });
      const p = new Histogram({ name: 'd_seconds', help: 'D.', labelNames: labelName ? [labelName] : [], buckets, registers: [theirs] });
      for (const [v, s] of [
        ['a', 0.0005],
        ['a', 0.01],
        ['b', 5],
        ['a', 0.05],
      ] as const) {
        h.series(labelName ? v : '').observe(s);
        if (labelName) p.observe({ [labelName]: v }, s);
        else p.observe(s);
      }
      h.series('never-observed');
      const [mine, viaRegistry] = await bothWays(ours, 'd_seconds');
      assert.equal(mine, await theirs.getSingleMetricAsString('d_seconds'), `label ${labelName}`);
      assert.equal(viaRegistry, mine);
    }
  });

  it("renders the whole registry as prom-client's registry does, also in pieces across turns", async () => {
    const metrics = createMetrics();
    for (let i = 0; i < 700; i++) {
      metrics.published.series(`orders.c${i}`).inc(i);
      metrics.deliveryLatency.series(`orders.c${i}`).observe(0.0001 * i);
    }
    metrics.storeAppendSeconds.series('').observe(0.0003);
    metrics.consumerLag.readFrom(() => [{ labels: ['orders.new', 'engine'], value: 7 }]);
    metrics.connections.inc();
    // the process metrics change from one moment to the next (CPU time, active handles): leave their sections out
    const strip = (t: string) =>
      t
        .split('\n\n')
        .filter((section) => !section.includes('# TYPE switchboard_process_'))
        .join('\n\n');
    const pieces: string[] = [];
    await metrics.stream((t) => pieces.push(t));
    assert.ok(pieces.length > 1, 'a large text comes in several pieces');
    assert.equal(strip(pieces.join('')), strip(await metrics.registry.metrics()));
    assert.equal(strip(await metrics.render()), strip(await metrics.registry.metrics()));
  });
});
