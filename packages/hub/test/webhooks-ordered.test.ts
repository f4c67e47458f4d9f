// ordered: true sends one message at a time in seq order, also through failures (the next waits for the retry of
// the one before); and one slow endpoint never holds up another webhook.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publishMany, useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { webhookStatus } from '../../../test/support/webhook-hub.js';

const secret = testSecret(5);

describe('ordered webhooks and independent endpoints', () => {
  const rx = useReceivers('ordered', 'stuck', 'quick');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  ledger:
    url: ${rx.ordered.url}
    channels: [ledger.entries]
    secret: ${secret}
    ordered: true
    retry_schedule: [100ms, 100ms, 100ms]
    allow_private_networks: true
  stuck:
    url: ${rx.stuck.url}
    channels: [fan.out]
    secret: ${secret}
    timeout: 20s
    allow_private_networks: true
  quick:
    url: ${rx.quick.url}
    channels: [fan.out]
    secret: ${secret}
    allow_private_networks: true
`),
  }));

  it('ordered: true keeps seq order through failures, one request at a time', async () => {
    let open = 0;
    let most = 0;
    const failures = new Map<number, number>([
      [3, 2],
      [7, 1],
    ]);
    rx.ordered.answer(async (r) => {
      open++;
      most = Math.max(most, open);
      await new Promise((resolve) => setTimeout(resolve, 5));
      open--;
      const i = (JSON.parse(r.body) as { data: { i: number } }).data.i;
      const left = failures.get(i) ?? 0;
      if (left > 0) {
        failures.set(i, left - 1);
        return { status: 503 };
      }
      return { status: 200 };
    });
    const bridge = await fx.connect('ledger-writer');
    await publishMany(bridge, 'ledger.entries', 10, { window: 10 });
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'ledger')).outcomes.delivered === 10, 'every entry', 10_000);
    const sent = rx.ordered.requests.map((r) => (JSON.parse(r.body) as { data: { i: number } }).data.i);
    assert.deepEqual(sent, [0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 9]);
    assert.equal(most, 1, 'never two requests at once');
  });

  it('a receiver that does not answer holds up neither another webhook nor the publisher', async () => {
    rx.stuck.answer(() => 'hang');
    const bridge = await fx.connect('fan-writer');
    await publishMany(bridge, 'fan.out', 50, { window: 50 });
    await waitFor(() => rx.quick.requests.length === 50, 'the 50 messages at the quick receiver', 10_000);
    const status = await webhookStatus(fx.hub.url, 'stuck');
    assert.equal(status.in_flight, 16, 'the stuck webhook holds max_in_flight (16) requests open, no more');
    assert.equal(rx.stuck.requests.length, 16);
  });
});
