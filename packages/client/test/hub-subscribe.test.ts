import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { connect, type Message } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const SHORT_ACK = fileURLToPath(new URL('./fixtures/short-ack-timeout.yaml', import.meta.url));

test('async iteration from 0 with manual ack, then live messages', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const pub = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-it-pub' }));
  const sub = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-it-sub' }));
  for (let i = 1; i <= 3; i++) await pub.publish('it.ch', 'n', { i });
  const s = await sub.subscribe<{ i: number }>('it.ch', { from: 0, ack: 'manual' });
  assert.equal(s.ch, 'it.ch');
  assert.match(s.id, /^s\d+$/);
  const got: number[] = [];
  const done = (async () => {
    for await (const m of s) {
      assert.equal(m.ch, 'it.ch');
      assert.equal(m.type, 'n');
      assert.equal(m.envelope.source, 'sdk-it-pub');
      got.push(m.data.i);
      m.ack();
      if (got.length === 6) break;
    }
  })();
  await waitFor(() => got.length === 3, 'backlog');
  for (let i = 4; i <= 6; i++) await pub.publish('it.ch', 'n', { i });
  await done;
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6]);
  assert.equal(s.lastSeq(), 6);
});

test('from latest: only messages published after the subscription; lastSeq starts at head', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-latest' }));
  await c.publish('latest.ch', 'n', 1);
  await c.publish('latest.ch', 'n', 2);
  const s = await c.subscribe<number>('latest.ch');
  assert.equal(s.lastSeq(), 2);
  await c.publish('latest.ch', 'n', 3);
  const it = s[Symbol.asyncIterator]();
  const m = (await it.next()).value as Message<number>;
  assert.equal(m.seq, 3);
  assert.equal(m.data, 3);
  assert.equal(s.lastSeq(), 3);
});

test('callback with manual ack: acked when the callback resolves; a throw nacks and the message comes again', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-cb' }));
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e));
  const seen: string[] = [];
  let failed = false;
  const s = await c.subscribe<{ i: number }>('cb.ch', {
    from: 0,
    onMessage: async (m) => {
      seen.push(`${m.data.i}/${m.redelivered}`);
      await sleep(5);
      if (m.data.i === 2 && !failed) {
        failed = true;
        throw new Error('transient failure');
      }
    },
  });
  for (let i = 1; i <= 3; i++) await c.publish('cb.ch', 'n', { i });
  await waitFor(() => seen.length === 4, 'four deliveries');
  // First deliveries come in seq order; the redelivery of 2 follows its failed first delivery (before or after 3's
  // first delivery, depending on when 3 was published).
  assert.deepEqual(
    seen.filter((x) => x.endsWith('/0')),
    ['1/0', '2/0', '3/0'],
  );
  assert.deepEqual(
    seen.filter((x) => !x.endsWith('/0')),
    ['2/1'],
  );
  assert.ok(seen.indexOf('2/1') > seen.indexOf('2/0'), seen.join(' '));
  assert.match(errors[0]!.message, /transient failure/);
  await waitFor(() => s.lastSeq() === 3, 'all acked');
  // Nothing comes back: everything was acknowledged.
  await sleep(200);
  assert.equal(seen.length, 4);
});

test('nack with delay: redelivered after the delay with redelivered = 1', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-nack' }));
  const s = await c.subscribe<string>('nack.ch', { from: 0, ack: 'manual' });
  await c.publish('nack.ch', 'n', 'x');
  const it = s[Symbol.asyncIterator]();
  const first = (await it.next()).value as Message<string>;
  assert.equal(first.redelivered, 0);
  const t0 = Date.now();
  first.nack({ delayMs: 200, reason: 'try later' });
  const again = (await it.next()).value as Message<string>;
  assert.ok(Date.now() - t0 >= 180, `came back after ${Date.now() - t0} ms`);
  assert.equal(again.seq, first.seq);
  assert.equal(again.redelivered, 1);
  again.ack();
  assert.equal(s.lastSeq(), 1);
});

test('a message not acknowledged in time is redelivered (ack timeout); acking either copy settles it', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { config: SHORT_ACK });
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-ackto' }));
  const s = await c.subscribe('ackto.ch', { from: 0, ack: 'manual' });
  await c.publish('ackto.ch', 'n', 1);
  const it = s[Symbol.asyncIterator]();
  const first = (await it.next()).value as Message;
  assert.equal(first.redelivered, 0);
  const t0 = Date.now();
  const again = (await it.next()).value as Message;
  assert.ok(Date.now() - t0 >= 250, `came back after ${Date.now() - t0} ms`);
  assert.equal(again.seq, first.seq);
  assert.ok(again.redelivered >= 1);
  first.ack();
  assert.equal(s.lastSeq(), 1);
  await c.publish('ackto.ch', 'n', 2);
  const next = (await it.next()).value as Message;
  assert.equal(next.seq, 2, 'no further copy of 1');
  next.ack();
});

test('consumer group: each message goes to one member', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const a = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-grp' }));
  const b = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-grp' }));
  const got: Record<string, number[]> = { a: [], b: [] };
  await a.subscribe<number>('grp.ch', {
    group: 'workers',
    from: 0,
    onMessage: (m) => {
      got.a!.push(m.data);
    },
  });
  await b.subscribe<number>('grp.ch', {
    group: 'workers',
    from: 0,
    onMessage: (m) => {
      got.b!.push(m.data);
    },
  });
  for (let i = 1; i <= 20; i++) await a.publish('grp.ch', 'n', i);
  await waitFor(() => got.a!.length + got.b!.length === 20, 'twenty');
  assert.deepEqual(
    [...got.a!, ...got.b!].sort((x, y) => x - y),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  assert.ok(got.a!.length > 0 && got.b!.length > 0, JSON.stringify(got));
});

test('pattern subscription: several channels, ack carries the channel', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-pattern' }));
  const got: string[] = [];
  const s = await c.subscribe('pat.*', {
    from: 0,
    onMessage: (m) => {
      got.push(`${m.ch}:${m.seq}`);
    },
  });
  await c.publish('pat.a', 'n', 1);
  await c.publish('pat.b', 'n', 1);
  await c.publish('pat.a', 'n', 2);
  await waitFor(() => got.length === 3, 'three');
  assert.deepEqual(got, ['pat.a:1', 'pat.b:1', 'pat.a:2']);
  await waitFor(() => s.lastSeq('pat.a') === 2 && s.lastSeq('pat.b') === 1, 'acked per channel');
});

test('unsubscribe: the iteration ends and nothing more arrives', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-unsub' }));
  const s = await c.subscribe('unsub.ch');
  const it = s[Symbol.asyncIterator]();
  const pending = it.next();
  await s.unsubscribe();
  assert.deepEqual(await pending, { value: undefined, done: true });
  await c.publish('unsub.ch', 'n', 1);
});

test('subscribing to an invalid pattern rejects with the hub code', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-badsub' }));
  await assert.rejects(c.subscribe('a.>.b'), { code: 'UNKNOWN_CHANNEL' });
});

test('auto ack with a slow consumer: the buffer stays bounded and nothing is lost', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const wire = new Wire();
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-slow', WebSocket: wire.WebSocket }));
  for (let i = 1; i <= 300; i++) void c.publish('slow.ch', 'n', i);
  await c.publish('slow.ch', 'n', 301);
  const s = await c.subscribe<number>('slow.ch', { from: 0, maxInflight: 20 });
  const got: number[] = [];
  let maxBuffered = 0;
  for await (const m of s) {
    got.push(m.data);
    maxBuffered = Math.max(maxBuffered, (s as unknown as { buffer: unknown[] }).buffer.length);
    if (got.length % 50 === 0) await sleep(20);
    if (got.length === 301) break;
  }
  assert.deepEqual(
    got,
    Array.from({ length: 301 }, (_, i) => i + 1),
  );
  assert.ok(maxBuffered <= 20, `buffered at most ${maxBuffered}`);
  // The full buffer made the SDK unsubscribe; once drained it subscribed again after the last message it buffered.
  const subs = wire.frames('sub');
  assert.ok(wire.frames('unsub').length >= 1 && subs.length >= 2, `unsubscribed ${wire.frames('unsub').length}, subscribed ${subs.length} times`);
  assert.ok(typeof subs[1].from === 'number' && subs[1].from >= 20 && subs[1].from < 301, `resumed after the last buffered message: from ${subs[1].from}`);
});
