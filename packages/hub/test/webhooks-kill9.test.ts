// kill -9 of a hub process with 1,000 messages on their way to a webhook: after a restart every message is answered
// 2xx at least once (the webhook's position is in the store; what was not confirmed is sent again, same webhook-id).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { history, publishMany, useHubProcess } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { verifyStandard } from '../../../test/support/webhook-hub.js';

const secret = testSecret(12);
const TOTAL = 1000;

describe('webhooks through kill -9', () => {
  const rx = useReceivers('receiver');
  const fx = useHubProcess(() => ({
    config: writeConfig(`
webhooks:
  k9:
    url: ${rx.receiver.url}
    channels: [k9.orders]
    secret: ${secret}
    timeout: 2s
    retry_schedule: [100ms, 100ms, 100ms]
    allow_private_networks: true
`),
  }));

  it('every one of 1,000 messages is answered 2xx at least once across a kill -9 and a restart', async () => {
    const answered = new Map<string, number>();
    rx.receiver.answer(async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      verifyStandard(secret, r);
      const id = String(r.headers['webhook-id']);
      answered.set(id, (answered.get(id) ?? 0) + 1);
      return { status: 200 };
    });
    const app = await fx.connect('order-service');
    await publishMany(app, 'k9.orders', TOTAL, { prefix: 'order-' });
    await waitFor(() => answered.size >= 100, 'the first hundred deliveries', 15_000);
    await fx.closeClients();
    await fx.hub.kill9();
    const atKill = answered.size;
    assert.ok(atKill < TOTAL, `the kill came with ${TOTAL - atKill} messages not yet delivered`);
    await fx.restart();
    await waitFor(
      () => answered.size === TOTAL,
      () => `every message answered 2xx (${answered.size} of ${TOTAL})`,
      30_000,
    );
    const stored = await history(fx.hub.url, 'k9.orders');
    assert.equal(stored.length, TOTAL);
    assert.deepEqual([...answered.keys()].sort(), stored.map((m) => m.id).sort(), 'the webhook-ids are the message ids');
  });
});
