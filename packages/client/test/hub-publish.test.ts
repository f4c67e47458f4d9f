import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { SwitchboardError, type Envelope } from '@switchboard/protocol';
import { AsyncRefusalError, connect } from '../src/index.js';
import { history, hubFor, NO_HUB } from './support/hub.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const CONTRACTS = fileURLToPath(new URL('./fixtures/contracts', import.meta.url));

test('publish resolves with the seq once durable; the same msgId lands once', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-pub' }));
  const r1 = await c.publish('orders.created', 'order', { id: 1 });
  const r2 = await c.publish('orders.created', 'order', { id: 2 }, { msgId: 'order-2', meta: { priority: 'high', correlation_id: 'c-2' } });
  assert.equal(r1.seq, 1);
  assert.match(r1.msgId, /^[0-9a-f-]{36}$/, 'a generated msg_id');
  assert.deepEqual(r2, { seq: 2, msgId: 'order-2' });
  assert.deepEqual(await c.publish('orders.created', 'order', { id: 2 }, { msgId: 'order-2' }), { seq: 2, msgId: 'order-2', duplicate: true });
  const stored = await history(hub.url, 'orders.created');
  assert.equal(stored.length, 2);
  assert.equal(stored[0].id, r1.msgId);
  assert.equal(stored[1].source, 'sdk-pub');
  assert.deepEqual(stored[1].meta, { priority: 'high', correlation_id: 'c-2' });
});

test('CONTRACT_VIOLATION: the rejection carries the code and the failing fields', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { contracts: CONTRACTS });
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-contract' }));
  assert.equal((await c.publish('fx.quotes', 'quote', { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843 })).seq, 1);
  await assert.rejects(c.publish('fx.quotes', 'quote', { symbol: 'EURUSD', bid: 'cheap', ask: 1.0843 }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'CONTRACT_VIOLATION');
    assert.ok(Array.isArray(err.details), JSON.stringify(err.details));
    const d = (err.details as { path: string; rule: string }[]).find((x) => x.path === '/bid');
    assert.ok(d, JSON.stringify(err.details));
    assert.equal(d.rule, 'type');
    return true;
  });
  // Nothing was stored on the channel; the rejected message went to the dead-letter log.
  assert.equal((await history(hub.url, 'fx.quotes')).length, 1);
  assert.equal((await history(hub.url, '$dlq.fx.quotes')).length, 1);
});

test('fire and forget: resolves at once; a refusal arrives as an error event with ch and msgId', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { contracts: CONTRACTS });
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-ff' }));
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e));
  const ok = await c.publish('fx.quotes', 'quote', { symbol: 'EURUSD', bid: 1, ask: 2 }, { ack: false });
  assert.equal(ok.seq, 0);
  await c.publish('fx.quotes', 'quote', { symbol: 'nope' }, { ack: false, msgId: 'bad-1' });
  await waitFor(() => errors.length === 1, 'error event');
  const e = errors[0] as AsyncRefusalError;
  assert.ok(e instanceof AsyncRefusalError, String(e));
  assert.equal(e.code, 'CONTRACT_VIOLATION');
  assert.equal(e.ch, 'fx.quotes');
  assert.equal(e.msgId, 'bad-1');
  await waitFor(async () => (await history(hub.url, 'fx.quotes')).length === 1, 'the good one stored');
});

test('offline queue: bounded while the hub is down, flushed in order when it is back', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-queue', offlineQueue: { max: 5 }, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }));
  await c.publish('queue.ch', 't', { n: 0 });
  await hub.current.stop();
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const queued = [1, 2, 3, 4, 5].map((n) => c.publish('queue.ch', 't', { n }));
  await assert.rejects(c.publish('queue.ch', 't', { n: 6 }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.match(err.message, /offline queue is full \(5/);
    return true;
  });
  await hub.restart();
  const results = await Promise.all(queued);
  assert.deepEqual(
    results.map((r) => r.seq),
    [2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    (await history<Envelope<{ n: number }>>(hub.url, 'queue.ch')).map((m) => m.data.n),
    [0, 1, 2, 3, 4, 5],
  );
});
