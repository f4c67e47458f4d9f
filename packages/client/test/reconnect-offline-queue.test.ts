import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { history, hubFor, hubProcessFor, NO_HUB } from './support/hub.js';
import { proxyFor, Wire } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';
import type { Envelope } from '@switchboard/protocol';

const reconnect = { initialDelayMs: 20, maxDelayMs: 200 };

test(
  'publishes sent without an ok go out again first, with the same msg_id, then the offline queue, in order: each lands once',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubProcessFor(t);
    const wire = new Wire();
    const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-requeue', WebSocket: wire.WebSocket, reconnect }));
    // The hub freezes: three publishes go out on the socket and no ok comes back.
    hub.current.child.kill('SIGSTOP');
    const early = [1, 2, 3].map((n) => c.publish('requeue.ch', 't', { n }));
    await waitFor(() => wire.frames('pub', 1).length === 3, 'three publishes on the wire');
    // It is killed without having read them; the client sees its connection drop.
    await hub.current.kill9();
    await waitFor(() => c.state === 'reconnecting', 'reconnecting');
    const late = [4, 5, 6].map((n) => c.publish('requeue.ch', 't', { n }));
    await hub.restart();
    const results = await Promise.all([...early, ...late]);
    assert.deepEqual(
      results.map((r) => r.seq),
      [1, 2, 3, 4, 5, 6],
    );

    const before = wire.frames('pub', 1);
    const after = wire.sent.filter((s) => s.conn > 1 && s.frame.op === 'pub').map((s) => s.frame);
    assert.deepEqual(
      after.map((f) => (f.data as { n: number }).n),
      [1, 2, 3, 4, 5, 6],
      'the unacknowledged three first, then the queue',
    );
    assert.deepEqual(
      after.slice(0, 3).map((f) => f.msg_id),
      before.map((f) => f.msg_id),
      'sent again with the same msg_id',
    );
    const stored = await history<Envelope<{ n: number }>>(hub.url, 'requeue.ch');
    assert.deepEqual(
      stored.map((m) => m.data.n),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      stored.map((m) => m.id),
      results.map((r) => r.msgId),
    );
  },
);

test('a queued publish rejects with TIMEOUT after publishTimeoutMs and is never sent', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const proxy = await proxyFor(t, hub.current.port);
  const wire = new Wire();
  const c = await closing(t, connect({ url: proxy.wsUrl, component: 'sdk-queued-timeout', WebSocket: wire.WebSocket, publishTimeoutMs: 150, reconnect }));
  proxy.cut(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const t0 = Date.now();
  await assert.rejects(c.publish('qto.ch', 't', 'expired'), { code: 'TIMEOUT' });
  assert.ok(Date.now() - t0 >= 140, `rejected after ${Date.now() - t0} ms`);
  proxy.restore();
  await waitFor(() => c.state === 'connected', 'reconnected', 5000);
  assert.equal((await c.publish('qto.ch', 't', 'fresh')).seq, 1, 'the expired one never landed');
  assert.deepEqual(
    wire.frames('pub').map((f) => f.data),
    ['fresh'],
  );
  assert.deepEqual(
    (await history(hub.url, 'qto.ch')).map((m) => m.data),
    ['fresh'],
  );
});

test('a sent publish without an ok within publishTimeoutMs rejects with TIMEOUT; publishing again with its msgId is safe', { skip: NO_HUB }, async (t) => {
  const hub = await hubProcessFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-inflight-timeout', publishTimeoutMs: 150, reconnect }));
  hub.current.child.kill('SIGSTOP');
  t.after(() => {
    hub.current.child.kill('SIGCONT');
  });
  await assert.rejects(c.publish('ito.ch', 't', 'slow', { msgId: 'slow-1' }), { code: 'TIMEOUT', message: /msg_id slow-1/ });
  hub.current.child.kill('SIGCONT');
  // The hub thawed and stored the first copy: the retry is recognised as a duplicate.
  assert.deepEqual(await c.publish('ito.ch', 't', 'slow', { msgId: 'slow-1' }), { seq: 1, msgId: 'slow-1', duplicate: true });
  assert.equal((await history(hub.url, 'ito.ch')).length, 1);
});

test('close rejects queued publishes with UNAVAILABLE; none is sent', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const proxy = await proxyFor(t, hub.current.port);
  const wire = new Wire();
  const c = await closing(t, connect({ url: proxy.wsUrl, component: 'sdk-close-queued', WebSocket: wire.WebSocket, reconnect }));
  proxy.cut(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const queued = [1, 2].map((n) => c.publish('closeq.ch', 't', n));
  await c.close();
  for (const p of queued) await assert.rejects(p, { code: 'UNAVAILABLE' });
  assert.equal(c.state, 'closed');
  proxy.restore();
  await sleep(100);
  assert.equal(wire.frames('pub').length, 0);
  assert.equal((await history(hub.url, 'closeq.ch')).length, 0);
});
