// `hello.resume` and shared state: document subscriptions continue with the patches the session missed (or one
// patch that replaces the whole value), and a presence membership survives a lost connection without a leave
// and a join, for a grace period of 2 × heartbeat (within session_ttl).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../../../test/support/raw-client.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';

/** Drops the TCP connection without a close frame (the hub sees 1006, a lost connection) and waits for the close. */
async function drop(fx: { hub: { port: number } }, c: RawClient): Promise<void> {
  const openConnections = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${fx.hub.port}/metrics`)).text();
    return Number(/^switchboard_connections (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const closed = new Promise<void>((resolve) => c.ws.once('close', () => resolve()));
  const before = await openConnections();
  c.ws.terminate();
  await closed;
  // and until the hub has seen it go: a patch sent meanwhile would still count as delivered to the old socket
  await waitFor(async () => (await openConnections()) < before, 'the hub to count the connection closed', { timeoutMs: 2000, everyMs: 10 });
}

async function update(c: RawClient, doc: string, ops: unknown[]): Promise<number> {
  const r = await c.call({ op: 'doc.update', doc, ops });
  assert.equal(r.op, 'ok', JSON.stringify(r));
  return r.version;
}

describe('resume: document subscriptions and presence', () => {
  const fx = useHub();

  it('a resumed document subscription continues after the last version sent: the missed patches, then live ones', async () => {
    const writer = await fx.connect('presenter-ui');
    await update(writer, 'session/r1', [{ op: 'add', path: '', value: { slide: 1 } }]);
    const { client: a, welcome } = await fx.session('attendee-ui');
    const sub = await a.call({ op: 'doc.sub', doc: 'session/r1' });
    assert.equal(sub.version, 1);
    await update(writer, 'session/r1', [{ op: 'replace', path: '/slide', value: 2 }]);
    assert.equal((await a.next((f) => f.op === 'doc.patch')).version, 2);
    await drop(fx, a);

    await update(writer, 'session/r1', [{ op: 'replace', path: '/slide', value: 3 }]);
    await update(writer, 'session/r1', [{ op: 'add', path: '/title', value: 'Q&A' }]);
    const { client: b, welcome: w2 } = await fx.session('attendee-ui', { resume: welcome.session });
    assert.equal(w2.resumed, true);
    assert.equal(w2.session, welcome.session);
    assert.deepEqual(w2.docs, [{ doc: 'session/r1', version: 2 }], 'restored, continuing after version 2');
    const p3 = await b.next((f) => f.op === 'doc.patch');
    const p4 = await b.next((f) => f.op === 'doc.patch');
    assert.deepEqual([p3.version, p3.ops, p3.by], [3, [{ op: 'replace', path: '/slide', value: 3 }], 'presenter-ui']);
    assert.deepEqual([p4.version, p4.ops], [4, [{ op: 'add', path: '/title', value: 'Q&A' }]]);
    await update(writer, 'session/r1', [{ op: 'replace', path: '/slide', value: 4 }]);
    assert.equal((await b.next((f) => f.op === 'doc.patch')).version, 5, 'then the live patches');
    const again = await b.call({ op: 'doc.sub', doc: 'session/r1' });
    assert.equal(again.code, 'BAD_FRAME', 'the subscription is there: a second doc.sub is refused');
  });

  it('a resumed subscription made with "batch" keeps it: the missed patches come as one doc.patches run', async () => {
    const writer = await fx.connect('presenter-ui');
    await update(writer, 'session/rb', [{ op: 'add', path: '', value: { slide: 1 } }]);
    const { client: a, welcome } = await fx.session('attendee-ui');
    assert.equal((await a.call({ op: 'doc.sub', doc: 'session/rb', batch: true })).version, 1);
    await drop(fx, a);
    for (const slide of [2, 3, 4]) await update(writer, 'session/rb', [{ op: 'replace', path: '/slide', value: slide }]);
    const { client: b, welcome: w2 } = await fx.session('attendee-ui', { resume: welcome.session });
    assert.deepEqual(w2.docs, [{ doc: 'session/rb', version: 1 }]);
    const run = await b.next((f) => f.op === 'doc.patches' || f.op === 'doc.patch');
    assert.equal(run.op, 'doc.patches');
    assert.deepEqual(
      (run.patches as { version: number; ops: unknown[] }[]).map((p) => [p.version, p.ops]),
      [2, 3, 4].map((v) => [v, [{ op: 'replace', path: '/slide', value: v }]]),
    );
  });

  it('when the missed patches are older than the record keeps, one patch replaces the whole value', async () => {
    const writer = await fx.connect('presenter-ui');
    await update(writer, 'qa/r2', [{ op: 'add', path: '', value: { votes: 0 } }]);
    const { client: a, welcome } = await fx.session('voter');
    assert.equal((await a.call({ op: 'doc.sub', doc: 'qa/r2' })).version, 1);
    await drop(fx, a);
    for (let i = 0; i < 70; i++) await update(writer, 'qa/r2', [{ op: 'inc', path: '/votes', value: 1 }]);
    const { client: b, welcome: w2 } = await fx.session('voter', { resume: welcome.session });
    assert.deepEqual(w2.docs, [{ doc: 'qa/r2', version: 1 }]);
    const p = await b.next((f) => f.op === 'doc.patch');
    assert.deepEqual([p.version, p.ops, p.by], [71, [{ op: 'replace', path: '', value: { votes: 70 } }], '$hub']);
    await sleep(100);
    assert.deepEqual(
      b.drain((f) => f.op === 'doc.patch'),
      [],
      'nothing else',
    );
  });

  it('a member whose connection was lost stays a member; its resume sends no leave and no join, and its watch comes back', async () => {
    const watcher = await fx.connect('presenter-ui');
    assert.equal((await watcher.call({ op: 'sub', ch: 'room.r3', presence: true, info: { name: 'Ada' } })).op, 'ok');
    await watcher.next((f) => f.op === 'join');
    const { client: a, welcome } = await fx.session('attendee-ui');
    const s = await a.call({ op: 'sub', ch: 'room.r3', presence: true, info: { name: 'Bob' } });
    assert.equal((await watcher.next((f) => f.op === 'join')).member.session, welcome.session);
    await drop(fx, a);
    const during = await watcher.call({ op: 'presence', ch: 'room.r3' });
    assert.deepEqual(
      during.members.map((m) => m.info.name),
      ['Ada', 'Bob'],
      'still listed while it may resume',
    );

    const { client: b, welcome: w2 } = await fx.session('attendee-ui', { resume: welcome.session });
    assert.equal(w2.resumed, true);
    assert.deepEqual(
      w2.subs.map((x) => [x.sub, x.ch]),
      [[s.sub, 'room.r3']],
    );
    const after = await b.call({ op: 'presence', ch: 'room.r3' });
    assert.deepEqual(
      after.members.map((m) => [m.info.name, m.session]),
      [
        ['Ada', during.members[0].session],
        ['Bob', welcome.session],
      ],
    );
    const carol = await fx.connect('attendee-2');
    await carol.call({ op: 'sub', ch: 'room.r3', info: { name: 'Carol' } });
    assert.equal((await b.next((f) => f.op === 'join')).member.info.name, 'Carol', 'the restored watch sends joins again');
    await watcher.next((f) => f.op === 'join' && f.member.info.name === 'Carol');
    assert.deepEqual(
      watcher.drain((f) => f.op === 'join' || f.op === 'leave'),
      [],
      'the watcher saw no leave and no join of Bob',
    );

    await b.close();
    const leave = await watcher.next((f) => f.op === 'leave', 2000);
    assert.equal(leave.member.session, welcome.session, 'a client that closes its socket leaves at once');
    const { welcome: w3 } = await fx.session('attendee-ui', { resume: welcome.session });
    assert.equal(w3.resumed, true);
    assert.equal((await watcher.next((f) => f.op === 'join', 2000)).member.session, welcome.session, 'resuming its subscription makes it a member again');
  });
});

describe('resume: presence grace', () => {
  const fx = useHub({ config: fixture('heartbeat-300ms.yaml') });

  it('a lost member leaves after 2 × heartbeat; a resume after that joins it again, with its subscription restored', async () => {
    const watcher = await fx.connect('presenter-ui');
    await watcher.call({ op: 'sub', ch: 'room.g1', presence: true });
    await watcher.next((f) => f.op === 'join');
    const { client: a, welcome } = await fx.session('attendee-ui');
    await a.call({ op: 'sub', ch: 'room.g1', info: { name: 'Bob' } });
    await watcher.next((f) => f.op === 'join');
    const t0 = Date.now();
    await drop(fx, a);
    const leave = await watcher.next((f) => f.op === 'leave', 5000);
    assert.equal(leave.member.session, welcome.session);
    assert.ok(Date.now() - t0 >= 400, `left after ${Date.now() - t0} ms, not at once`);

    const { welcome: w2 } = await fx.session('attendee-ui', { resume: welcome.session });
    assert.equal(w2.resumed, true, 'the session itself is kept for session_ttl');
    const join = await watcher.next((f) => f.op === 'join', 2000);
    assert.deepEqual([join.member.session, join.member.info], [welcome.session, { name: 'Bob' }]);
  });
});
