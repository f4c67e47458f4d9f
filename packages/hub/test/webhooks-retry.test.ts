// An outbound webhook retries until its receiver answers 2xx: three attempts of one message carry one webhook-id,
// growing timestamps and valid Standard Webhooks signatures; an attempt that gets no answer in time is retried.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, verifyStandard, webhookStatus } from '../../../test/support/webhook-hub.js';

const secret = testSecret(7);

describe('outbound webhook retries', () => {
  const rx = useReceivers('flaky', 'slow');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  flaky:
    url: ${rx.flaky.url}
    channels: ["orders.>"]
    secret: ${secret}
    retry_schedule: [1s, 1s, 1s]
    allow_private_networks: true
  slow:
    url: ${rx.slow.url}
    channels: ["audit.*"]
    secret: ${secret}
    timeout: 500ms
    retry_schedule: [100ms]
    allow_private_networks: true
`),
  }));

  it('fails twice, then accepts: three attempts, one webhook-id, growing timestamps, valid signatures', async () => {
    rx.flaky.answer((_r, n) => (n <= 2 ? { status: 500, body: '{"error":"down"}' } : { status: 204 }));
    const payload = '{"order":"A-1","amount":12345678901234567890.10}';
    await publishHttp(fx.hub.url, 'orders.created', `{"type":"order.created","data":${payload}}`);
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'flaky')).outcomes.delivered === 1, 'the third attempt to be accepted', 10_000);
    const reqs = rx.flaky.requests;
    assert.equal(reqs.length, 3);
    const [envelope] = await fx.history('orders.created');
    assert.deepEqual(
      reqs.map((r) => r.headers['webhook-id']),
      [envelope!.id, envelope!.id, envelope!.id],
    );
    const stamps = reqs.map((r) => Number(r.headers['webhook-timestamp']));
    assert.ok(stamps[0]! < stamps[1]! && stamps[1]! < stamps[2]!, `timestamps grow: ${stamps.join(', ')}`);
    for (const r of reqs) {
      assert.equal(r.method, 'POST');
      assert.equal(r.headers['content-type'], 'application/json');
      verifyStandard(secret, r);
      assert.ok(r.body.includes(`"data":${payload}`), `the payload is sent as published: ${r.body}`);
      assert.deepEqual(JSON.parse(r.body), envelope);
    }
    const status = await webhookStatus(fx.hub.url, 'flaky');
    assert.deepEqual([status.outcomes.retry, status.outcomes.delivered, status.lag], [2, 1, 0]);
    const metrics = await (await fetch(`${fx.hub.url}/metrics`)).text();
    assert.match(metrics, /switchboard_webhook_deliveries_total\{webhook="flaky",outcome="retry"\} 2\n/);
    assert.match(metrics, /switchboard_webhook_deliveries_total\{webhook="flaky",outcome="delivered"\} 1\n/);
    assert.match(metrics, /switchboard_webhook_attempt_seconds_count\{webhook="flaky"\} 3\n/);
    assert.match(metrics, /switchboard_webhook_lag\{webhook="flaky"\} 0\n/);
  });

  it('an attempt without an answer within the timeout is retried', async () => {
    rx.slow.answer((_r, n) => (n === 1 ? 'hang' : { status: 200 }));
    await publishHttp(fx.hub.url, 'audit.login', { type: 'login', data: { user: 'ada' } });
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'slow')).outcomes.delivered === 1, 'the retry after the timeout', 10_000);
    assert.equal(rx.slow.requests.length, 2);
    assert.equal(rx.slow.requests[0]!.headers['webhook-id'], rx.slow.requests[1]!.headers['webhook-id']);
    const status = await webhookStatus(fx.hub.url, 'slow');
    assert.equal(status.outcomes.retry, 1);
    assert.equal(rx.flaky.requests.filter((r) => r.body.includes('audit.login')).length, 0, 'each webhook gets its own channels only');
  });
});
