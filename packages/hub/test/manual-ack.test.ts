// Manual acknowledgement: redelivery after the ack timeout (`redelivered` counting up), ack stops it, nack
// with and without delay, and dead-lettering to `$dlq.<ch>` after max_deliveries — for a plain subscriber
// and for a consumer-group member. Config: ack_timeout 300ms, max_deliveries 3 (fixtures/manual-ack.yaml).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient, WireFrame } from '../../../test/support/raw-client.js';
import { publishMany, quietFor, subscribe, useHub, type DeadLetter } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';

const ACK_TIMEOUT = 300;

describe('manual acknowledgement', () => {
  const fx = useHub({ config: fixture('manual-ack.yaml') });
  let publisher: RawClient;
  before(async () => {
    publisher = await fx.connect('bridge');
  });

  /** Waits for the next delivery of `seq` on `sub` and returns it with the time it arrived. */
  async function delivery(client: RawClient, sub: string, seq: number, timeoutMs = 5000): Promise<{ frame: WireFrame; at: number }> {
    const frame = await client.next((f) => f.op === 'msg' && f.sub === sub && f.msg.seq === seq, timeoutMs);
    return { frame, at: client.arrivedAt(frame) };
  }

  /** Dead letters of `ch` whose meta.dlq points at `seq`, read over HTTP. */
  async function deadLetters(ch: string, seq: number): Promise<DeadLetter[]> {
    return (await fx.history<DeadLetter>(`$dlq.${ch}`)).filter((m) => m.meta?.dlq?.original_ch === ch && m.meta.dlq.original_seq === seq);
  }

  it('redelivers an unacknowledged message after the ack timeout with redelivered 1, then 2', async () => {
    const ch = 'ma.redeliver';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, ack: 'manual' });
    const [seq] = await publishMany(publisher, ch, 1);
    const first = await delivery(c, sub, seq!);
    assert.equal(first.frame.redelivered, undefined, 'a first delivery has no "redelivered"');
    const second = await delivery(c, sub, seq!);
    assert.equal(second.frame.redelivered, 1);
    assert.ok(second.at - first.at >= ACK_TIMEOUT - 50, `redelivered after ${second.at - first.at} ms, before the ack timeout of ${ACK_TIMEOUT} ms`);
    const third = await delivery(c, sub, seq!);
    assert.equal(third.frame.redelivered, 2);
    assert.ok(third.at - second.at >= ACK_TIMEOUT - 50, `second redelivery after ${third.at - second.at} ms`);
    assert.deepEqual(third.frame.msg, first.frame.msg, 'a redelivery carries the same envelope');
    await c.call({ op: 'ack', sub, seq });
  });

  it('stops redelivering once the message is acknowledged', async () => {
    const ch = 'ma.ack';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, ack: 'manual' });
    const [s1, s2] = await publishMany(publisher, ch, 2, { window: 1 });
    await delivery(c, sub, s1!);
    await delivery(c, sub, s2!);
    assert.equal((await c.call({ op: 'ack', sub, seq: s1 })).op, 'ok');
    // s2 is acked only after one redelivery.
    const again = await delivery(c, sub, s2!);
    assert.equal(again.frame.redelivered, 1);
    assert.equal((await c.call({ op: 'ack', sub, seq: s2, ch })).op, 'ok', 'ack with "ch" is accepted');
    assert.deepEqual(await quietFor(c, sub, ACK_TIMEOUT * 4), [], 'nothing is delivered again after the ack');
    assert.deepEqual(await deadLetters(ch, s1!), []);
    assert.deepEqual(await deadLetters(ch, s2!), []);
  });

  it('redelivers a nack with delay_ms after about the delay, not before', async () => {
    const ch = 'ma.nack.delay'; // ack timeout 10 s here: only the nack can bring it back
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, ack: 'manual' });
    const [seq] = await publishMany(publisher, ch, 1);
    await delivery(c, sub, seq!);
    const nackedAt = Date.now();
    assert.equal((await c.call({ op: 'nack', sub, seq, delay_ms: 800, reason: 'busy' })).op, 'ok');
    assert.deepEqual(await quietFor(c, sub, 500), [], 'not redelivered before the delay');
    const again = await delivery(c, sub, seq!, 5000);
    const waited = again.at - nackedAt;
    assert.ok(waited >= 750 && waited < 4000, `redelivered ${waited} ms after a nack with delay_ms 800`);
    assert.equal(again.frame.redelivered, 1);
    await c.call({ op: 'ack', sub, seq });
    assert.deepEqual(await quietFor(c, sub, 300), []);
  });

  it('redelivers a nack without delay at once', async () => {
    const ch = 'ma.nack.now';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, ack: 'manual' });
    const [seq] = await publishMany(publisher, ch, 1);
    await delivery(c, sub, seq!);
    const nackedAt = Date.now();
    c.send({ op: 'nack', sub, seq });
    const again = await delivery(c, sub, seq!, 3000); // the ack timeout is 10 s: only the nack explains it
    assert.ok(again.at - nackedAt < 2000, `redelivered ${again.at - nackedAt} ms after the nack`);
    assert.equal(again.frame.redelivered, 1);
    await c.call({ op: 'ack', sub, seq });
  });

  it('moves a message to $dlq.<ch> after max_deliveries (3) and never delivers it again', async () => {
    const ch = 'ma.dead';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, ack: 'manual' });
    const [seq, next] = await publishMany(publisher, ch, 2, { window: 1, prefix: 'dead-' });
    const seen: WireFrame[] = [(await delivery(c, sub, seq!)).frame];
    await delivery(c, sub, next!);
    await c.call({ op: 'ack', sub, seq: next }); // only the first one is never acked
    for (let i = 0; i < 2; i++) seen.push((await delivery(c, sub, seq!)).frame);
    assert.deepEqual(
      seen.map((f) => f.redelivered),
      [undefined, 1, 2],
    );
    await waitFor(async () => (await deadLetters(ch, seq!)).length > 0, 'the dead letter appears in $dlq', { timeoutMs: 3000, everyMs: 50 });
    const [dead, ...more] = await deadLetters(ch, seq!);
    assert.deepEqual(more, [], 'dead-lettered once');
    assert.equal(dead.ch, `$dlq.${ch}`);
    assert.deepEqual(dead.data, seen[0].msg.data, 'the dead letter keeps the data');
    assert.equal(dead.type, seen[0].msg.type);
    assert.equal(dead.meta.dlq.original_ch, ch);
    assert.equal(dead.meta.dlq.original_seq, seq);
    assert.equal(dead.meta.dlq.deliveries, 3);
    assert.equal(typeof dead.meta.dlq.reason, 'string');
    assert.ok(dead.meta.dlq.reason.length > 0);
    assert.equal(typeof dead.meta.dlq.code, 'string');
    assert.deepEqual(await quietFor(c, sub, ACK_TIMEOUT * 4), [], 'not delivered a 4th time');
    assert.deepEqual(await deadLetters(ch, next!), [], 'the acked message is not dead-lettered');

    // The dead-letter log is a channel like any other: an operator can subscribe to it.
    const op = await fx.connect('operator');
    const dlq = await subscribe(op, { ch: `$dlq.${ch}`, from: 'earliest' });
    const [m] = await op.messages<DeadLetter>(dlq.sub, 1);
    assert.equal(m.msg.meta.dlq.original_seq, seq);
  });

  it('does the same for a consumer-group member: redelivery, nack, dead letter after 3 deliveries', async () => {
    const ch = 'ma.group';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, group: 'workers', ack: 'manual' });
    const [seq, nacked, acked] = await publishMany(publisher, ch, 3, { window: 1 });
    const seen: (WireFrame & { at: number })[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await delivery(c, sub, seq!);
      seen.push({ ...d.frame, at: d.at });
      if (i === 0) {
        await delivery(c, sub, nacked!);
        await delivery(c, sub, acked!);
        await c.call({ op: 'ack', sub, seq: acked });
        await c.call({ op: 'nack', sub, seq: nacked, delay_ms: 0 });
        const back = await delivery(c, sub, nacked!, 2000);
        assert.equal(back.frame.redelivered, 1, 'a nacked group message comes back with redelivered 1');
        await c.call({ op: 'ack', sub, seq: nacked });
      }
    }
    assert.deepEqual(
      seen.map((f) => f.redelivered),
      [undefined, 1, 2],
    );
    assert.ok(seen[1].at - seen[0].at >= ACK_TIMEOUT - 50, `group redelivery after ${seen[1].at - seen[0].at} ms`);
    await waitFor(async () => (await deadLetters(ch, seq!)).length > 0, 'the dead letter appears in $dlq', { timeoutMs: 3000, everyMs: 50 });
    const dead = await deadLetters(ch, seq!);
    assert.equal(dead.length, 1);
    assert.equal(dead[0].meta.dlq.deliveries, 3);
    assert.equal(dead[0].meta.dlq.original_ch, ch);
    assert.deepEqual(dead[0].data, seen[0].msg.data);
    assert.deepEqual(await quietFor(c, sub, ACK_TIMEOUT * 4), [], 'nothing delivered after the dead letter');
    assert.deepEqual(await deadLetters(ch, nacked!), []);
    assert.deepEqual(await deadLetters(ch, acked!), []);

    // The group moved past it: a new member of the same group gets nothing old.
    await c.close();
    const d = await fx.connect('engine-2');
    const s2 = await subscribe(d, { ch, group: 'workers', ack: 'manual' });
    assert.deepEqual(await quietFor(d, s2.sub, 500), [], 'a dead-lettered message is done for the group');
  });

  it('redelivers to a group member whose in-flight window is full, and moves on after the dead letter', async () => {
    const ch = 'ma.group.full';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, group: 'workers', ack: 'manual', max_inflight: 1 });
    const [seq, next] = await publishMany(publisher, ch, 2, { window: 1 });
    const seen: WireFrame[] = [];
    for (let i = 0; i < 3; i++) seen.push((await delivery(c, sub, seq!, 3000)).frame);
    assert.deepEqual(
      seen.map((f) => f.redelivered),
      [undefined, 1, 2],
      'the one message in the window is redelivered after each ack timeout',
    );
    const after = await delivery(c, sub, next!, 3000);
    assert.equal(after.frame.redelivered, undefined, 'once the first is dead-lettered, the window takes the next message');
    await c.call({ op: 'ack', sub, seq: next });
    await waitFor(async () => (await deadLetters(ch, seq!)).length === 1, 'the first is in $dlq', { timeoutMs: 3000, everyMs: 50 });
    assert.deepEqual(await quietFor(c, sub, ACK_TIMEOUT * 3), []);
  });
});
