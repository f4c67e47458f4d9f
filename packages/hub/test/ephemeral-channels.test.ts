// Ephemeral channels (config `channels: {"rtc.>": {mode: ephemeral}}`): delivered live, never stored, seq
// still increasing; `from: earliest` gets only what is published after the subscription.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../../../test/support/raw-client.js';
import { publishMany, quietFor, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';
import type { Envelope } from '@switchboard/protocol';

describe('ephemeral channels', () => {
  const fx = useHub({ config: fixture('ephemeral.yaml') });
  let publisher: RawClient;
  before(async () => {
    publisher = await fx.connect('presenter');
  });

  it('delivers live to every subscriber, with increasing seq, and stores nothing', async () => {
    const ch = 'rtc.room.1';
    const a = await fx.connect('attendee-a');
    const b = await fx.connect('attendee-b');
    const subA = (await subscribe(a, { ch })).sub;
    const subB = (await subscribe(b, { ch: 'rtc.>' })).sub;
    const seqs = await publishMany(publisher, ch, 25, { window: 1, type: 'ice', data: (i) => ({ candidate: i }) });
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seq increases: ${seqs.join(',')}`);
    const gotA = await a.messages<Envelope<{ candidate: number }>>(subA, 25);
    const gotB = await b.messages(subB, 25);
    assert.deepEqual(
      gotA.map((f) => f.msg.seq),
      seqs,
      'each message reaches subscriber A once, in order',
    );
    assert.deepEqual(
      gotB.map((f) => f.msg.seq),
      seqs,
      'and the pattern subscriber B',
    );
    assert.deepEqual(
      gotA.map((f) => f.msg.data.candidate),
      range(0, 24),
    );
    assert.equal(gotA[0].msg.ch, ch);
    assert.equal(gotA[0].msg.type, 'ice');

    assert.deepEqual(await fx.history(ch), [], 'HTTP history of an ephemeral channel is empty');
    assert.deepEqual((await fx.historyPage(ch, 0)).messages, []);
  });

  it('gives a from:"earliest" (or from:0) subscriber only messages published after it subscribed', async () => {
    const ch = 'rtc.room.2';
    const before = await publishMany(publisher, ch, 5, { window: 1 });
    const c = await fx.connect('late-joiner');
    const earliest = await subscribe(c, { ch, from: 'earliest' });
    const zero = await subscribe(c, { ch, from: 0 });
    assert.deepEqual(await quietFor(c, earliest.sub, 300), [], 'nothing from before the subscription');
    assert.deepEqual(
      c.drain((f) => f.op === 'msg' && f.sub === zero.sub),
      [],
    );
    const after = await publishMany(publisher, ch, 3, { window: 1 });
    assert.ok(after[0]! > before[4]!, 'seq keeps increasing');
    assert.deepEqual(
      (await c.messages(earliest.sub, 3)).map((f) => f.msg.seq),
      after,
    );
    assert.deepEqual(
      (await c.messages(zero.sub, 3)).map((f) => f.msg.seq),
      after,
    );
    assert.deepEqual(await quietFor(c, earliest.sub, 200), []);
  });

  it('answers data too deeply nested to encode with BAD_FRAME, as a durable channel does, and delivers nothing', async () => {
    const ch = 'rtc.deep';
    const c = await fx.connect('deep-listener');
    const { sub } = await subscribe(c, { ch });
    const depth = 100_000;
    publisher.send(`{"op":"pub","id":"deep","ch":"${ch}","type":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const err = await publisher.next((f) => f.re === 'deep');
    assert.equal(err.op, 'err');
    assert.equal(err.code, 'BAD_FRAME', JSON.stringify(err).slice(0, 300));
    assert.deepEqual(await quietFor(c, sub, 200), [], 'nothing was delivered');
  });
});
