// What a feature sees of the hub through the seam: events for accepted and refused publishes, deliveries and
// connections, and a view of what is connected, opened and consumed now.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import pino from 'pino';
import {
  createHub,
  createSqliteStore,
  defaultConfig,
  type ConnectionEvent,
  type DeliveredEvent,
  type FeatureHost,
  type HubFeature,
  type PublishedEvent,
  type RefusedEvent,
} from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';

it('a feature is told of publishes, refusals, deliveries and connections, and can inspect the node', async () => {
  const seen = { published: [] as PublishedEvent[], refused: [] as RefusedEvent[], delivered: [] as DeliveredEvent[], connections: [] as ConnectionEvent[] };
  let host: FeatureHost | undefined;
  const watcher: HubFeature = {
    name: 'watcher',
    register(h) {
      host = h;
      // The built-in admin feature publishes the hub's own events ($sys.components, …) through the same path.
      h.onPublished((e) => void (e.ch.startsWith('$sys.') || seen.published.push(e)));
      h.onRefused((e) => seen.refused.push(e));
      h.onDelivered((e) => seen.delivered.push(e));
      h.onConnection((e) => seen.connections.push(e));
    },
  };
  const dir = mkdtempSync(join(tmpdir(), 'sb-observe-'));
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  const hub = createHub({ config: { ...defaultConfig(), auth: { dev: true } }, store, logger: pino({ level: 'silent' }), features: [watcher] });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = await hub.listen(0);
  const url = `ws://127.0.0.1:${port}/v1/ws`;

  const { client: engine, welcome } = await RawClient.connect(url, 'core-engine', { version: '1.4.0' });
  const sub = await engine.call({ op: 'sub', ch: 'orders.new', group: 'engine', ack: 'manual', from: 'earliest' });
  const { client: bridge } = await RawClient.connect(url, 'data-bridge', { version: '2.0.1' });
  const ok = await bridge.call({ op: 'pub', ch: 'orders.new', type: 'order', data: { n: 1 } });
  assert.equal(ok.seq, 1);
  const refused = await bridge.call({ op: 'pub', ch: 'orders.new', data: { n: 2 } });
  assert.equal(refused.code, 'BAD_FRAME');

  const first = await engine.next((f) => f.op === 'msg');
  engine.send({ op: 'nack', sub: sub.sub, seq: first.msg.seq });
  const again = await engine.next((f) => f.op === 'msg');
  assert.equal(again.redelivered, 1);

  assert.equal(seen.published.length, 1);
  const p = seen.published[0]!;
  assert.deepEqual(
    { ch: p.ch, seq: p.seq, type: p.type, source: p.source, durable: p.durable },
    { ch: 'orders.new', seq: 1, type: 'order', source: 'data-bridge', durable: true },
  );
  assert.equal(p.id, first.msg.id);
  assert.ok(p.receivedAt > 0 && p.receivedAt <= performance.now());

  assert.equal(seen.refused.length, 1);
  assert.deepEqual(
    { ch: seen.refused[0]!.ch, type: seen.refused[0]!.type, source: seen.refused[0]!.source, code: seen.refused[0]!.code },
    {
      ch: 'orders.new',
      type: undefined,
      source: 'data-bridge',
      code: 'BAD_FRAME',
    },
  );
  assert.match(seen.refused[0]!.message, /"type" must be/);

  await waitFor(() => seen.delivered.length === 2, 'two deliveries');
  assert.deepEqual(
    seen.delivered.map((d) => [d.ch, d.seq, d.sub, d.component, d.session, d.group, d.deliveries]),
    [
      ['orders.new', 1, sub.sub, 'core-engine', welcome.session, 'engine', 1],
      ['orders.new', 1, sub.sub, 'core-engine', welcome.session, 'engine', 2],
    ],
  );

  const view = host!.inspect;
  const conns = view.connections();
  assert.deepEqual(conns.map((c) => [c.component, c.version]).sort(), [
    ['core-engine', '1.4.0'],
    ['data-bridge', '2.0.1'],
  ]);
  const engineView = conns.find((c) => c.component === 'core-engine')!;
  assert.equal(engineView.session, welcome.session);
  assert.ok(Date.parse(engineView.since) > Date.now() - 60_000);
  assert.deepEqual(
    engineView.subscriptions.map((s) => [s.pattern, s.group, s.ack]),
    [['orders.new', 'engine', 'manual']],
  );
  const ch = view.channels().find((c) => c.ch === 'orders.new')!;
  assert.deepEqual([ch.head, ch.durable], [1, true]);
  assert.deepEqual(view.groups(), [{ ch: 'orders.new', group: 'engine', members: 1, ackFloor: 0, pending: 1 }]);
  engine.send({ op: 'ack', sub: sub.sub, seq: 1 });
  await waitFor(() => view.groups()[0]!.ackFloor === 1, 'the ack floor to move to 1');
  assert.equal(view.groups()[0]!.pending, 0);

  await bridge.close();
  await waitFor(() => seen.connections.some((c) => c.event === 'close'), 'the close event');
  assert.deepEqual(
    seen.connections.map((c) => [c.event, c.component, c.version]),
    [
      ['open', 'core-engine', '1.4.0'],
      ['open', 'data-bridge', '2.0.1'],
      ['close', 'data-bridge', '2.0.1'],
    ],
  );
  assert.equal(seen.connections[2]!.code, 1005);
  await engine.close();
});
