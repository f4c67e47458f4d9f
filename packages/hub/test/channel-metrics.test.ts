// The per-channel and per-group metrics of /metrics, as an operator reads them: published, delivered and refused
// by channel (and type), dead letters waiting, the lag and pending of a group that stopped acknowledging, delivery
// latency and store appends; label values bounded by metrics.channel_labels and metrics.max_channel_labels.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { loadContracts } from '@switchboard/contracts';
import { createHub, createSqliteStore, defaultConfig, type HubConfig } from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { scrapeMetrics } from '../../../test/support/load.js';
import { waitFor } from '../../../test/support/util.js';

const contracts = await loadContracts(fileURLToPath(new URL('./fixtures/contracts-orders/', import.meta.url)));

/** A hub on port 0 with `metrics` config, its URLs, and a cleanup registered with `after`. */
async function startHub(metrics: Partial<HubConfig['metrics']> = {}): Promise<{ url: string; ws: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-metrics-'));
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  const config: HubConfig = { ...defaultConfig(), auth: { dev: true }, metrics: { ...defaultConfig().metrics, ...metrics } };
  const hub = createHub({ config, store, contracts, logger: pino({ level: 'silent' }) });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = await hub.listen(0);
  return { url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/v1/ws` };
}

describe('channel metrics', () => {
  it('counts by channel and type, and reports DLQ depth, group lag and pending at scrape time', async () => {
    const hub = await startHub({ maxChannelLabels: 3 });
    const { client: engine } = await RawClient.connect(hub.ws, 'core-engine');
    const group = await engine.call({ op: 'sub', ch: 'orders.new', group: 'engine', ack: 'manual', from: 'earliest' });
    const { client: audit } = await RawClient.connect(hub.ws, 'audit');
    await audit.call({ op: 'sub', ch: 'orders.new' });
    const { client: bridge } = await RawClient.connect(hub.ws, 'bridge');
    for (let n = 1; n <= 5; n++) assert.equal((await bridge.call({ op: 'pub', ch: 'orders.new', type: 'order', data: { n } })).seq, n);
    for (const data of [{ n: 'six' }, {}]) assert.equal((await bridge.call({ op: 'pub', ch: 'orders.new', type: 'order', data })).code, 'CONTRACT_VIOLATION');
    assert.equal((await bridge.call({ op: 'pub', ch: 'orders.new', type: 'refund', data: {} })).code, 'CONTRACT_VIOLATION');
    // two more channels get a label of their own (3 in all), the next three are `other`
    for (const ch of ['c.1', 'c.2', 'c.3', 'c.4', 'c.5']) await bridge.call({ op: 'pub', ch, type: 't', data: {} });

    // the group member acknowledges the first two deliveries, then stops
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push((await engine.next((f) => f.op === 'msg')).msg.seq);
    engine.send({ op: 'ack', sub: group.sub, seq: seqs[0] });
    engine.send({ op: 'ack', sub: group.sub, seq: seqs[1] });

    const m = await waitFor(async () => {
      const m = await scrapeMetrics(hub.url);
      return m.get('switchboard_consumer_lag{channel="orders.new",group="engine"}') === 3 && m;
    }, 'the lag of group engine to be 3');
    const at = (key: string) => m.get(key);
    assert.equal(at('switchboard_messages_published_total{channel="orders.new"}'), 5);
    assert.equal(at('switchboard_messages_published_total{channel="c.1"}'), 1);
    assert.equal(at('switchboard_messages_published_total{channel="c.2"}'), 1);
    assert.equal(at('switchboard_messages_published_total{channel="other"}'), 3);
    assert.equal(at('switchboard_messages_published_total{channel="c.3"}'), undefined);
    assert.equal(at('switchboard_messages_delivered_total{channel="orders.new"}'), 10, '5 to the group, 5 to audit');
    assert.equal(at('switchboard_contract_violations_total{channel="orders.new",type="order"}'), 2);
    assert.equal(at('switchboard_contract_violations_total{channel="orders.new",type="other"}'), 1, 'a type the contract does not declare');
    assert.equal(at('switchboard_messages_rejected_total{code="CONTRACT_VIOLATION"}'), 3);
    assert.equal(at('switchboard_dlq_depth{channel="orders.new"}'), 3);
    assert.equal(at('switchboard_consumer_pending{channel="orders.new",group="engine"}'), 3);
    assert.equal(at('switchboard_delivery_latency_seconds_count{channel="orders.new"}'), 10);
    assert.equal(at('switchboard_delivery_latency_seconds_bucket{le="+Inf",channel="orders.new"}'), 10);
    assert.ok(at('switchboard_delivery_latency_seconds_sum{channel="orders.new"}')! > 0);
    assert.equal(at('switchboard_store_append_seconds_count'), 5 + 3 + 5, 'publishes, dead letters, the c.* publishes');

    // a redelivery is counted as a delivery, not timed again
    engine.send({ op: 'nack', sub: group.sub, seq: seqs[2] });
    await engine.next((f) => f.op === 'msg' && f.redelivered === 1);
    await waitFor(async () => (await scrapeMetrics(hub.url)).get('switchboard_messages_delivered_total{channel="orders.new"}') === 11, 'the redelivery');
    assert.equal((await scrapeMetrics(hub.url)).get('switchboard_delivery_latency_seconds_count{channel="orders.new"}'), 10);
    await Promise.all([engine.close(), audit.close(), bridge.close()]);
  });

  it('gives a label of its own only to the channels matching metrics.channel_labels', async () => {
    const hub = await startHub({ channelLabels: ['orders.>'] });
    const { client } = await RawClient.connect(hub.ws, 'bridge');
    await client.call({ op: 'pub', ch: 'orders.new', type: 'order', data: { n: 1 } });
    await client.call({ op: 'pub', ch: 'rooms.a', type: 't', data: {} });
    await client.call({ op: 'pub', ch: 'rooms.b', type: 't', data: {} });
    const m = await scrapeMetrics(hub.url);
    assert.equal(m.get('switchboard_messages_published_total{channel="orders.new"}'), 1);
    assert.equal(m.get('switchboard_messages_published_total{channel="other"}'), 2);
    assert.deepEqual(
      [...m.keys()].filter((k) => k.includes('rooms.')),
      [],
    );
    await client.close();
  });

  it('has no per-channel series with metrics.enabled false, and still serves the process-wide ones', async () => {
    const hub = await startHub({ enabled: false });
    const { client } = await RawClient.connect(hub.ws, 'bridge');
    await client.call({ op: 'pub', ch: 'orders.new', type: 'order', data: { n: 1 } });
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    assert.match(text, /^switchboard_connections 1$/m);
    assert.match(text, /^switchboard_store_append_seconds_count 1$/m);
    assert.match(text, /# TYPE switchboard_messages_published_total counter/);
    assert.doesNotMatch(text, /^switchboard_messages_published_total\{/m);
    await client.close();
  });
});
