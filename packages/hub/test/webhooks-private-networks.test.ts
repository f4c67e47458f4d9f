// A webhook may not reach loopback, private or link-local addresses unless allow_private_networks: true; the check
// is made on the address connected to, after DNS resolution (a name resolving to 127.0.0.1 is refused too).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, webhookDeadLetters, webhookStatus } from '../../../test/support/webhook-hub.js';
import { isPrivate, privateNetworks } from '../src/webhooks/outbound/private-networks.js';

const secret = testSecret(8);

describe('webhook targets on private networks', () => {
  const rx = useReceivers('internal');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  by-address:
    url: ${rx.internal.url}
    channels: [internal.a]
    secret: ${secret}
    retry_schedule: [100ms]
  by-name:
    url: ${rx.internal.url.replace('127.0.0.1', 'localhost')}
    channels: [internal.b]
    secret: ${secret}
    retry_schedule: [100ms]
`),
  }));

  it('refuses 127.0.0.1 and a name resolving to it: the receiver gets nothing, the dead letter says why', async () => {
    await publishHttp(fx.hub.url, 'internal.a', { type: 'e', data: {} });
    await publishHttp(fx.hub.url, 'internal.b', { type: 'e', data: {} });
    for (const name of ['by-address', 'by-name']) {
      const [dead] = await waitFor(async () => {
        const d = await webhookDeadLetters(fx.hub.url, name);
        return d.length === 1 && d;
      }, `the dead letter of ${name}`);
      assert.equal(dead!.details.attempts.length, 2);
      for (const a of dead!.details.attempts) assert.match(a.error!, /loopback, private or link-local.*allow_private_networks: true/);
      assert.equal((await webhookStatus(fx.hub.url, name)).outcomes.dead_lettered, 1);
    }
    await sleep(100);
    assert.equal(rx.internal.requests.length, 0);
  });

  it('judges addresses as blocked or not', () => {
    const blocked = privateNetworks();
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      assert.equal(isPrivate(blocked, a), true, a);
    }
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivate(blocked, a), false, a);
  });
});
