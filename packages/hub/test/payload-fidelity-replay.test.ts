// Stored payloads come back exactly as written when a subscriber replays the log (`from: 0`) and when a consumer
// group hands them out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../../../test/support/raw-client.js';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../../../test/support/exact-json.js';

/** Publishes `n` exact payloads to `ch` (data with a counter `"n"` in front), waiting for each ok. */
async function publishExact(publisher: RawClient, ch: string, n: number): Promise<string[]> {
  const sent: string[] = [];
  for (let i = 0; i < n; i++) {
    const data = `{"n": ${i}, "payload": ${EXACT_DATA}}`;
    publisher.send(frameText({ op: 'pub', id: `x${ch}${i}`, ch, type: 'order' }, data, EXACT_META));
    assert.equal((await publisher.next((f) => f.re === `x${ch}${i}`)).op, 'ok');
    sent.push(data);
  }
  return sent;
}

describe('payload fidelity from the log', () => {
  const fx = useHub();

  it('a subscriber with from: 0 replays every payload exactly', async () => {
    const publisher = await fx.connect('py-bridge');
    const sent = await publishExact(publisher, 'fid.replay', 5);
    const late = await fx.connect('java-engine');
    const texts = captureText(late);
    const { sub } = await subscribe(late, { ch: 'fid.replay', from: 0 });
    await late.messages(sub, 5);
    const exact = texts.texts.filter((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`));
    assert.equal(exact.length, 5);
    exact.forEach((t, i) => assertExactPayload(t, sent[i]!, EXACT_META, `replayed message ${i}`));
  });

  it('a consumer group hands out payloads exactly, to each member', async () => {
    const publisher = await fx.connect('py-bridge');
    const a = await fx.connect('engine-a');
    const b = await fx.connect('engine-b');
    const textsA = captureText(a);
    const textsB = captureText(b);
    const subA = (await subscribe(a, { ch: 'fid.group', group: 'engines', ack: 'manual', from: 'earliest' })).sub;
    const subB = (await subscribe(b, { ch: 'fid.group', group: 'engines', ack: 'manual', from: 'earliest' })).sub;
    const sent = await publishExact(publisher, 'fid.group', 4);
    const isMsg = (t: string) => t.startsWith(`{"op":"msg","sub":"${subA}"`) || t.startsWith(`{"op":"msg","sub":"${subB}"`);
    await waitFor(() => textsA.texts.filter(isMsg).length + textsB.texts.filter(isMsg).length >= 4, 'four msg frames across the two group members', {
      timeoutMs: 5000,
      everyMs: 20,
    });
    const exact = [...textsA.texts, ...textsB.texts].filter(isMsg);
    assert.equal(exact.length, 4, 'each exact payload reaches one member');
    assert.ok(textsA.texts.some(isMsg) && textsB.texts.some(isMsg), 'both members received messages');
    for (const data of sent)
      assert.equal(
        exact.filter((t) => t.includes('"data":' + data + ',"meta":' + EXACT_META)).length,
        1,
        `exactly one member got ${data.slice(0, 12)}… as sent`,
      );
  });
});
