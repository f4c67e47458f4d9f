// types: a webhook gets only the message types it names; the others are passed over (its lag still reaches 0).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, webhookStatus } from '../../../test/support/webhook-hub.js';

describe('webhook types filter', () => {
  const rx = useReceivers('receiver');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  paid:
    url: ${rx.receiver.url}
    channels: ["shop.orders"]
    types: [order.paid]
    secret: ${testSecret(14)}
    allow_private_networks: true
`),
  }));

  it('sends order.paid only', async () => {
    for (const type of ['order.created', 'order.paid', 'order.shipped', 'order.paid']) await publishHttp(fx.hub.url, 'shop.orders', { type, data: {} });
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'paid')).lag === 0, 'every message passed or delivered');
    assert.deepEqual(
      rx.receiver.requests.map((r) => (JSON.parse(r.body) as { type: string; seq: number }).seq),
      [2, 4],
    );
  });
});
