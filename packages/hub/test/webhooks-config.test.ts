// The webhooks: and inbound_webhooks: keys: what a valid entry becomes, and a refusal that says what to change for
// each mistake a user makes (a bad secret, a missing variable, a URL with credentials, a reserved channel, a unitless
// duration, an unknown key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, configFromObject } from '../src/config/config.js';

const secret = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
const hook = (extra: Record<string, unknown>) => ({ webhooks: { pay: { url: 'https://billing.example/hooks', channels: ['orders.>'], secret, ...extra } } });

test('a webhook entry with its defaults, and an inbound one', () => {
  process.env.SB_CONFIG_TEST_STRIPE = 'whsec_stripe';
  const c = configFromObject({
    ...hook({ retry_schedule: ['1s', '5m'], breaker: { open_for: '1m' } }),
    inbound_webhooks: { stripe: { channel: 'payments.events', verify: 'stripe', secret: 'env:SB_CONFIG_TEST_STRIPE' } },
  });
  const w = c.webhooks.outbound[0]!;
  assert.deepEqual(
    [w.name, w.url, w.channels, w.timeoutMs, w.retryScheduleMs, w.ordered, w.maxInFlight, w.allowPrivateNetworks],
    ['pay', 'https://billing.example/hooks', ['orders.>'], 15_000, [1000, 300_000], false, 16, false],
  );
  assert.deepEqual(w.breaker, { failureRate: 0.7, minRequests: 10, windowMs: 300_000, openForMs: 60_000 });
  assert.deepEqual(w.secrets, [Buffer.alloc(32, 1)]);
  assert.deepEqual(c.webhooks.inbound, [
    { name: 'stripe', channel: 'payments.events', verify: 'stripe', secret: 'whsec_stripe', toleranceMs: 300_000, typeField: 'type' },
  ]);
  assert.deepEqual(configFromObject(hook({})).webhooks.outbound[0]!.retryScheduleMs.length, 9, 'the default schedule has nine retries');
});

test('each mistake is refused with what to change', () => {
  const refusals: [unknown, RegExp][] = [
    [hook({ secret: 'whsec_short' }), /webhooks\.pay\.secret must be whsec_ followed by base64 of at least 24 random bytes/],
    [hook({ secret: 'env:SB_CONFIG_TEST_UNSET' }), /the environment variable SB_CONFIG_TEST_UNSET is not set/],
    [hook({ url: 'https://user:pw@billing.example/' }), /must not carry credentials/],
    [hook({ url: 'ftp://billing.example/' }), /must use http:\/\/ or https:\/\//],
    [hook({ channels: ['$sys.alerts'] }), /reserved \$ channels cannot be sent to a webhook/],
    [hook({ timeout: 15 }), /15 has no unit/],
    [hook({ breaker: { failure_rate: 2 } }), /failure_rate must be a share of attempts above 0 and at most 1/],
    [hook({ retries: 3 }), /unknown key "retries"; known: url, channels/],
    [{ webhooks: { 'bad name': {} } }, /the name "bad name" must be 1 to 64 letters, digits, - or _/],
    [{ inbound_webhooks: { s: { channel: 'p.e', verify: 'hmac', secret: 'x' } } }, /verify must be "stripe" or "standard"/],
  ];
  for (const [doc, message] of refusals)
    assert.throws(
      () => configFromObject(doc),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
});
