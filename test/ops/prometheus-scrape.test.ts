// A real Prometheus (Debian's `prometheus`, its own port and data directory, scraping every second) scrapes a hub
// started in this process, and its query API answers what an operator asks: publishes by channel, contract
// violations by type, and the lag of a consumer group that stopped acknowledging.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startHubInProcess, type InProcessHub } from '../support/hub-in-process.js';
import { NO_PROMETHEUS, startPrometheus, type PrometheusServer, type PromSample } from '../support/prometheus.js';
import { RawClient } from '../support/raw-client.js';
import { waitFor } from '../support/util.js';

const CONTRACTS = fileURLToPath(new URL('../../packages/hub/test/fixtures/contracts-orders/', import.meta.url));

/** label value → sample value, for the samples of one query. */
const byLabel = (samples: PromSample[], label: string) => Object.fromEntries(samples.map((s) => [s.metric[label] ?? '', s.value]));

describe('Prometheus scrapes the hub', { skip: NO_PROMETHEUS }, () => {
  let hub: InProcessHub;
  let prom: PrometheusServer;
  const clients: RawClient[] = [];

  before(async () => {
    hub = await startHubInProcess({ contracts: CONTRACTS });
    prom = await startPrometheus({ targets: [`127.0.0.1:${hub.port}`], intervalSeconds: 1 });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await prom?.cleanup();
    await hub?.cleanup();
  });

  it('answers publishes by channel, violations by type and the lag of a group that stopped acknowledging', async () => {
    const connect = async (component: string) => {
      const { client } = await RawClient.connect(hub.wsUrl, component);
      clients.push(client);
      return client;
    };
    const engine = await connect('core-engine');
    const group = await engine.call({ op: 'sub', ch: 'orders.new', group: 'engine', ack: 'manual', from: 'earliest' });
    const bridge = await connect('bridge');
    for (let n = 1; n <= 6; n++) assert.equal((await bridge.call({ op: 'pub', ch: 'orders.new', type: 'order', data: { n } })).op, 'ok');
    for (let n = 1; n <= 2; n++) await bridge.call({ op: 'pub', ch: 'audit.log', type: 'entry', data: { n } });
    for (const data of [{ n: 'seven' }, {}, { n: null }])
      assert.equal((await bridge.call({ op: 'pub', ch: 'orders.new', type: 'order', data })).code, 'CONTRACT_VIOLATION');
    assert.equal((await bridge.call({ op: 'pub', ch: 'orders.new', type: 'refund', data: {} })).code, 'CONTRACT_VIOLATION');
    // the group acknowledges its first two deliveries, then stops
    for (let i = 0; i < 6; i++) {
      const m = await engine.next((f) => f.op === 'msg');
      if (m.msg.seq <= 2) engine.send({ op: 'ack', sub: group.sub, seq: m.msg.seq });
    }

    await waitFor(
      async () => (await prom.query('up{job="switchboard"}'))[0]?.value === 1,
      () => `Prometheus to scrape the hub:\n${prom.output()}`,
      {
        timeoutMs: 20_000,
        everyMs: 200,
      },
    );
    await waitFor(
      async () =>
        assert.deepEqual(byLabel(await prom.query('sum by (channel) (switchboard_messages_published_total)'), 'channel'), { 'orders.new': 6, 'audit.log': 2 }),
      'the publishes by channel',
      { timeoutMs: 20_000, everyMs: 200 },
    );
    await waitFor(
      async () =>
        assert.deepEqual(byLabel(await prom.query('sum by (type) (switchboard_contract_violations_total{channel="orders.new"})'), 'type'), {
          order: 3,
          other: 1,
        }),
      'the violations by type',
      { timeoutMs: 20_000, everyMs: 200 },
    );
    await waitFor(
      async () => {
        const [lag] = await prom.query('switchboard_consumer_lag{channel="orders.new",group="engine"}');
        const [pending] = await prom.query('switchboard_consumer_pending{channel="orders.new",group="engine"}');
        assert.deepEqual([lag?.value, pending?.value], [4, 4]);
      },
      'the lag of group engine',
      { timeoutMs: 20_000, everyMs: 200 },
    );
    const [dlq] = await prom.query('switchboard_dlq_depth{channel="orders.new"}');
    assert.equal(dlq?.value, 4);
    const [delivered] = await prom.query('sum(switchboard_messages_delivered_total{channel="orders.new"})');
    assert.equal(delivered?.value, 6);
  });
});
