// A rollout lives in the store: a hub restarted mid-rollout resumes it at the same step and weight, routes by it
// at once, and goes on through the remaining steps to completion.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';
import {
  admin,
  joinGroup,
  publishKeyed,
  startRollout,
  startRolloutHub,
  waitForRollout,
  type RolloutHub,
  type RolloutStatus,
} from '../../../test/support/rollout-hub.js';

describe('rollout across a restart', () => {
  let rh: RolloutHub;
  after(() => rh?.stop());

  it('resumes at its step after the hub restarts, and completes', async () => {
    rh = await startRolloutHub();
    const ch = 'shipments.ready';
    const started = await startRollout(rh.url, { channel: ch, group: 'carrier', version: '3.1.0', steps: [5, 25, 50, 100], hold: '5m' });
    const promoted = await admin<RolloutStatus>(rh.url, 'POST', `/v1/admin/rollouts/${started.id}/promote`);
    assert.deepEqual([promoted.status, promoted.body.step, promoted.body.weight], [200, 2, 25], JSON.stringify(promoted.body));

    rh = await rh.restart();
    const after = (await admin<RolloutStatus>(rh.url, 'GET', `/v1/admin/rollouts/${started.id}`)).body;
    assert.deepEqual([after.state, after.step, after.weight], ['running', 2, 25], 'the same step after the restart');

    const stable = await joinGroup(rh.ws, 'carrier', '3.0.0', ch, 'carrier');
    const canary = await joinGroup(rh.ws, 'carrier', '3.1.0', ch, 'carrier');
    const { client: publisher } = await RawClient.connect(rh.ws, 'warehouse');
    await publishKeyed(publisher, ch, 0, 1000);
    await waitFor(
      () => stable.acked.size + canary.acked.size === 1000,
      () => `1000 acked: ${stable.acked.size} + ${canary.acked.size}`,
      10_000,
    );
    const share = canary.acked.size / 10;
    assert.ok(Math.abs(share - 25) <= 4, `the canary took ${share} % after the restart; the weight is 25 %`);

    for (const step of [3, 4]) {
      rh.clock.advance(5 * 60_000);
      await waitForRollout(rh.url, started.id, (s) => s.step === step, `step ${step}`);
    }
    rh.clock.advance(5 * 60_000);
    const done = await waitForRollout(rh.url, started.id, (s) => s.state === 'completed', 'completed');
    assert.deepEqual(
      done.history.map((e) => [e.event, e.weight]),
      [
        ['started', 5],
        ['step', 25],
        ['step', 50],
        ['step', 100],
        ['completed', 100],
      ],
    );
    for (const c of [publisher, stable.client, canary.client]) await c.close();
  });
});
