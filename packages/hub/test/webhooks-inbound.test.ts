// Inbound webhooks: a provider's signed events (Stripe's scheme and Standard Webhooks) are checked over the raw
// body and published to a channel as sent; a provider's retry of the same event is stored once; a forged, stale or
// unsigned one is refused with 401 and nothing stored; one the contract refuses gets 422 and the dead-letter log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import type { Envelope } from '@switchboard/protocol';
import { useHub } from '../../../test/support/hub-fixture.js';
import { testSecret, writeConfig } from '../../../test/support/webhook-receiver.js';
import { sendStandard, sendStripe } from '../../../test/support/webhook-provider.js';

const stripeSecret = 'whsec_stripe_test_0123456789abcdef';
const standardSecret = testSecret(11);
const contracts = fileURLToPath(new URL('./fixtures/contracts-payments', import.meta.url));

describe('inbound webhooks', () => {
  const fx = useHub(() => ({
    contracts,
    config: writeConfig(`
inbound_webhooks:
  stripe:
    channel: payments.stripe
    verify: stripe
    secret: ${stripeSecret}
    tolerance: 5m
  billing:
    channel: payments.standard
    verify: standard
    secret: ${standardSecret}
`),
  }));
  const stripeUrl = (): string => `${fx.hub.url}/v1/hooks/stripe`;
  const standardUrl = (): string => `${fx.hub.url}/v1/hooks/billing`;

  it('a Stripe event is stored as sent, with its id as msg_id; a retry of it is stored once', async () => {
    const event = '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":2000,"fee":0.30}}}';
    const first = await sendStripe(stripeUrl(), stripeSecret, event);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.seq, first.body.msg_id, first.body.duplicate], [1, 'evt_1', undefined]);
    const again = await sendStripe(stripeUrl(), stripeSecret, event, Math.floor(Date.now() / 1000) + 1);
    assert.deepEqual([again.status, again.body.seq, again.body.duplicate], [200, 1, true]);
    const stored = await fx.history('payments.stripe');
    assert.equal(stored.length, 1);
    assert.deepEqual([stored[0]!.id, stored[0]!.type, stored[0]!.source], ['evt_1', 'payment_intent.succeeded', 'webhook:stripe']);
    const raw = await (await fetch(`${fx.hub.url}/v1/channels/payments.stripe/messages`)).text();
    assert.ok(raw.includes(`"data":${event}`), 'the payload text is kept as the provider sent it');
  });

  it('a forged, stale, future or unsigned Stripe event gets 401 and nothing is stored', async () => {
    const event = '{"id":"evt_2","type":"payment_intent.succeeded","data":{"object":{"amount":1}}}';
    const now = Math.floor(Date.now() / 1000);
    const forged = await sendStripe(stripeUrl(), 'whsec_not_the_secret', event);
    const stale = await sendStripe(stripeUrl(), stripeSecret, event, now - 600);
    const future = await sendStripe(stripeUrl(), stripeSecret, event, now + 600);
    const unsigned = await fetch(stripeUrl(), { method: 'POST', body: event });
    for (const [what, a] of [
      ['forged', forged],
      ['stale', stale],
      ['future', future],
    ] as const) {
      assert.equal(a.status, 401, what);
      assert.equal(a.body.code, 'UNAUTHENTICATED', what);
    }
    assert.match(forged.body.message!, /no v1 signature/);
    assert.match(stale.body.message!, /tolerance/);
    assert.equal(unsigned.status, 401);
    assert.match(((await unsigned.json()) as { message: string }).message, /Stripe-Signature header is missing/);
    assert.equal((await fx.history('payments.stripe')).filter((m) => m.id === 'evt_2').length, 0);
  });

  it('a Standard Webhooks event is verified with webhook-id as msg_id; a tampered body is refused', async () => {
    const body = '{"type":"invoice.paid","invoice":"in_42","total":1e3}';
    const ok = await sendStandard(standardUrl(), standardSecret, 'msg_42', body);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const dup = await sendStandard(standardUrl(), standardSecret, 'msg_42', body);
    assert.equal(dup.body.duplicate, true);
    const at = new Date();
    const signature = new Webhook(standardSecret).sign('msg_43', at, body);
    const tampered = await fetch(standardUrl(), {
      method: 'POST',
      headers: { 'webhook-id': 'msg_43', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
      body: body.replace('in_42', 'in_43'),
    });
    assert.equal(tampered.status, 401);
    assert.equal(((await tampered.json()) as { code: string }).code, 'UNAUTHENTICATED');
    const stored = await fx.history('payments.standard');
    assert.deepEqual(
      stored.map((m) => m.id),
      ['msg_42'],
    );
  });

  it('an event the contract refuses gets 422 CONTRACT_VIOLATION and waits in the dead-letter log', async () => {
    const event = '{"id":"evt_3","type":"payment_intent.succeeded","data":{"object":{"amount":"twenty"}}}';
    const a = await sendStripe(stripeUrl(), stripeSecret, event);
    assert.equal(a.status, 422);
    assert.equal(a.body.code, 'CONTRACT_VIOLATION');
    const dead = await fx.history<Envelope & { meta: { dlq: { msg_id: string } } }>('$dlq.payments.stripe');
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.meta.dlq.msg_id, 'evt_3');
  });

  it('an unknown inbound webhook is 404', async () => {
    const a = await sendStripe(`${fx.hub.url}/v1/hooks/nope`, stripeSecret, '{"id":"x","type":"t"}');
    assert.deepEqual([a.status, a.body.code], [404, 'NOT_FOUND']);
  });
});
