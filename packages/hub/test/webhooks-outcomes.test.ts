// What a receiver's answer does to a delivery: 429 with Retry-After waits at least that long, webhook-delivery:
// abort-message stops retrying at once (the message goes to the webhook's dead-letter log), and 410 Gone disables
// the webhook with a $sys.alerts event and sends nothing more.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, webhookDeadLetters, webhookStatus } from '../../../test/support/webhook-hub.js';

const secret = testSecret(9);

describe('outbound webhook outcomes', () => {
  const receivers = useReceivers('busy', 'picky', 'gone');
  const fx = useHub(() => ({
    config: writeConfig(
      'webhooks:\n' +
        (['busy', 'picky', 'gone'] as const)
          .map(
            (k) =>
              `  ${k}:\n    url: ${receivers[k].url}\n    channels: [${k}.events]\n    secret: ${secret}\n    retry_schedule: [100ms, 100ms]\n    allow_private_networks: true\n`,
          )
          .join(''),
    ),
  }));

  it('429 with Retry-After: 2 waits at least 2 s before the next attempt', async () => {
    receivers.busy.answer((_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    await publishHttp(fx.hub.url, 'busy.events', { type: 'e', data: {} });
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'busy')).outcomes.delivered === 1, 'the second attempt', 10_000);
    const [first, second] = receivers.busy.requests;
    assert.equal(receivers.busy.requests.length, 2);
    assert.ok(second!.at - first!.at >= 2000, `the retry came ${second!.at - first!.at} ms after the 429, not before 2 s`);
  });

  it('webhook-delivery: abort-message stops the retries: one attempt, then the dead-letter log with its status', async () => {
    receivers.picky.answer(() => ({ status: 422, headers: { 'webhook-delivery': 'abort-message' }, body: '{"error":"unknown customer"}' }));
    await publishHttp(fx.hub.url, 'picky.events', { type: 'customer.updated', data: { customer: 'c_404' } });
    const [dead] = await waitFor(async () => {
      const d = await webhookDeadLetters(fx.hub.url, 'picky');
      return d.length === 1 && d;
    }, 'the dead letter');
    await sleep(300);
    assert.equal(receivers.picky.requests.length, 1, 'no retry after abort-message');
    assert.equal(dead!.original_ch, '$webhook.picky');
    assert.equal(dead!.details.original_ch, 'picky.events');
    assert.deepEqual(
      dead!.details.attempts.map((a) => a.status),
      [422],
    );
    assert.deepEqual(dead!.message.data, { customer: 'c_404' });
    assert.equal((await webhookStatus(fx.hub.url, 'picky')).outcomes.aborted, 1);
  });

  it('410 Gone disables the webhook, raises a $sys.alerts event, and nothing more is sent', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.alerts' });
    receivers.gone.answer(() => ({ status: 410 }));
    await publishHttp(fx.hub.url, 'gone.events', { type: 'e', data: { n: 1 } });
    const alert = await ops.next((f) => f.op === 'msg' && f.sub === sub && (f.msg.data as { alert?: string }).alert === 'webhook_disabled');
    assert.equal((alert.msg.data as { webhook: string }).webhook, 'gone');
    await publishHttp(fx.hub.url, 'gone.events', { type: 'e', data: { n: 2 } });
    await sleep(500);
    assert.equal(receivers.gone.requests.length, 1);
    const status = await webhookStatus(fx.hub.url, 'gone');
    assert.equal(status.enabled, false);
    assert.match(status.disabled!.reason, /410/);
    assert.equal(status.lag, 2, 'both messages wait, kept, for the webhook to be enabled again');
  });
});
