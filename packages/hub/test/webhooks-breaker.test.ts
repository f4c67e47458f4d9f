// The circuit breaker of a webhook: while its receiver is down the breaker opens and the receiver gets only a few
// requests (the first failures and one probe per open period), the state survives a restart of the hub, every
// change is a $sys.alerts event and the breaker-state metric; once the receiver is back, a probe closes it and
// every message is delivered.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publishMany, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { webhookStatus } from '../../../test/support/webhook-hub.js';

const secret = testSecret(6);

describe('webhook circuit breaker', () => {
  const rx = useReceivers('receiver');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  notify:
    url: ${rx.receiver.url}
    channels: [notify.>]
    secret: ${secret}
    max_in_flight: 4
    retry_schedule: [100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms]
    breaker: { failure_rate: 0.5, min_requests: 4, window: 1m, open_for: 2s }
    allow_private_networks: true
`),
  }));

  it('opens while the receiver is down, stays open across a restart, and closes on a good probe', async () => {
    const ops = await fx.connect('ops');
    const { sub } = await subscribe(ops, { ch: '$sys.alerts' });
    let up = false;
    const accepted = new Set<string>();
    rx.receiver.answer((r) => {
      if (up) accepted.add(String(r.headers['webhook-id']));
      return { status: up ? 200 : 503 };
    });
    const app = await fx.connect('notifier');
    await publishMany(app, 'notify.email', 20);
    const opened = await ops.next((f) => f.op === 'msg' && f.sub === sub && (f.msg.data as { breaker?: string }).breaker === 'open');
    assert.deepEqual([(opened.msg.data as { webhook: string }).webhook, (opened.msg.data as { state: string }).state], ['notify', 'firing']);
    const metrics = await (await fetch(`${fx.hub.url}/metrics`)).text();
    assert.match(metrics, /switchboard_webhook_breaker_state\{webhook="notify"\} 1/);
    await sleep(1500);
    const whileDown = rx.receiver.requests.length;
    assert.ok(whileDown <= 10, `the receiver got ${whileDown} requests while down; without the breaker 20 messages × 11 attempts`);

    await fx.closeClients();
    await fx.restart();
    // A new breaker would be closed: open (or half-open, when its open period ran out meanwhile) comes from the store.
    const restarted = (await webhookStatus(fx.hub.url, 'notify')).breaker;
    assert.ok(restarted === 'open' || restarted === 'half_open', `the breaker after the restart: ${restarted}`);

    up = true;
    await waitFor(() => accepted.size === 20, 'a 2xx answer to each of the 20 messages once the receiver is back', 15_000);
    await waitFor(async () => {
      const status = await webhookStatus(fx.hub.url, 'notify');
      return status.breaker === 'closed' && status.lag === 0;
    }, 'the breaker closed and nothing left to send');
    assert.match(await (await fetch(`${fx.hub.url}/metrics`)).text(), /switchboard_webhook_breaker_state\{webhook="notify"\} 0/);
  });
});
