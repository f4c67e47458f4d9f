// HTTP keeps payloads as written both ways: a POST body's data and meta reach a socket subscriber digit for digit,
// and `GET /v1/channels/{ch}/messages` sends the stored envelopes as stored (never re-serialised).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../../../test/support/exact-json.js';

describe('payload fidelity over HTTP', () => {
  const fx = useHub();

  it("POST /v1/channels/{ch}/messages: a subscriber receives the body's data and meta exactly", async () => {
    const subscriber = await fx.connect('java-engine');
    const texts = captureText(subscriber);
    const { sub } = await subscribe(subscriber, { ch: 'fid.http.post' });
    const res = await fetch(`${fx.hub.url}/v1/channels/fid.http.post/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: frameText({ type: 'order', msg_id: 'post-1' }, EXACT_DATA, EXACT_META),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const msg = await texts.next((t) => t.startsWith(`{"op":"msg","sub":"${sub}"`));
    assertExactPayload(msg, EXACT_DATA, EXACT_META, 'the msg frame of an HTTP publish');
  });

  it('GET /v1/channels/{ch}/messages returns every stored payload exactly as published', async () => {
    const publisher = await fx.connect('py-bridge');
    for (let i = 1; i <= 3; i++) {
      publisher.send(frameText({ op: 'pub', id: i, ch: 'fid.http.history', type: 'order' }, EXACT_DATA, EXACT_META));
      assert.equal((await publisher.next((f) => f.re === i)).op, 'ok');
    }
    const res = await fetch(`${fx.hub.url}/v1/channels/fid.http.history/messages?from=0`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.equal(body.split('"data":' + EXACT_DATA + ',"meta":' + EXACT_META).length - 1, 3, `three exact payloads in ${body.slice(0, 600)}`);
    assert.equal(JSON.parse(body).next, 3);
  });
});
