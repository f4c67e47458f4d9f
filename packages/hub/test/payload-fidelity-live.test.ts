// A payload published over the socket reaches a live subscriber exactly as written: every digit of a 64-bit id,
// a nanosecond timestamp and an 18-digit price, on a durable channel and on an ephemeral one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../../../test/support/exact-json.js';
import { fixture } from './fixtures/delivery-support.js';

describe('payload fidelity: live delivery over the socket', () => {
  const fx = useHub({ config: fixture('fidelity.yaml') });

  for (const [kind, ch] of [
    ['durable', 'fid.live'],
    ['ephemeral', 'fid.eph.live'],
  ] as const) {
    it(`forwards data and meta as sent on ${kind === 'ephemeral' ? 'an' : 'a'} ${kind} channel`, async () => {
      const publisher = await fx.connect('py-bridge');
      const subscriber = await fx.connect('java-engine');
      const texts = captureText(subscriber);
      const { sub } = await subscribe(subscriber, { ch });
      publisher.send(frameText({ op: 'pub', id: 1, ch, type: 'order' }, EXACT_DATA, EXACT_META));
      const ok = await publisher.next((f) => f.re === 1);
      assert.equal(ok.op, 'ok', JSON.stringify(ok));
      const msg = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`));
      assertExactPayload(msg, EXACT_DATA, EXACT_META, `the msg frame (${kind})`);
      assert.equal(JSON.parse(msg).msg.seq, ok.seq, "the envelope around it is the hub's, seq included");
    });
  }

  it('still forwards a frame whose data is a string, a number or absent', async () => {
    const publisher = await fx.connect('py-bridge');
    const subscriber = await fx.connect('java-engine');
    const texts = captureText(subscriber);
    const { sub } = await subscribe(subscriber, { ch: 'fid.scalars' });
    publisher.send('{"op":"pub","ch":"fid.scalars","type":"n","data":1764749280343123457}');
    publisher.send('{"op":"pub","ch":"fid.scalars","type":"s","data":"\\u00e9\\"x"}');
    publisher.send('{"op":"pub","ch":"fid.scalars","type":"none"}');
    const isMsg = (t: string) => t.startsWith(`{"op":"msg","sub":"${sub}"`);
    await texts.next((t) => isMsg(t) && t.includes('"type":"none"'));
    const msgs = texts.texts.filter(isMsg);
    assert.equal(msgs.length, 3);
    assert.ok(msgs[0]!.includes('"data":1764749280343123457}'), msgs[0]);
    assert.ok(msgs[1]!.includes('"data":"\\u00e9\\"x"}'), msgs[1]);
    assert.ok(msgs[2]!.includes('"data":null}'), msgs[2]);
  });
});
