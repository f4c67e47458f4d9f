// Payloads of awkward shapes pass exactly: `\u` escapes (surrogate pairs, escaped quotes and backslashes), deep
// nesting, and a frame of almost 1 MiB (the default limit).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { assertExactPayload, captureText, EXACT_DATA, frameText } from '../../../test/support/exact-json.js';

describe('payload fidelity for awkward shapes', () => {
  const fx = useHub();

  async function roundTrip(ch: string, data: string, timeoutMs = 10_000): Promise<string> {
    const publisher = await fx.connect('py-bridge');
    const subscriber = await fx.connect('java-engine');
    const texts = captureText(subscriber);
    const { sub } = await subscribe(subscriber, { ch });
    publisher.send(frameText({ op: 'pub', id: 1, ch, type: 'blob' }, data));
    const ok = await publisher.next((f) => f.re === 1, timeoutMs);
    assert.equal(ok.op, 'ok', JSON.stringify(ok).slice(0, 500));
    return texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`), timeoutMs);
  }

  it('keeps \\u escapes, escaped quotes and backslashes as written', async () => {
    const data = '{"s": "\\u00e9\\u0041 \\ud83d\\ude00 \\"quoted\\" back\\\\slash \\\\\\" \\/ \\n", "k\\u0065y": [1764749280343123457, "}{]["]}';
    assertExactPayload(await roundTrip('fid.shape.escapes', data), data);
  });

  it('keeps a payload nested 500 levels deep', async () => {
    const data = '{"a":'.repeat(250) + '['.repeat(250) + EXACT_DATA + ']'.repeat(250) + '}'.repeat(250);
    assertExactPayload(await roundTrip('fid.shape.deep', data), data);
  });

  it('keeps a frame of almost 1 MiB, to the last digit', async () => {
    const item = '{"id": 1764749280343123457, "p": 1.08410000000000001}';
    const items: string[] = [];
    let size = 200;
    while (size + item.length + 1 < 1024 * 1024 - 200) {
      items.push(item);
      size += item.length + 1;
    }
    const data = '[' + items.join(',') + ']';
    const msg = await roundTrip('fid.shape.big', data, 20_000);
    assert.ok(msg.length > 1_000_000);
    assertExactPayload(msg, data);
  });
});
