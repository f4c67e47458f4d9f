import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { connect } from '../src/index.js';
import { FakeHub } from './support/fake-hub.js';
import { closing } from './support/wait.js';

const URL = 'ws://fake/v1/ws';

test('request/reply between two clients, with errors mapped to codes', async (t) => {
  const hub = new FakeHub();
  const server = await closing(t, connect({ url: URL, component: 'engine', WebSocket: hub.WebSocket }));
  const client = await closing(t, connect({ url: URL, component: 'bridge', WebSocket: hub.WebSocket }));
  server.onRequest(async (req) => {
    if (req.type === 'fail') throw new SwitchboardError('CONFLICT', 'version moved', { version: 9 });
    if (req.type === 'crash') throw new Error('kaput');
    return { echo: req.data, from: req.from };
  });
  assert.deepEqual(await client.request('engine', 'quote', { s: 'EURUSD' }), { echo: { s: 'EURUSD' }, from: 'bridge' });
  await assert.rejects(client.request('engine', 'fail'), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'CONFLICT');
    assert.deepEqual(err.details, { version: 9 });
    return true;
  });
  await assert.rejects(client.request('engine', 'crash'), { code: 'INTERNAL', message: 'kaput' });
  await assert.rejects(client.request('nobody', 'x'), { code: 'UNAVAILABLE' });
  assert.equal(hub.frames('req')[0].timeout_ms > 4900, true);
  await Promise.all([server.close(), client.close()]);
});

test('a handler that never answers: TIMEOUT after timeoutMs (plus a short grace)', async (t) => {
  const hub = new FakeHub();
  const server = await closing(t, connect({ url: URL, component: 'engine', WebSocket: hub.WebSocket }));
  const client = await closing(t, connect({ url: URL, component: 'bridge', WebSocket: hub.WebSocket }));
  server.onRequest(() => new Promise(() => {}));
  const t0 = Date.now();
  await assert.rejects(client.request('engine', 'slow', null, { timeoutMs: 100 }), { code: 'TIMEOUT' });
  assert.ok(Date.now() - t0 < 1000);
  await Promise.all([server.close(), client.close()]);
});

test('no handler registered: the requester gets UNAVAILABLE; removing a handler restores the previous one', async (t) => {
  const hub = new FakeHub();
  const server = await closing(t, connect({ url: URL, component: 'engine', WebSocket: hub.WebSocket }));
  const client = await closing(t, connect({ url: URL, component: 'bridge', WebSocket: hub.WebSocket }));
  await assert.rejects(client.request('engine', 'x'), { code: 'UNAVAILABLE', message: /no request handler/ });
  server.onRequest(() => 'first');
  const off = server.onRequest(() => 'second');
  assert.equal(await client.request('engine', 'x'), 'second');
  off();
  assert.equal(await client.request('engine', 'x'), 'first');
  await Promise.all([server.close(), client.close()]);
});
