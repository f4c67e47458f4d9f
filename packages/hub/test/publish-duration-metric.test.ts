// switchboard_publish_duration_seconds is observed once per publish by a histogram of the hub's own (prom-client's
// observe cost several µs per call); a scrape must read exactly what prom-client's Histogram would expose.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { createMetrics } from '../src/metrics/metrics.js';

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];

describe('publish duration metric', () => {
  it('exposes the same text as a prom-client Histogram fed the same durations, per transport', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const reference = new Registry();
    const hist = new Histogram({
      name: 'switchboard_publish_duration_seconds',
      help: 'Time from receiving a publish to its ok (validation and durable write included).',
      labelNames: ['transport'],
      buckets: BUCKETS,
      registers: [reference],
    });
    // on a bound, between bounds, below the first, above the last, and a value that is not a number
    const samples: [string, number][] = [
      ['ws', 0.0001],
      ['ws', 0.0003],
      ['ws', 0.00002],
      ['ws', 3],
      ['http', 0.004],
      ['ws', 0.0001000001],
      ['http', 1],
    ];
    for (const [transport, s] of samples) {
      metrics.publishSeconds.observe({ transport }, s);
      hist.observe({ transport }, s);
    }
    metrics.publishSeconds.observe({ transport: 'ws' }, Number.NaN);
    const text = await metrics.registry.metrics();
    const section = text.split('\n\n').find((s) => s.includes('# TYPE switchboard_publish_duration_seconds histogram'));
    assert.equal(section?.trim(), (await reference.metrics()).trim());
    assert.match(text, /^switchboard_publish_duration_seconds_count\{transport="ws"\} 5$/m);
    assert.match(text, /^switchboard_publish_duration_seconds_bucket\{le="0\.0001",transport="ws"\} 2$/m);
  });

  it('forgets every observation on reset', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.publishSeconds.observe({ transport: 'ws' }, 0.002);
    metrics.registry.resetMetrics();
    assert.doesNotMatch(await metrics.registry.metrics(), /switchboard_publish_duration_seconds_count/);
  });
});
