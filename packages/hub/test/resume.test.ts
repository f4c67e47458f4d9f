// Resuming: (a) a client that remembers the last seq it acked re-subscribes with `from: k` and gets every
// message after k, no gap, nothing before; (b) `hello.resume` restores a session's subscriptions, which
// continue after what was acknowledged; an unknown (or expired) session id gives a fresh session.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../../../test/support/raw-client.js';
import { assertContiguous, publishMany, quietFor, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { sleep } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';

describe('resume', () => {
  const fx = useHub({ config: fixture('resume.yaml') });
  let publisher: RawClient;
  before(async () => {
    publisher = await fx.connect('bridge');
  });

  /** Receives `n` messages of `sub`, acking each up to and including `ackUpTo`. */
  async function receive(c: RawClient, sub: string, n: number, ackUpTo: number): Promise<number[]> {
    const seqs: number[] = [];
    for (const f of await c.messages(sub, n)) {
      seqs.push(f.msg.seq);
      if (f.msg.seq <= ackUpTo) await c.call({ op: 'ack', sub, seq: f.msg.seq });
    }
    return seqs;
  }

  it('(a) a subscriber that re-subscribes with from: k gets k+1… with no gap and nothing before', async () => {
    const ch = 'rs.client';
    const first = await fx.connect('engine');
    const { sub } = await subscribe(first, { ch, ack: 'manual', from: 'earliest' });
    await publishMany(publisher, ch, 20, { window: 10 });
    const k = 12;
    assertContiguous(await receive(first, sub, 20, k), 0, 'before the disconnect');
    await first.close();

    await publishMany(publisher, ch, 50, { window: 10 });
    const again = await fx.connect('engine');
    const r = await subscribe(again, { ch, ack: 'manual', from: k });
    assert.equal(r.head, 70);
    const seqs = (await again.messages(r.sub, 70 - k)).map((f) => f.msg.seq);
    assertContiguous(seqs, k, 'after re-subscribing from k');
    assert.deepEqual(await quietFor(again, r.sub, 300), [], 'nothing more, nothing before k');
    await publishMany(publisher, ch, 1);
    const [live] = await again.messages(r.sub, 1);
    assert.equal(live.msg.seq, 71, 'then live messages follow');
  });

  it('(a) catches up from k while the channel keeps growing: no gap and no repeat at the switch to live', async () => {
    const ch = 'rs.busy';
    await publishMany(publisher, ch, 2000, { window: 100 });
    const auto = await fx.connect('auditor');
    const manual = await fx.connect('auditor-manual');
    const publishing = publishMany(publisher, ch, 3000, { window: 50 }); // keeps publishing during the catch-up
    const a = await subscribe(auto, { ch, from: 500 });
    const m = await subscribe(manual, { ch, ack: 'manual', max_inflight: 50, from: 1000 });
    const seqsA: number[] = [];
    const seqsM: number[] = [];
    while (seqsA.length < 4500) seqsA.push((await auto.next((f) => f.op === 'msg' && f.sub === a.sub, 10_000)).msg.seq);
    while (seqsM.length < 4000) {
      const f = await manual.next((x) => x.op === 'msg' && x.sub === m.sub, 10_000);
      seqsM.push(f.msg.seq);
      manual.send({ op: 'ack', sub: m.sub, seq: f.msg.seq });
    }
    await publishing;
    assertContiguous(seqsA, 500, 'auto-ack subscriber from 500');
    assertContiguous(seqsM, 1000, 'manual-ack subscriber (window 50) from 1000');
    assert.deepEqual(await quietFor(auto, a.sub, 200), []);
    assert.deepEqual(
      manual.drain((f) => f.op === 'msg'),
      [],
    );
  });

  it('(b) hello.resume restores the subscriptions, continuing after the last acknowledged seq', async () => {
    const ch = 'rs.session';
    const chGroup = 'rs.session.group';
    const { client: first, welcome } = await fx.session('engine-b');
    const plain = await subscribe(first, { ch, ack: 'manual', from: 'earliest' });
    const grouped = await subscribe(first, { ch: chGroup, group: 'engine', ack: 'manual', from: 'earliest' });
    await publishMany(publisher, ch, 20, { window: 10 });
    await publishMany(publisher, chGroup, 10, { window: 10 });
    assertContiguous(await receive(first, plain.sub, 20, 12), 0, 'plain sub before the disconnect');
    assertContiguous(
      (await receive(first, grouped.sub, 10, 6)).sort((a, b) => a - b),
      0,
      'group sub before the disconnect',
    );
    await first.close();

    await publishMany(publisher, ch, 30, { window: 10 });
    await publishMany(publisher, chGroup, 4, { window: 4 });

    const { client: second, welcome: w2 } = await fx.session('engine-b', { resume: welcome.session });
    assert.equal(w2.resumed, true, JSON.stringify(w2));
    assert.equal(w2.session, welcome.session, 'the session keeps its id');
    const subs = [...w2.subs].sort((a, b) => a.sub.localeCompare(b.sub));
    assert.deepEqual(
      subs.map((s) => ({ sub: s.sub, ch: s.ch, group: s.group, ack: s.ack })),
      [
        { sub: plain.sub, ch, group: undefined, ack: 'manual' },
        { sub: grouped.sub, ch: chGroup, group: 'engine', ack: 'manual' },
      ],
    );
    // The same sub ids continue: everything after the last ack, in order, no gap.
    const resumed = (await second.messages(plain.sub, 38)).map((f) => f.msg.seq);
    assertContiguous(resumed, 12, 'resumed plain subscription');
    const groupSeqs = (await second.messages(grouped.sub, 8)).map((f) => f.msg.seq).sort((a, b) => a - b);
    assertContiguous(groupSeqs, 6, 'resumed group subscription');
    assert.deepEqual(await quietFor(second, plain.sub, 300), []);
    assert.deepEqual(
      second.drain((f) => f.op === 'msg' && f.sub === grouped.sub),
      [],
    );

    // The restored subscription takes acks and live messages; a new sub gets a fresh id.
    assert.equal((await second.call({ op: 'ack', sub: plain.sub, seq: 13 })).op, 'ok');
    await publishMany(publisher, ch, 1);
    const [live] = await second.messages(plain.sub, 1);
    assert.equal(live.msg.seq, 51);
    const extra = await subscribe(second, { ch: 'rs.other' });
    assert.ok(![plain.sub, grouped.sub].includes(extra.sub), `a new subscription gets a new id, not ${extra.sub}`);
  });

  it('gives a fresh session for an unknown, foreign or expired resume id', async () => {
    const { welcome: w1 } = await fx.session('engine-c', { resume: 'no-such-session' });
    assert.equal(w1.resumed, false);
    assert.notEqual(w1.session, 'no-such-session');
    assert.equal(w1.subs, undefined, 'nothing restored');

    // A session parked by another component is not handed over.
    const { client: owner, welcome: ow } = await fx.session('engine-d');
    await subscribe(owner, { ch: 'rs.foreign', ack: 'manual' });
    await owner.close();
    const { welcome: w2 } = await fx.session('intruder', { resume: ow.session });
    assert.equal(w2.resumed, false);
    assert.notEqual(w2.session, ow.session);

    // After session_ttl (2s) the parked subscriptions are gone.
    await sleep(2500);
    const { welcome: w3 } = await fx.session('engine-d', { resume: ow.session });
    assert.equal(w3.resumed, false, 'expired after session_ttl');
  });
});
