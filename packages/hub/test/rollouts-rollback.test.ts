// A canary that nacks 10 % of its messages is rolled back within its first step: weight 0, an alert on
// $sys.alerts with the reason and figures, and every message it nacked (or still held) is acknowledged by a
// stable member, byte for byte as published; at the end every published message has been acknowledged.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';
import { history } from '../../../test/support/hub-fixture.js';
import { admin, joinGroup, publishKeyed, startRollout, startRolloutHub, waitForRollout, type RolloutHub } from '../../../test/support/rollout-hub.js';

describe('rollout rollback', () => {
  let rh: RolloutHub;
  after(() => rh?.stop());

  it('rolls a canary that nacks 10 % back at once, and a stable member acknowledges everything it did not', async () => {
    rh = await startRolloutHub();
    const ch = 'payments.captured';
    const { client: ops } = await RawClient.connect(rh.ws, 'ops');
    const alerts = await ops.call({ op: 'sub', ch: '$sys.alerts' });
    const stable = await joinGroup(rh.ws, 'ledger', '1.0.0', ch, 'ledger');
    // The canary nacks every tenth message (a bug in the new version) and holds every 25th without an answer.
    const canary = await joinGroup(
      rh.ws,
      'ledger',
      '2.0.0',
      ch,
      'ledger',
      (f) => {
        const i = (f.msg.data as { i: number }).i;
        return i % 10 === 0 ? 'nack' : i % 25 === 3 ? 'hold' : 'ack';
      },
      200,
    );
    const { client: publisher } = await RawClient.connect(rh.ws, 'cashier');
    const started = await startRollout(rh.url, { channel: ch, group: 'ledger', version: '2.0.0', steps: [20, 50, 100], min_samples: 40, max_error_rate: 0.05 });
    const seqs = await publishKeyed(publisher, ch, 0, 600);

    const rolled = await waitForRollout(rh.url, started.id, (s) => s.state === 'rolled_back', 'the rollback');
    assert.equal(rolled.step, 1, 'rolled back within its first step');
    assert.equal(rolled.weight, 0);
    assert.match(rolled.reason ?? '', /canary error rate [\d.]+ % .* is above max_error_rate 5 %/);
    assert.ok(rolled.canary.error_rate > 0.05 && rolled.canary.delivered >= 40, JSON.stringify(rolled.canary));
    const alert = await ops.next((f) => f.op === 'msg' && f.sub === alerts.sub && (f.msg.data as { alert: string }).alert === 'rollout_rolled_back');
    const a = alert.msg.data as { rollout: string; ch: string; group: string; version: string; reason: string; canary: { error_rate: number } };
    assert.deepEqual([a.rollout, a.ch, a.group, a.version], [started.id, ch, 'ledger', '2.0.0']);
    assert.equal(a.reason, rolled.reason);

    const canaryAckedBefore = canary.acked.size;
    await waitFor(
      () => new Set([...stable.acked.keys(), ...canary.acked.keys()]).size === 600,
      () => `all 600 acknowledged: stable ${stable.acked.size}, canary ${canary.acked.size}`,
      15_000,
    );
    const published = new Map((await history(rh.url, ch)).map((m) => [m.seq, JSON.stringify(m)]));
    assert.deepEqual(
      [...published.keys()].sort((x, y) => x - y),
      seqs,
    );
    const nacked = new Set(canary.nacked);
    assert.ok(nacked.size > 0, 'the canary nacked some');
    const held = canary.got.filter((f) => !canary.acked.has(f.msg.seq) && !nacked.has(f.msg.seq)).map((f) => f.msg.seq);
    for (const seq of [...nacked, ...held]) {
      assert.equal(stable.acked.get(seq), published.get(seq), `seq ${seq}, nacked or held by the canary, acknowledged by stable as published`);
    }
    assert.equal(canary.acked.size, canaryAckedBefore, 'nothing goes to the canary after the rollback');
    // Weight 0 stays: new messages go to the stable member only.
    await publishKeyed(publisher, ch, 600, 100);
    await waitFor(() => new Set([...stable.acked.keys(), ...canary.acked.keys()]).size === 700, 'the 100 after the rollback acknowledged');
    assert.equal(canary.got.filter((f) => (f.msg.data as { i: number }).i >= 600).length, 0, 'no message published after the rollback reached the canary');

    const resumed = await admin(rh.url, 'POST', `/v1/admin/rollouts/${started.id}/resume`);
    assert.equal(resumed.status, 409, 'a rolled back rollout cannot resume');
    for (const c of [ops, publisher, stable.client, canary.client]) await c.close();
  });
});
