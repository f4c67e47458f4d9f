// GET /v1/admin/status and GET /v1/admin/map answer an operator's questions: who is connected in which version,
// what flows where and how fast, which consumer group is behind, what was refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { contractsDir } from '../../../test/support/reload-contracts.js';
import { waitFor } from '../../../test/support/util.js';
import type { ChannelStatus } from '../src/admin/status.js';
import type { PublishEdge, SubscribeEdge } from '../src/admin/integration-map.js';

async function get<T>(url: string, path: string): Promise<T> {
  const res = await fetch(url + path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** The status as these tests read it. */
interface Status {
  node: string;
  version: string;
  uptime_s: number;
  started_at: string;
  store: unknown;
  cluster: unknown;
  connections: { total: number; by_component: unknown[] };
  window_s: number;
  channels: ChannelStatus[];
}

describe('admin status and integration map', () => {
  const contracts = contractsDir(true);
  const fx = useHub({ contracts: contracts.dir, nodeId: 'hub-a' });

  it('reports the node, the connections by version, and each channel with rates, groups, lag and dead letters', async () => {
    const { client: engine } = await fx.session('core-engine', { version: '1.4.0' });
    const { sub } = await subscribe(engine, { ch: 'market.ticks', group: 'engine', ack: 'manual', from: 'earliest' });
    const { client: dashboard } = await fx.session('dashboard', { version: '0.9.0' });
    await subscribe(dashboard, { ch: 'market.*' });
    const { client: bridge } = await fx.session('data-bridge', { version: '2.0.1' });
    for (let i = 0; i < 5; i++) {
      assert.equal((await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD', venue: 'LSE', i } })).op, 'ok');
    }
    assert.equal((await bridge.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD' } })).code, 'CONTRACT_VIOLATION');
    const delivered = await Promise.all([1, 2, 3, 4, 5].map(() => engine.next((f) => f.op === 'msg' && f.sub === sub)));
    for (const m of delivered.filter((f) => f.msg.seq <= 2)) engine.send({ op: 'ack', sub, seq: m.msg.seq });

    let status: Status | undefined;
    await waitFor(async () => {
      status = await get<Status>(fx.hub.url, '/v1/admin/status');
      const ch = status.channels.find((c) => c.ch === 'market.ticks');
      return ch?.groups[0]?.ack_floor === 2 && ch.last_minute.delivered === 10;
    }, 'the ack floor at 2 and ten deliveries');
    assert.ok(status);
    assert.equal(status.node, 'hub-a');
    assert.equal(status.version, '0.1.0');
    assert.ok(status.uptime_s >= 0 && Date.parse(status.started_at) <= Date.now());
    assert.deepEqual(status.store, { kind: 'sqlite', reachable: true });
    const cluster = status.cluster as { kind: string; nodes: { node: string; since: string; self: boolean }[] };
    assert.equal(cluster.kind, 'local');
    assert.deepEqual(
      cluster.nodes.map(({ node, self }) => ({ node, self })),
      [{ node: 'hub-a', self: true }],
    );
    assert.equal(status.connections.total, 3);
    assert.deepEqual(status.connections.by_component, [
      { component: 'core-engine', version: '1.4.0', connections: 1 },
      { component: 'dashboard', version: '0.9.0', connections: 1 },
      { component: 'data-bridge', version: '2.0.1', connections: 1 },
    ]);
    assert.equal(status.window_s, 60);
    const ticks = status.channels.find((c) => c.ch === 'market.ticks')!;
    assert.deepEqual(
      {
        durable: ticks.durable,
        head: ticks.head,
        retained: ticks.retained,
        last_minute: ticks.last_minute,
        subscribers: ticks.subscribers,
        groups: ticks.groups,
        dlq: ticks.dlq,
      },
      {
        durable: true,
        head: 5,
        retained: { first: 1, count: 5 },
        last_minute: { published: 5, delivered: 10, refused: 1 },
        subscribers: 2,
        groups: [{ group: 'engine', members: 1, ack_floor: 2, lag: 3, pending: 3 }],
        dlq: { depth: 1, head: 1 },
      },
    );
    assert.deepEqual(ticks.per_second, { published: 0.08, delivered: 0.17, refused: 0.02 });
    assert.match(ticks.contract!.file, /market\.yaml$/);
    assert.deepEqual([ticks.contract!.address, ticks.contract!.message_types], ['market.ticks', ['tick']]);
    assert.equal(
      status.channels.some((c) => c.ch.startsWith('$dlq.')),
      false,
      'dead-letter logs are folded into their channel',
    );

    const map = await get<{ components: unknown[]; publishes: PublishEdge[]; subscribes: SubscribeEdge[] }>(fx.hub.url, '/v1/admin/map');
    assert.deepEqual(map.components, [
      { component: 'core-engine', versions: ['1.4.0'], connections: 1 },
      { component: 'dashboard', versions: ['0.9.0'], connections: 1 },
      { component: 'data-bridge', versions: ['2.0.1'], connections: 1 },
    ]);
    assert.deepEqual(map.publishes, [{ component: 'data-bridge', ch: 'market.ticks', messages: 5, refused: 1, per_second: 0.08 }]);
    assert.deepEqual(
      map.subscribes.map((s) => [s.component, s.pattern, s.group, s.ack, s.subscriptions, s.channels]),
      [
        ['core-engine', 'market.ticks', 'engine', 'manual', 1, [{ ch: 'market.ticks', delivered: 5, per_second: 0.08 }]],
        ['dashboard', 'market.*', null, 'auto', 1, [{ ch: 'market.ticks', delivered: 5, per_second: 0.08 }]],
      ],
    );
  });
});
