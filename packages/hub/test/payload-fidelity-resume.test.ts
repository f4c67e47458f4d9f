// A session that resumes (`hello.resume`) receives what was published while it was away exactly as written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../../../test/support/exact-json.js';

describe('payload fidelity on resume', () => {
  const fx = useHub();

  it('messages published during a disconnect arrive after hello.resume with every digit', async () => {
    const publisher = await fx.connect('py-bridge');
    const { client: first, welcome } = await fx.session('java-engine');
    const { sub } = await subscribe(first, { ch: 'fid.resume', ack: 'manual', from: 'earliest' });
    await first.close();

    publisher.send(frameText({ op: 'pub', id: 1, ch: 'fid.resume', type: 'order' }, EXACT_DATA, EXACT_META));
    assert.equal((await publisher.next((f) => f.re === 1)).op, 'ok');

    const again = await fx.open();
    const texts = captureText(again);
    const resumed = await again.call({ op: 'hello', component: 'java-engine', resume: welcome.session });
    assert.equal(resumed.resumed, true, JSON.stringify(resumed));
    const msg = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`));
    assertExactPayload(msg, EXACT_DATA, EXACT_META, 'the message delivered after the resume');
  });
});
