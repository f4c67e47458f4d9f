// After the last retry a message goes to the webhook's dead-letter log $dlq.$webhook.<name> with every attempt's
// status; replayed through the admin API it goes to that webhook again (and to no one else), with the same webhook-id.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { testSecret, useReceivers, writeConfig } from '../../../test/support/webhook-receiver.js';
import { publishHttp, verifyStandard, webhookDeadLetters, webhookStatus } from '../../../test/support/webhook-hub.js';

const secret = testSecret(4);

describe('outbound webhook dead letters', () => {
  const rx = useReceivers('receiver');
  const fx = useHub(() => ({
    config: writeConfig(`
webhooks:
  mailer:
    url: ${rx.receiver.url}
    channels: [mail.send]
    secret: ${secret}
    retry_schedule: [100ms, 200ms]
    allow_private_networks: true
`),
  }));

  it('three failed attempts → $dlq.$webhook.mailer with each status; a replay is sent again with the same webhook-id', async () => {
    rx.receiver.answer((_r, n) => ({ status: n === 2 ? 502 : 500 }));
    const other = await fx.connect('mail-audit');
    const { sub } = await subscribe(other, { ch: 'mail.send', from: 0 });
    await publishHttp(fx.hub.url, 'mail.send', '{"type":"mail","data":{"to":"ada@example.org","n":0.10}}');
    const [dead] = await waitFor(async () => {
      const d = await webhookDeadLetters(fx.hub.url, 'mailer');
      return d.length === 1 && d;
    }, 'the dead letter');
    assert.deepEqual(
      dead!.details.attempts.map((a) => a.status),
      [500, 502, 500],
    );
    assert.deepEqual([dead!.details.original_ch, dead!.details.original_seq, dead!.deliveries], ['mail.send', 1, 3]);
    assert.equal(dead!.code, 'UNAVAILABLE');
    assert.match(dead!.reason, /mailer.*3 attempts/);
    const id = rx.receiver.requests[0]!.headers['webhook-id'];
    assert.equal(dead!.msg_id, id);
    assert.equal((await webhookStatus(fx.hub.url, 'mailer')).outcomes.dead_lettered, 1);

    rx.receiver.answer(() => ({ status: 200 }));
    const replay = await fetch(`${fx.hub.url}/v1/admin/dlq/${encodeURIComponent('$webhook.mailer')}/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seqs: [dead!.seq] }),
    });
    const body = (await replay.json()) as { results: { status: string }[] };
    assert.equal(replay.status, 200, JSON.stringify(body));
    assert.equal(body.results[0]!.status, 'replayed', JSON.stringify(body));
    await waitFor(() => rx.receiver.requests.length === 4, 'the replayed message');
    const again = rx.receiver.requests[3]!;
    assert.equal(again.headers['webhook-id'], id);
    verifyStandard(secret, again);
    assert.ok(again.body.includes('"data":{"to":"ada@example.org","n":0.10}'), again.body);
    await waitFor(async () => (await webhookStatus(fx.hub.url, 'mailer')).outcomes.delivered === 1, 'the replay answered 2xx');
    await sleep(200);
    const seen = other.frames.filter((f) => f.op === 'msg' && f.sub === sub);
    assert.equal(seen.length, 1, 'the replay goes to the webhook only, not to the subscribers of mail.send');
  });
});
