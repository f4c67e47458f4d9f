import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../../../test/support/raw-client.js';
import { useHub, type DeadLetter } from '../../../test/support/hub-fixture.js';
import { fixture } from './fixtures/delivery-support.js';
import type { Envelope, ViolationDetail } from '@switchboard/protocol';
import type { ErrorBody } from '../../../test/support/http-bodies.js';

describe('contracts at runtime', () => {
  const fx = useHub({ contracts: fixture('contracts-market') });
  let pubC: RawClient;
  let subC: RawClient;
  let tickSub: string;
  let wideSub: string;
  before(async () => {
    pubC = await fx.connect('data-bridge');
    subC = await fx.connect('core-engine');
    tickSub = (await subC.call({ op: 'sub', ch: 'market.ticks', from: 'earliest' })).sub;
    wideSub = (await subC.call({ op: 'sub', ch: '>', from: 'earliest' })).sub;
  });

  const tick = (over: Record<string, unknown> = {}) => ({ symbol: 'EURUSD', bid: 1.0841, ask: 1.0843, ...over });
  type Tick = ReturnType<typeof tick>;
  const refused: { type: string; data: unknown }[] = [];

  it('accepts a valid tick', async () => {
    const ok = await pubC.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: tick() });
    assert.deepEqual(ok, { op: 'ok', re: ok.re, seq: 1 });
  });

  it('refuses a tick with a wrong field type with CONTRACT_VIOLATION and per-field details', async () => {
    const data = tick({ bid: '1.0841' });
    const err = await pubC.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data });
    refused.push({ type: 'tick', data });
    assert.equal(err.op, 'err');
    assert.equal(err.code, 'CONTRACT_VIOLATION');
    assert.match(err.message, /\/bid/);
    assert.ok(Array.isArray(err.details));
    assert.equal(err.details.length, 1);
    assert.deepEqual(
      { path: err.details[0].path, rule: err.details[0].rule, expected: err.details[0].expected },
      { path: '/bid', rule: 'type', expected: 'number' },
    );

    const many = tick({ symbol: 'eurusd', ask: undefined });
    delete (many as Record<string, unknown>).ask;
    const err2 = await pubC.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: many });
    refused.push({ type: 'tick', data: many });
    assert.equal(err2.code, 'CONTRACT_VIOLATION');
    const rules = (err2.details as ViolationDetail[]).map((d) => `${d.path} ${d.rule}`).sort();
    assert.deepEqual(rules, ['/ask required', '/symbol pattern']);
  });

  it('refuses a type the channel does not declare', async () => {
    const err = await pubC.call({ op: 'pub', ch: 'market.ticks', type: 'quote', data: tick() });
    refused.push({ type: 'quote', data: tick() });
    assert.equal(err.code, 'CONTRACT_VIOLATION');
    assert.match(err.message, /quote/);
    const details = err.details as ViolationDetail[];
    assert.equal(details[0].rule, 'type');
    assert.deepEqual(details[0].expected, ['tick']);
  });

  it('sends the refusal of a fire-and-forget publish as an err with ch and msg_id', async () => {
    const data = tick({ ask: null });
    pubC.send({ op: 'pub', ch: 'market.ticks', type: 'tick', data, msg_id: 'ff-refused-1' });
    refused.push({ type: 'tick', data });
    const err = await pubC.next((f) => f.op === 'err' && f.msg_id === 'ff-refused-1');
    assert.equal(err.code, 'CONTRACT_VIOLATION');
    assert.equal(err.ch, 'market.ticks');
    assert.equal('re' in err, false);
    assert.equal((err.details as ViolationDetail[])[0].path, '/ask');
  });

  it('never delivers a refused message, and refused messages take no seq', async () => {
    const ok = await pubC.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: tick({ bid: 2 }) });
    assert.equal(ok.seq, 2, 'the seq after four refusals is 2: no gap');
    const msgs = await subC.messages<Envelope<Tick>>(tickSub, 2);
    assert.deepEqual(
      msgs.map((m) => [m.msg.seq, m.msg.data.bid]),
      [
        [1, 1.0841],
        [2, 2],
      ],
    );
    await subC.call({ op: 'ping' });
    assert.deepEqual(
      subC.drain((f) => f.op === 'msg' && f.sub === tickSub),
      [],
    );
    const wide = await subC.messages(wideSub, 2);
    assert.deepEqual(
      wide.map((m) => m.msg.ch),
      ['market.ticks', 'market.ticks'],
    );
    assert.deepEqual(
      subC.drain((f) => f.op === 'msg' && f.sub === wideSub),
      [],
      '">" does not match $dlq channels',
    );
  });

  it('keeps every refused message with its reason in $dlq.market.ticks, readable over HTTP', async () => {
    const body = await fx.historyPage<DeadLetter>('$dlq.market.ticks');
    assert.equal(body.messages.length, refused.length);
    assert.equal(body.next, refused.length);
    for (const [i, m] of body.messages.entries()) {
      assert.equal(m.ch, '$dlq.market.ticks');
      assert.equal(m.seq, i + 1);
      assert.equal(m.type, refused[i]!.type);
      assert.deepEqual(m.data, refused[i]!.data, 'the refused data is kept verbatim');
      assert.equal(m.source, 'data-bridge');
      assert.equal(m.meta.dlq.code, 'CONTRACT_VIOLATION');
      assert.equal(m.meta.dlq.original_ch, 'market.ticks');
      assert.equal(typeof m.meta.dlq.reason, 'string');
      assert.ok(m.meta.dlq.reason.length > 0);
      assert.ok(Array.isArray(m.meta.dlq.details));
    }
    assert.match(body.messages[0].meta.dlq.reason, /\/bid/);
    assert.match(body.messages[2].meta.dlq.reason, /quote/);
    assert.equal(body.messages[3].meta.dlq.msg_id, 'ff-refused-1');
  });

  it('delivers $dlq.market.ticks to a subscriber, old entries and new ones', async () => {
    const s = await subC.call({ op: 'sub', ch: '$dlq.market.ticks', from: 'earliest' });
    assert.equal(s.op, 'ok');
    assert.equal(s.head, refused.length);
    const old = await subC.messages(s.sub, refused.length);
    assert.deepEqual(
      old.map((m) => m.msg.seq),
      refused.map((_, i) => i + 1),
    );
    const bad = tick({ symbol: 'X' });
    await pubC.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: bad });
    const [live] = await subC.messages<DeadLetter>(s.sub, 1);
    assert.equal(live.msg.seq, refused.length + 1);
    assert.deepEqual(live.msg.data, bad);
    assert.match(live.msg.meta.dlq.reason, /symbol/);
    assert.deepEqual(
      subC.drain((f) => f.op === 'msg' && f.sub === tickSub),
      [],
    );
  });

  it('refuses publishing to a $dlq channel', async () => {
    for (const ch of ['$dlq.x', '$dlq.market.ticks']) {
      const err = await pubC.call({ op: 'pub', ch, type: 'tick', data: tick() });
      assert.equal(err.op, 'err', ch);
      assert.equal(err.code, 'UNKNOWN_CHANNEL', ch);
      assert.match(err.message, /reserved/);
    }
    const res = await fetch(`${fx.hub.url}/v1/channels/%24dlq.market.ticks/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'tick', data: tick() }),
    });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as ErrorBody).code, 'UNKNOWN_CHANNEL');
    const after = await fx.historyPage('$dlq.market.ticks');
    assert.equal(after.messages.length, refused.length + 1, 'nothing was added to the DLQ by those attempts');
  });

  it('accepts any message on a channel without a contract', async () => {
    const ok = await pubC.call({ op: 'pub', ch: 'free.form', type: 'anything', data: { bid: 'text' } });
    assert.equal(ok.op, 'ok');
  });
});
