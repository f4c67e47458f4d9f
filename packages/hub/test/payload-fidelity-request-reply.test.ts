// Request/reply keeps both payloads as written: the responder receives the requester's `data` text, and the
// requester the responder's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { assertExactPayload, captureText, EXACT_DATA, EXACT_META, frameText } from '../../../test/support/exact-json.js';

describe('payload fidelity of request / reply', () => {
  const fx = useHub();

  it('forwards the req data to the responder and the reply data to the requester digit for digit', async () => {
    const engine = await fx.connect('core-engine');
    const bridge = await fx.connect('data-bridge');
    const engineTexts = captureText(engine);
    const bridgeTexts = captureText(bridge);
    bridge.send(frameText({ op: 'req', id: 7, to: 'core-engine', type: 'quote.request' }, EXACT_DATA));
    const req = await engineTexts.next((t) => t.startsWith('{"op":"req"'));
    assertExactPayload(req, EXACT_DATA, undefined, 'the req frame the responder receives');
    const { rid } = JSON.parse(req) as { rid: string };
    const quote = EXACT_META;
    engine.send(frameText({ op: 'reply', rid }, quote));
    const ok = await bridgeTexts.next((t) => t.includes('"re":7'));
    assert.equal(ok, '{"op":"ok","re":7,"data":' + quote + '}');
  });
});
