import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { connect, type Message, type SwitchboardClient, type WelcomeFrame } from '../src/index.js';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { HubRef, NO_HUB } from './support/hub.js';
import { proxyFor, Wire, type TcpProxy } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

// Subscriptions made again after a reconnect that did not resume the session: the subscriber reaches the hub
// through a TCP proxy, the test cuts it off for longer than the hub keeps a disconnected session (50 ms), and
// messages are published meanwhile by another client connected to the hub directly.
const SHORT_TTL = fileURLToPath(new URL('./fixtures/short-session-ttl.yaml', import.meta.url));
const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };

let hub: HubRef;
let publisher: SwitchboardClient;
before(async () => {
  if (NO_HUB) return;
  hub = new HubRef(await startHubInProcess({ config: SHORT_TTL }));
  publisher = await connect({ url: hub.wsUrl, component: 'resume-publisher' });
});
after(async () => {
  await publisher?.close();
  await hub?.current.cleanup();
});

interface Subscriber {
  c: SwitchboardClient;
  proxy: TcpProxy;
  wire: Wire;
  welcomes: WelcomeFrame[];
}

async function subscriber(t: { after(fn: () => unknown): void }, component: string): Promise<Subscriber> {
  const proxy = await proxyFor(t, hub.current.port);
  const wire = new Wire();
  const c = await closing(t, connect({ url: proxy.wsUrl, component, WebSocket: wire.WebSocket, reconnect }));
  const welcomes: WelcomeFrame[] = [];
  c.on('welcome', (w) => welcomes.push(w));
  return { c, proxy, wire, welcomes };
}

/** Cuts the subscriber off until its session is forgotten, runs `meanwhile`, then lets it reconnect. */
async function outage(s: Subscriber, meanwhile: () => Promise<unknown> = async () => {}): Promise<void> {
  s.proxy.cut(true);
  await waitFor(() => s.c.state === 'reconnecting', 'reconnecting');
  await meanwhile();
  await sleep(150);
  s.proxy.restore();
  await waitFor(() => s.c.state === 'connected', 'reconnected', 5000);
  assert.equal(s.welcomes.at(-1)!.resumed, false, 'the hub had forgotten the session');
}

test(
  'after a reconnect the subscription resumes from the last acknowledged seq: what was published meanwhile comes once, with no gap',
  { skip: NO_HUB },
  async (t) => {
    const s = await subscriber(t, 'resume-ack');
    const got: number[] = [];
    const sub = await s.c.subscribe<{ i: number }>('ra.ch', {
      ack: 'manual',
      onMessage: (m) => {
        got.push(m.seq);
      },
    });
    for (let i = 1; i <= 3; i++) await publisher.publish('ra.ch', 't', { i });
    await waitFor(() => got.length === 3 && sub.lastSeq() === 3, 'three, acknowledged');
    const session = s.c.session;
    await outage(s, () => publisher.publish('ra.ch', 't', { i: 4 }));
    await waitFor(() => got.length === 4, 'the one published during the outage');
    await publisher.publish('ra.ch', 't', { i: 5 });
    await waitFor(() => got.length >= 5, 'a live one');
    await sleep(50);
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    assert.equal(s.wire.frames('hello')[1].resume, session);
    assert.equal(s.wire.frames('sub')[1].from, 3, 'the callback for 3 resolved, so 3 was acknowledged');
  },
);

test(
  'unfinished messages hold the resume point back; replays of messages the app holds are dropped, finished ones acknowledged again',
  { skip: NO_HUB },
  async (t) => {
    for (let i = 1; i <= 4; i++) await publisher.publish('hold.ch', 't', { i });
    const s = await subscriber(t, 'resume-hold');
    const sub = await s.c.subscribe('hold.ch', { from: 0, ack: 'manual' });
    const it = sub[Symbol.asyncIterator]();
    const ms: Message[] = [];
    for (let i = 0; i < 4; i++) ms.push((await it.next()).value as Message);
    ms[0]!.ack();
    ms[2]!.ack();
    assert.equal(sub.lastSeq(), 1);
    await outage(s);
    await waitFor(() => s.wire.frames('sub').length === 2, 'subscribed again');
    assert.equal(s.wire.frames('sub')[1].from, 1);
    await publisher.publish('hold.ch', 't', { i: 5 });
    const next = (await it.next()).value as Message;
    assert.equal(next.seq, 5, '2..4 came again but were dropped: the app holds 2 and 4, and 3 is done');
    // 3 was done already: acknowledged again on the new subscription, so that the hub does not redeliver it.
    await waitFor(
      () => s.wire.sent.some((f) => f.conn > 1 && f.frame.op === 'ack' && f.frame.seq === 3 && f.frame.sub === sub.id),
      'ack of 3 on the new subscription',
    );
    ms[1]!.ack();
    ms[3]!.ack();
    next.ack();
    assert.equal(sub.lastSeq(), 5);
  },
);

test(
  'pattern subscription: seq per channel; after a reconnect it resumes from the lowest channel position and drops what it had',
  { skip: NO_HUB },
  async (t) => {
    const s = await subscriber(t, 'resume-pattern');
    const got: string[] = [];
    const sub = await s.c.subscribe('rp.*', {
      onMessage: (m) => {
        got.push(`${m.ch}:${m.seq}`);
      },
    });
    await publisher.publish('rp.a', 't', 1);
    await publisher.publish('rp.a', 't', 2);
    await publisher.publish('rp.b', 't', 1);
    await publisher.publish('rp.a', 't', 3);
    await waitFor(() => got.length === 4 && sub.lastSeq('rp.a') === 3 && sub.lastSeq('rp.b') === 1, 'four, acknowledged');
    assert.equal(sub.lastSeq(), 1, 'the lowest over its channels');
    await outage(s, async () => {
      await publisher.publish('rp.b', 't', 2);
      await publisher.publish('rp.a', 't', 4);
    });
    await waitFor(() => got.length === 6, 'the two published during the outage');
    await sleep(50);
    assert.equal(s.wire.frames('sub')[1].from, 1);
    assert.deepEqual(got.slice(0, 4), ['rp.a:1', 'rp.a:2', 'rp.b:1', 'rp.a:3']);
    assert.deepEqual(got.slice(4).sort(), ['rp.a:4', 'rp.b:2'], 'rp.a:2..3 were sent again (from 1) and dropped');
    await waitFor(() => sub.lastSeq('rp.a') === 4 && sub.lastSeq('rp.b') === 2, 'acknowledged per channel');
  },
);

test('an unsubscribed subscription is not made again after a reconnect; the others are', { skip: NO_HUB }, async (t) => {
  const s = await subscriber(t, 'resume-unsub');
  const gone = await s.c.subscribe('ru.gone');
  const kept = await s.c.subscribe<number>('ru.kept');
  const it = gone[Symbol.asyncIterator]();
  const pending = it.next();
  await gone.unsubscribe();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.deepEqual(
    s.wire.frames('unsub').map((u) => u.sub),
    [gone.id],
  );
  await outage(s);
  await waitFor(() => s.wire.frames('sub').length === 3, 'subscribed again');
  await sleep(50);
  assert.deepEqual(
    s.wire.sent.filter((f) => f.conn > 1 && f.frame.op === 'sub').map((f) => f.frame.ch),
    ['ru.kept'],
  );
  await publisher.publish('ru.gone', 't', 1);
  await publisher.publish('ru.kept', 't', 2);
  const m = (await kept[Symbol.asyncIterator]().next()).value as Message<number>;
  assert.equal(m.data, 2);
});

test('subscribing while disconnected: the subscription is made once the client is back', { skip: NO_HUB }, async (t) => {
  const s = await subscriber(t, 'resume-late-sub');
  s.proxy.cut(true);
  await waitFor(() => s.c.state === 'reconnecting', 'reconnecting');
  const p = s.c.subscribe<string>('late.ch', { from: 0 });
  await publisher.publish('late.ch', 't', 'x');
  await sleep(100);
  assert.equal(s.wire.frames('sub').length, 0, 'nothing sent while disconnected');
  s.proxy.restore();
  const sub = await p;
  const m = (await sub[Symbol.asyncIterator]().next()).value as Message<string>;
  assert.equal(m.data, 'x');
});
