import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Message } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { closing } from './support/closing.js';

test('iterating from 0 with manual ack: lastSeq follows the acks, each ack names its channel, break unsubscribes', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const wire = new Wire();
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-iter', WebSocket: wire.WebSocket }));
  for (let i = 1; i <= 5; i++) await c.publish('iter.ch', 't', { i });
  const sub = await c.subscribe<{ i: number }>('iter.ch', { from: 0, ack: 'manual' });
  const id = sub.id;
  assert.match(id, /^s\d+$/);
  const { id: _callId, ...subFrame } = wire.frames('sub')[0];
  assert.deepEqual(subFrame, { op: 'sub', ch: 'iter.ch', from: 0, ack: 'manual' });
  const got: number[] = [];
  for await (const m of sub) {
    got.push(m.data.i);
    if (m.seq === 3) assert.equal(sub.lastSeq(), 2, 'handed out but not acknowledged yet');
    m.ack();
    if (got.length === 5) break;
  }
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.equal(sub.lastSeq(), 5);
  assert.deepEqual(
    wire.frames('ack').map((a) => [a.sub, a.seq, a.ch]),
    [1, 2, 3, 4, 5].map((s) => [id, s, 'iter.ch']),
  );
  // break → unsubscribe, confirmed by the hub before the loop exits
  assert.deepEqual(
    wire.frames('unsub').map((u) => u.sub),
    [id],
  );
});

test(
  'auto mode (the default without onMessage): from latest, ack() and nack() are no-ops, nothing is acknowledged; close ends the iteration',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t);
    const wire = new Wire();
    const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-auto', WebSocket: wire.WebSocket }));
    await c.publish('auto.ch', 't', 0);
    const sub = await c.subscribe<number>('auto.ch');
    assert.equal(wire.frames('sub')[0].ack, 'auto');
    assert.equal(wire.frames('sub')[0].from, 'latest');
    await c.publish('auto.ch', 't', 1);
    const it = sub[Symbol.asyncIterator]();
    const m = (await it.next()).value as Message<number>;
    assert.equal(m.data, 1);
    m.ack();
    m.nack();
    assert.equal(sub.lastSeq(), 2);
    assert.equal(wire.frames('ack').length + wire.frames('nack').length, 0);
    await c.close();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  },
);
