// `switchboard webhooks list | status NAME | test NAME`: what an operator reads of the outbound webhooks, and a
// signed webhook.test message sent on demand (verified by the receiver with the standardwebhooks package).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubInProcess, type InProcessHub } from '../../../test/support/hub-in-process.js';
import { waitFor } from '../../../test/support/util.js';
import { startReceiver, testSecret, writeConfig, type WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import { publishHttp, verifyStandard } from '../../../test/support/webhook-hub.js';
import { runCli, runCliAsync } from './support/cli.js';

const secret = testSecret(13);

describe('switchboard webhooks', () => {
  let receiver: WebhookReceiver;
  let hub: InProcessHub;
  let secured: InProcessHub;
  before(async () => {
    receiver = await startReceiver();
    const config = writeConfig(`
webhooks:
  crm:
    url: ${receiver.url}
    channels: ["crm.>"]
    secret: ${secret}
    allow_private_networks: true
`);
    hub = await startHubInProcess({ config });
    secured = await startHubInProcess({ config, dev: false, tokenSecret: 'webhooks-command-secret-of-some-length' });
  });
  after(async () => {
    await hub.cleanup();
    await secured.cleanup();
    await receiver.close();
  });

  it('list and status show the webhook, its breaker, lag and outcomes', async () => {
    await publishHttp(hub.url, 'crm.contact', { type: 'contact.created', data: { id: 1 } });
    await waitFor(() => receiver.requests.length === 1, 'the delivery');
    const list = await runCliAsync(['webhooks', 'list', '--hub', hub.url]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^NAME +URL +STATE +BREAKER +LAG +IN FLIGHT +CHANNELS\ncrm +http:\/\/127\.0\.0\.1:\d+\/hook +enabled +closed +0 +0 +crm\.>\n$/);
    const status = await runCliAsync(['webhooks', 'status', 'crm', '--hub', hub.wsUrl]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /^Webhook crm {2}enabled\n/);
    assert.match(status.stdout, /outcomes +delivered 1, retry 0, dead_lettered 0, aborted 0, gone 0\n/);
    assert.match(status.stdout, /last attempt \S+ {2}crm\.contact seq 1 {2}HTTP 200\n/);
    const json = await runCliAsync(['webhooks', 'status', 'crm', '--hub', hub.url, '--json']);
    assert.equal(JSON.parse(json.stdout).breaker, 'closed');
  });

  it('test sends a signed webhook.test and prints the answer; a failed answer exits 1', async () => {
    receiver.answer(() => ({ status: 202, body: '{"received":true}' }));
    const ok = await runCliAsync(['webhooks', 'test', 'crm', '--hub', hub.url]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^webhook\.test \S+ → http:\/\/127\.0\.0\.1:\d+\/hook: HTTP 202 in \d+ ms\n\{"received":true\}\n$/);
    const req = receiver.requests.at(-1)!;
    const body = verifyStandard(secret, req) as { type: string; data: { webhook: string } };
    assert.deepEqual([body.type, body.data.webhook], ['webhook.test', 'crm']);
    receiver.answer(() => ({ status: 500 }));
    const bad = await runCliAsync(['webhooks', 'test', 'crm', '--hub', hub.url]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /HTTP 500/);
    receiver.answer(() => ({ status: 200 }));
  });

  it('says what to change: an unknown webhook, no name, no admin token; --help on each verb', async () => {
    const unknown = await runCliAsync(['webhooks', 'status', 'nope', '--hub', hub.url]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no webhook "nope"; switchboard webhooks list shows the ones configured/);
    const noName = runCli(['webhooks', 'test']);
    assert.equal(noName.status, 2);
    assert.match(noName.stderr, /which webhook\?/);
    const refused = await runCliAsync(['webhooks', 'list', '--hub', secured.url]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /pass an admin token with --token/);
    for (const args of [
      ['webhooks', '--help'],
      ['webhooks', 'list', '--help'],
      ['webhooks', 'test', 'crm', '--help'],
      ['help', 'webhooks'],
    ]) {
      const r = runCli(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: switchboard webhooks <list\|status\|test> \[NAME\]/);
    }
    assert.match(runCli(['--help']).stdout, /webhooks +Show outbound webhooks and try one/);
  });
});
