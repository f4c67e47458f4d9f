// Dead letters keep the publisher's text: the `$dlq.<ch>` copy of a message refused by its contract, and of one
// nacked until it ran out of deliveries, carries data digit for digit, and the publisher's meta with `dlq` added.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../../../test/support/exact-json.js';
import { fixture } from './fixtures/delivery-support.js';

/** The meta text of a dead letter: the publisher's members as written, then the hub's `dlq`. */
const META_PREFIX = '"meta":' + EXACT_META.slice(0, -1) + ',"dlq":{';

describe('payload fidelity in dead-letter logs', () => {
  const fx = useHub({ config: fixture('fidelity.yaml'), contracts: fixture('contracts-fidelity') });

  it('a message refused by the contract is kept exactly in $dlq.<ch>, live and in the history', async () => {
    const watcher = await fx.connect('operator');
    const texts = captureText(watcher);
    const { sub } = await subscribe(watcher, { ch: '$dlq.fid.orders' });
    const publisher = await fx.connect('py-bridge');
    const refused = EXACT_DATA.replace('"side": "buy"', '"side": "hold"');
    publisher.send(frameText({ op: 'pub', id: 1, ch: 'fid.orders', type: 'order' }, refused, EXACT_META));
    const err = await publisher.next((f) => f.re === 1);
    assert.equal(err.code, 'CONTRACT_VIOLATION', JSON.stringify(err));

    const msg = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`));
    assertExactPayload(msg, refused, undefined, 'the live $dlq copy');
    assert.ok(msg.includes(META_PREFIX), `publisher meta kept, dlq added: ${msg}`);
    assert.equal(JSON.parse(msg).msg.meta.dlq.code, 'CONTRACT_VIOLATION');

    const history = await (await fetch(`${fx.hub.url}/v1/channels/${encodeURIComponent('$dlq.fid.orders')}/messages`)).text();
    assertExactPayload(history, refused, undefined, 'the $dlq history');
    assert.ok(history.includes(META_PREFIX), history);
  });

  it('a message nacked until max_deliveries is kept exactly in $dlq.<ch>', async () => {
    const watcher = await fx.connect('operator');
    const texts = captureText(watcher);
    const dlqSub = (await subscribe(watcher, { ch: '$dlq.fid.nack.a' })).sub;
    const consumer = await fx.connect('java-engine');
    const { sub } = await subscribe(consumer, { ch: 'fid.nack.a', ack: 'manual' });
    const publisher = await fx.connect('py-bridge');
    publisher.send(frameText({ op: 'pub', id: 1, ch: 'fid.nack.a', type: 'order' }, EXACT_DATA, EXACT_META));
    assert.equal((await publisher.next((f) => f.re === 1)).op, 'ok');
    for (let n = 1; n <= 2; n++) {
      const m = await consumer.next((f) => f.op === 'msg' && f.sub === sub);
      consumer.send({ op: 'nack', sub, seq: m.msg.seq, reason: `attempt ${n}` });
    }
    const msg = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${dlqSub}"`));
    assertExactPayload(msg, EXACT_DATA, undefined, 'the $dlq copy of an exhausted message');
    assert.ok(msg.includes(META_PREFIX), `publisher meta kept, dlq added: ${msg}`);
    assert.equal(JSON.parse(msg).msg.meta.dlq.deliveries, 2);
  });

  it("a publisher meta with a dlq key of its own is replaced by the hub's, the data still exact", async () => {
    const watcher = await fx.connect('operator');
    const texts = captureText(watcher);
    const { sub } = await subscribe(watcher, { ch: '$dlq.fid.orders' });
    const publisher = await fx.connect('py-bridge');
    const refused = EXACT_DATA.replace('"side": "buy"', '"side": 7');
    publisher.send(frameText({ op: 'pub', id: 2, ch: 'fid.orders', type: 'order' }, refused, '{"dlq": "mine", "k": 1}'));
    assert.equal((await publisher.next((f) => f.re === 2)).code, 'CONTRACT_VIOLATION');
    const msg = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`) && t.includes('"side": 7'));
    assertExactPayload(msg, refused, undefined, 'the $dlq copy');
    const meta = JSON.parse(msg).msg.meta;
    assert.equal(meta.k, 1);
    assert.equal(meta.dlq.code, 'CONTRACT_VIOLATION', "one dlq member, the hub's");
    assert.equal(msg.split('"dlq"').length - 1, 1);
  });
});
