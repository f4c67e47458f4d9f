// What a receiver checks of each request: during a secret rotation both secrets sign (a receiver holding either one
// accepts it, as the standardwebhooks package verifies), a forged signature does not verify, and the message's
// traceparent travels as a header.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, verifyStandard } from '../../../test/support/webhook-hub.js';

const oldSecret = testSecret(1);
const newSecret = testSecret(2);
// The second secret comes from the environment (`env:NAME`), as it would in production (each test file runs in a process of its own).
process.env.SB_TEST_WEBHOOK_SECRET = newSecret;

describe('outbound webhook signatures', () => {
  const rx = useReceivers('receiver');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  rotating:
    url: ${rx.receiver.url}
    channels: [payments.captured]
    secret: [${oldSecret}, env:SB_TEST_WEBHOOK_SECRET]
    allow_private_networks: true
`),
  }));

  it('two secrets during a rotation: each one verifies the request alone', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await publishHttp(fx.hub.url, 'payments.captured', { type: 'payment.captured', data: { id: 'pay_1' }, meta: { traceparent } });
    const [req] = await waitFor(() => rx.receiver.requests.length === 1 && rx.receiver.requests, 'the request');
    const signatures = String(req!.headers['webhook-signature']).split(' ');
    assert.equal(signatures.length, 2);
    assert.ok(signatures.every((s) => s.startsWith('v1,')));
    verifyStandard(oldSecret, req!);
    verifyStandard(newSecret, req!);
    assert.throws(() => verifyStandard(testSecret(3), req!), /signature/i, 'a third secret does not verify it');
    assert.throws(() => verifyStandard(newSecret, { ...req!, body: req!.body.replace('pay_1', 'pay_2') }), /signature/i, 'nor a changed body');
    assert.equal(req!.headers.traceparent, traceparent);
  });
});
