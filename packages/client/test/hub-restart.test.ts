import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionState, type PublishResult } from '../src/index.js';
import { history, hubFor, hubProcessFor, NO_HUB, type HubProcess, type HubRef } from './support/hub.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';
import type { Envelope } from '@switchboard/protocol';

const N = 500;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const reconnect = { initialDelayMs: 20, maxDelayMs: 250 };

/**
 * A publisher streams N messages with the offline queue; at message 150 the hub goes down (SIGTERM or
 * kill -9), stays down 300 ms and restarts on the same port and data directory. Every publish must land
 * exactly once, in order, and a subscriber (manual ack, from 0) must see seq 1..N with no gap and no duplicate.
 */
async function streamThroughRestart(t: { after(fn: () => unknown): void }, how: 'stop' | 'kill9', burst = false): Promise<void> {
  const hub = await hubProcessFor(t);
  const ch = `stream.${how}${burst ? '.burst' : ''}`;
  const subscriber = await closing(t, connect({ url: hub.wsUrl, component: 'stream-sub', reconnect }));
  const seqs: number[] = [];
  const values: number[] = [];
  const sub = await subscriber.subscribe<{ i: number }>(ch, {
    from: 0,
    ack: 'manual',
    onMessage: (m) => {
      seqs.push(m.seq);
      values.push(m.data.i);
    },
  });
  const publisher = await closing(t, connect({ url: hub.wsUrl, component: 'stream-pub', reconnect }));
  const states: ConnectionState[] = [];
  publisher.on('state', (s) => states.push(s));
  const errors: Error[] = [];
  publisher.on('error', (e) => errors.push(e));

  const results: Promise<PublishResult>[] = [];
  let outage: Promise<void> | undefined;
  let whileDown = 0; // burst: publishes not acknowledged when the hub went down
  if (burst) {
    // All at once: when the hub dies, many are on the wire or stored without their ok having come back.
    let acked = 0;
    for (let i = 0; i < N; i++)
      results.push(
        publisher.publish(ch, 'n', { i }).then((r) => {
          acked++;
          return r;
        }),
      );
    await results[0];
    outage = bounce(hub, how);
    whileDown = N - acked;
  } else {
    for (let i = 0; i < N; i++) {
      if (publisher.state !== 'connected') whileDown++;
      results.push(publisher.publish(ch, 'n', { i }));
      if (i === 150) outage = bounce(hub, how);
      await sleep(1);
    }
  }
  await outage;
  const res = await Promise.all(results);
  await waitFor(() => publisher.state === 'connected', 'the publisher to reconnect', 10_000);

  assert.deepEqual([...states], ['reconnecting', 'connected'], `the publisher went through one outage; errors: ${errors.map((e) => e.message).join('; ')}`);
  if (!burst) assert.ok(whileDown > 50, `publishes queued while the hub was down: ${whileDown}`);
  if (process.env.SB_TEST_VERBOSE) console.log(how, { whileDown, duplicates: res.filter((r) => r.duplicate).length });
  assert.deepEqual(
    res.map((r) => r.seq),
    range(1, N),
    'publish i got seq i+1',
  );
  const stored = await history<Envelope<{ i: number }>>(hub.url, ch);
  assert.equal(stored.length, N, 'every publish stored exactly once');
  assert.deepEqual(
    stored.map((m) => m.seq),
    range(1, N),
  );
  assert.deepEqual(
    stored.map((m) => m.data.i),
    range(0, N),
  );
  assert.deepEqual(
    stored.map((m) => m.id),
    res.map((r) => r.msgId),
    'stored under the msg_id the SDK generated',
  );

  await waitFor(() => seqs.length >= N, `the subscriber to get ${N} messages (has ${seqs.length})`, 20_000);
  await sleep(100);
  assert.deepEqual(seqs, range(1, N), 'the subscriber saw every seq once, in order');
  assert.deepEqual(values, range(0, N));
  await waitFor(() => sub.lastSeq() === N, 'all acknowledged');

  // A fresh subscriber from 0 reads the same log.
  const late = await closing(t, connect({ url: hub.wsUrl, component: 'stream-late' }));
  const lateSub = await late.subscribe<{ i: number }>(ch, { from: 0 });
  const lateSeqs: number[] = [];
  for await (const m of lateSub) {
    lateSeqs.push(m.seq);
    if (lateSeqs.length === N) break;
  }
  assert.deepEqual(lateSeqs, range(1, N));
}

async function bounce(hub: HubRef<HubProcess>, how: 'stop' | 'kill9'): Promise<void> {
  if (how === 'stop') await hub.current.stop();
  else await hub.current.kill9();
  await sleep(300);
  await hub.restart();
}

test(
  'hub stopped (SIGTERM) and restarted mid-stream: every publish lands once, the subscriber resumes with no gap',
  { skip: NO_HUB, timeout: 60_000 },
  async (t) => {
    await streamThroughRestart(t, 'stop');
  },
);

test(
  'hub killed (kill -9) and restarted mid-stream: every publish lands once, the subscriber resumes with no gap',
  { skip: NO_HUB, timeout: 60_000 },
  async (t) => {
    await streamThroughRestart(t, 'kill9');
  },
);

test(
  'hub killed (kill -9) during a burst of 500 unacknowledged publishes: each is re-sent with its msg_id and lands once',
  { skip: NO_HUB, timeout: 60_000 },
  async (t) => {
    await streamThroughRestart(t, 'kill9', true);
  },
);

test('hub stopped (SIGTERM) during a burst of 500 publishes: each lands once', { skip: NO_HUB, timeout: 60_000 }, async (t) => {
  await streamThroughRestart(t, 'stop', true);
});

test('a subscriber that is down while messages are published resumes from its last ack, with no gap', { skip: NO_HUB, timeout: 60_000 }, async (t) => {
  const hub = await hubProcessFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'resume-sub', reconnect }));
  const got: number[] = [];
  const sub = await c.subscribe<number>('resume.ch', {
    ack: 'manual',
    onMessage: (m) => {
      got.push(m.data);
    },
  });
  const p = await closing(t, connect({ url: hub.wsUrl, component: 'resume-pub', reconnect }));
  for (let i = 1; i <= 10; i++) await p.publish('resume.ch', 'n', i);
  await waitFor(() => got.length === 10 && sub.lastSeq() === 10, 'first ten');
  await hub.current.kill9();
  await hub.restart();
  await waitFor(() => p.state === 'connected', 'publisher back', 10_000);
  for (let i = 11; i <= 20; i++) await p.publish('resume.ch', 'n', i);
  await waitFor(() => got.length >= 20, 'twenty', 10_000);
  await sleep(100);
  assert.deepEqual(got, range(1, 20));
});

test('a session resumed on the same hub keeps its subscriptions (the hub restores them)', { skip: NO_HUB, timeout: 30_000 }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'resume-sess', reconnect }));
  const got: number[] = [];
  let welcomes = 0;
  c.on('welcome', (w) => {
    welcomes++;
    assert.equal(w.resumed, true);
  });
  await c.subscribe<number>('sess.ch', {
    from: 0,
    ack: 'manual',
    onMessage: (m) => {
      got.push(m.data);
    },
  });
  const p = await closing(t, connect({ url: hub.wsUrl, component: 'resume-sess-pub' }));
  for (let i = 1; i <= 5; i++) await p.publish('sess.ch', 'n', i);
  await waitFor(() => got.length === 5, 'five');
  const session = c.session;
  // Drop the socket without stopping the hub: the hub parks the session's subscriptions.
  (c as unknown as { transport: { close(code: number, reason: string): void } }).transport.close(4000, 'test drops the socket');
  await waitFor(() => welcomes === 1 && c.state === 'connected', 'resumed');
  assert.equal(c.session, session);
  for (let i = 6; i <= 10; i++) await p.publish('sess.ch', 'n', i);
  await waitFor(() => got.length >= 10, 'ten');
  await sleep(100);
  assert.deepEqual(got, range(1, 10));
});

test(
  'a resumed session with an auto-ack subscription: re-made from what was received, no gap and no duplicate',
  { skip: NO_HUB, timeout: 30_000 },
  async (t) => {
    const hub = await hubFor(t);
    const c = await closing(t, connect({ url: hub.wsUrl, component: 'resume-auto', reconnect }));
    const got: number[] = [];
    await c.subscribe<number>('sess.auto', {
      from: 0,
      onMessage: (m) => {
        got.push(m.data);
      },
      ack: 'auto',
    });
    const p = await closing(t, connect({ url: hub.wsUrl, component: 'resume-auto-pub' }));
    const publishing = (async () => {
      for (let i = 1; i <= 200; i++) await p.publish('sess.auto', 'n', i);
    })();
    await waitFor(() => got.length >= 50, 'fifty');
    (c as unknown as { transport: { close(code: number, reason: string): void } }).transport.close(4000, 'test drops the socket');
    await publishing;
    await waitFor(() => got.length >= 200, 'two hundred', 10_000);
    await sleep(100);
    assert.deepEqual(got, range(1, 200));
  },
);
