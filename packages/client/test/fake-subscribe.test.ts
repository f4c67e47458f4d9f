import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Message } from '../src/index.js';
import { FakeHub } from './support/fake-hub.js';
import { closing, waitFor } from './support/wait.js';

const URL = 'ws://fake/v1/ws';
const opts = (hub: FakeHub, component = 'sub') => ({ url: URL, component, WebSocket: hub.WebSocket, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });

test('iterate a subscription from 0; lastSeq follows the acks', async (t) => {
  const hub = new FakeHub();
  for (let i = 1; i <= 5; i++) hub.publishLocal('c', 't', { i });
  const c = await closing(t, connect(opts(hub)));
  const sub = await c.subscribe<{ i: number }>('c', { from: 0, ack: 'manual' });
  assert.match(sub.id, /^s\d+$/);
  assert.deepEqual(hub.frames('sub')[0], { op: 'sub', id: 2, ch: 'c', from: 0, ack: 'manual' });
  const got: number[] = [];
  for await (const m of sub) {
    got.push(m.data.i);
    if (m.seq === 3) assert.equal(sub.lastSeq(), 2);
    m.ack();
    if (got.length === 5) break;
  }
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.equal(sub.lastSeq(), 5);
  assert.deepEqual(hub.frames('ack').map((a) => [a.seq, a.ch]), [[1, 'c'], [2, 'c'], [3, 'c'], [4, 'c'], [5, 'c']]);
  // break → unsubscribe
  await waitFor(() => hub.frames('unsub').length === 1, 'unsub');
  await c.close();
});

test('onMessage in manual mode: ack when the callback resolves, nack when it throws', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const seen: [number, number][] = [];
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e));
  let failOnce = true;
  await c.subscribe<{ i: number }>('c', {
    onMessage: async (m) => {
      seen.push([m.seq, m.redelivered]);
      if (m.seq === 2 && failOnce) { failOnce = false; throw new Error('boom'); }
    },
  });
  assert.equal(hub.frames('sub')[0].ack, 'manual');
  for (let i = 1; i <= 3; i++) hub.publishLocal('c', 't', { i });
  await waitFor(() => seen.length === 4 && hub.frames('ack').length === 3, 'deliveries and acks');
  assert.deepEqual(seen.slice(0, 3), [[1, 0], [2, 0], [3, 0]]);
  assert.deepEqual(seen[3], [2, 1]);
  assert.deepEqual(hub.frames('ack').map((a) => a.seq), [1, 3, 2]);
  const nack = hub.frames('nack')[0];
  assert.equal(nack.seq, 2);
  assert.equal(nack.reason, 'boom');
  assert.match(errors[0]!.message, /boom/);
  await c.close();
});

test('auto mode: the client never acks', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const sub = await c.subscribe('c');
  assert.equal(hub.frames('sub')[0].ack, 'auto');
  assert.equal(hub.frames('sub')[0].from, 'latest');
  hub.publishLocal('c', 't', 1);
  const it = sub[Symbol.asyncIterator]();
  const m = (await it.next()).value as Message;
  m.ack();
  assert.equal(sub.lastSeq(), 1);
  assert.equal(hub.frames('ack').length, 0);
  await c.close();
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

test('after a reconnect the subscription resumes from the last acknowledged seq, without duplicates or gaps', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const got: number[] = [];
  let hold: Message | undefined;
  await c.subscribe<{ i: number }>('c', {
    ack: 'manual',
    onMessage: (m) => {
      got.push(m.seq);
      if (m.seq === 3) hold = m; // handled, ack comes later
    },
  });
  for (let i = 1; i <= 3; i++) hub.publishLocal('c', 't', { i });
  await waitFor(() => got.length === 3, 'first three');
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  hub.publishLocal('c', 't', { i: 4 });
  hub.start();
  await waitFor(() => got.length === 5 || (got.length === 4 && c.state === 'connected'), 'resumed');
  hub.publishLocal('c', 't', { i: 5 });
  await waitFor(() => got.length >= 5, 'live message');
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  const resub = hub.frames('sub')[1];
  assert.equal(resub.from, 3, 'the callback for 3 resolved, so it was acked');
  assert.ok(hold);
  assert.equal(hub.frames('hello')[1].resume, 'sess1');
  await c.close();
});

test('unfinished messages hold the resume point back; a redelivery of one the app holds is dropped', async (t) => {
  const hub = new FakeHub();
  for (let i = 1; i <= 4; i++) hub.publishLocal('c', 't', { i });
  const c = await closing(t, connect(opts(hub)));
  const sub = await c.subscribe('c', { from: 0, ack: 'manual' });
  const it = sub[Symbol.asyncIterator]();
  const ms: Message[] = [];
  for (let i = 0; i < 4; i++) ms.push((await it.next()).value as Message);
  ms[0]!.ack();
  ms[2]!.ack();
  assert.equal(sub.lastSeq(), 1);
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  hub.start();
  await waitFor(() => hub.frames('sub').length === 2 && c.state === 'connected', 'resubscribed');
  assert.equal(hub.frames('sub')[1].from, 1);
  hub.publishLocal('c', 't', { i: 5 });
  const next = (await it.next()).value as Message;
  assert.equal(next.seq, 5, '2..4 came again but were dropped: the app holds 2 and 4, and 3 is done');
  // 3 was done already: acked again on the new subscription so that the hub does not redeliver it.
  const newSub = hub.frames('sub').length;
  assert.equal(newSub, 2);
  await waitFor(() => hub.frames('ack').some((a) => a.seq === 3 && a.sub === sub.id), 'ack of 3 on the new subscription');
  ms[1]!.ack();
  ms[3]!.ack();
  next.ack();
  assert.equal(sub.lastSeq(), 5);
  await c.close();
});

test('pattern subscription: per-channel seq, resumes from the lowest and drops duplicates', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const got: string[] = [];
  const sub = await c.subscribe('m.*', { onMessage: (m) => { got.push(`${m.ch}:${m.seq}`); } });
  hub.publishLocal('m.a', 't', 1);
  hub.publishLocal('m.a', 't', 2);
  hub.publishLocal('m.b', 't', 1);
  hub.publishLocal('m.a', 't', 3);
  await waitFor(() => got.length === 4, 'four');
  assert.equal(sub.lastSeq('m.a'), 3);
  assert.equal(sub.lastSeq('m.b'), 1);
  assert.equal(sub.lastSeq(), 1);
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  hub.publishLocal('m.b', 't', 2);
  hub.publishLocal('m.a', 't', 4);
  hub.start();
  await waitFor(() => got.length === 6, 'resumed');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(hub.frames('sub')[1].from, 1);
  assert.deepEqual(got.slice(0, 4), ['m.a:1', 'm.a:2', 'm.b:1', 'm.a:3']);
  assert.deepEqual(got.slice(4).sort(), ['m.a:4', 'm.b:2'], 'm.a:2..3 were sent again (from 1) and dropped');
  await c.close();
});

test('unsubscribe stops delivery and ends the iteration', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const sub = await c.subscribe('c');
  const it = sub[Symbol.asyncIterator]();
  const pending = it.next();
  await sub.unsubscribe();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(hub.frames('unsub')[0].sub, 's1');
  hub.crash(false);
  await waitFor(() => c.state === 'connected' && hub.frames('hello').length === 2, 'reconnect');
  assert.equal(hub.frames('sub').length, 1, 'not resubscribed');
  await c.close();
});

test('subscribing while disconnected: sent on reconnect', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  hub.crash(true);
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  const p = c.subscribe('c', { from: 0 });
  hub.publishLocal('c', 't', 'x');
  hub.start();
  const sub = await p;
  const m = await sub[Symbol.asyncIterator]().next();
  assert.equal((m.value as Message).data, 'x');
  await c.close();
});

test('auto mode: a full buffer unsubscribes; once drained to half it subscribes again from the cursor, losing nothing', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect(opts(hub)));
  const sub = await c.subscribe<number>('flood', { from: 0, maxInflight: 5 });
  for (let i = 1; i <= 20; i++) hub.publishLocal('flood', 't', i);
  await waitFor(() => hub.frames('unsub').length === 1, 'paused');
  const got: number[] = [];
  for await (const m of sub) {
    got.push(m.data);
    await new Promise((r) => setTimeout(r, 1));
    if (got.length === 20) break;
  }
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => i + 1));
  const subs = hub.frames('sub');
  assert.ok(subs.length >= 2, `subscribed ${subs.length} times`);
  assert.equal(subs[1].from, 5, 'resumed after the last buffered message');
});

test('resumed session: manual subscriptions restored by the hub are taken back; auto ones are unsubscribed and made again', async (t) => {
  const hub = new FakeHub();
  hub.parkSessions = true;
  const c = await closing(t, connect(opts(hub)));
  const manual = await c.subscribe('m.ch', { ack: 'manual' });
  const auto = await c.subscribe('a.ch', { ack: 'auto' });
  assert.deepEqual([manual.id, auto.id], ['s1', 's2']);
  hub.crash(false);
  await waitFor(() => c.state === 'connected' && hub.frames('hello').length === 2, 'resumed');
  await waitFor(() => hub.frames('sub').length === 3, 'auto subscribed again');
  assert.equal(manual.id, 's1', 'taken back under its id');
  const unsub = hub.frames('unsub');
  assert.deepEqual(unsub.map((u) => u.sub), ['s2']);
  const resub = hub.frames('sub')[2];
  assert.equal(resub.ch, 'a.ch');
  assert.equal(auto.id, 's3');
  // The unsub went out before the new sub.
  const order = hub.received.filter((r) => r.conn === 2 && (r.frame.op === 'sub' || r.frame.op === 'unsub')).map((r) => r.frame.op);
  assert.deepEqual(order, ['unsub', 'sub']);
});
