import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { AsyncRefusalError, connect } from '../src/index.js';
import { FakeHub } from './support/fake-hub.js';
import { closing, waitFor } from './support/wait.js';

const URL = 'ws://fake/v1/ws';
const opts = (hub: FakeHub) => ({ url: URL, component: 'pub', WebSocket: hub.WebSocket, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });

test('publish resolves with seq and a generated msg_id', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const r1 = await c.publish('a.b', 't', { n: 1 });
  const r2 = await c.publish('a.b', 't', { n: 2 }, { msgId: 'fixed', meta: { priority: 'high' } });
  assert.equal(r1.seq, 1);
  assert.match(r1.msgId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(r2, { seq: 2, msgId: 'fixed' });
  const pubs = hub.frames('pub');
  assert.equal(pubs[0].msg_id, r1.msgId);
  assert.deepEqual(pubs[1].meta, { priority: 'high' });
  assert.deepEqual(await c.publish('a.b', 't', {}, { msgId: 'fixed' }), { seq: 2, msgId: 'fixed', duplicate: true });
  await c.close();
});

test('a refused publish rejects with the code and details of the err frame', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  await assert.rejects(c.publish('a.b', 'bad', { bid: 'x' }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'CONTRACT_VIOLATION');
    assert.deepEqual(err.details, [{ path: '/bid', rule: 'type', expected: 'number' }]);
    return true;
  });
  await c.close();
});

test('fire and forget: no id on the frame; a refusal arrives as an error event', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e));
  const r = await c.publish('a.b', 'bad', { bid: 'x' }, { ack: false, msgId: 'm1' });
  assert.equal(r.seq, 0);
  await waitFor(() => errors.length === 1, 'error event');
  assert.equal(hub.frames('pub')[0].id, undefined);
  const e = errors[0] as AsyncRefusalError;
  assert.ok(e instanceof AsyncRefusalError);
  assert.equal(e.code, 'CONTRACT_VIOLATION');
  assert.equal(e.msgId, 'm1');
  assert.equal(e.ch, 'a.b');
  await c.close();
});

test('offline queue: publishes while disconnected are flushed in order once, after the unacknowledged ones', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  // Sent, then the hub crashes before answering: these are awaiting ok.
  hub.silent = true;
  const early = [1, 2, 3].map((n) => c.publish('q', 't', { n }));
  await waitFor(() => hub.frames('pub').length === 3, 'early pubs received');
  hub.silent = false;
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const late = [4, 5, 6].map((n) => c.publish('q', 't', { n }));
  hub.start();
  const results = await Promise.all([...early, ...late]);
  assert.deepEqual(results.map((r) => r.seq), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(hub.logs.get('q')!.map((e) => e.data.n), [1, 2, 3, 4, 5, 6]);
  // The three early ones went out twice with the same msg_id: once before the crash, once after.
  const sent = hub.frames('pub');
  assert.equal(sent.length, 9);
  assert.deepEqual(sent.slice(3).map((f) => f.data.n), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(sent.slice(3, 6).map((f) => f.msg_id), sent.slice(0, 3).map((f) => f.msg_id));
  await c.close();
});

test('offline queue bound: over it publish rejects with RATE_LIMITED', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect({ ...opts(hub), offlineQueue: { max: 3 } }));
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const queued = [1, 2, 3].map((n) => c.publish('q', 't', { n }));
  await assert.rejects(c.publish('q', 't', { n: 4 }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.match(err.message, /offline queue is full \(3/);
    return true;
  });
  hub.start();
  assert.deepEqual((await Promise.all(queued)).map((r) => r.seq), [1, 2, 3]);
  await c.close();
});

test('a queued publish rejects with TIMEOUT after publishTimeoutMs and is never sent', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect({ ...opts(hub), publishTimeoutMs: 50 }));
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  await assert.rejects(c.publish('q', 't', {}), { code: 'TIMEOUT' });
  hub.start();
  await waitFor(() => c.state === 'connected', 'reconnected');
  assert.equal(hub.frames('pub').length, 0);
  await c.close();
});

test('data that is not JSON rejects with BAD_FRAME', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(c.publish('q', 't', cyclic), { code: 'BAD_FRAME' });
  await assert.rejects(c.publish('q', 't', { n: 1n }), { code: 'BAD_FRAME' });
  assert.equal((await c.publish('q', 't', { ok: true })).seq, 1);
  await c.close();
});

test('close rejects queued publishes with UNAVAILABLE', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const p = c.publish('q', 't', {});
  await c.close();
  await assert.rejects(p, { code: 'UNAVAILABLE' });
});
