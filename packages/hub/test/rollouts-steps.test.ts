// A healthy canary of a consumer group goes through its steps on schedule: at each step its share of the
// deliveries is within a few points of the step's weight, and after 100 % the rollout is completed (then every
// member takes the group's messages again). Two real clients of two versions in one group; the hold passes on the
// rollouts' test clock.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';
import { joinGroup, publishKeyed, startRollout, startRolloutHub, waitForRollout, type RolloutHub } from '../../../test/support/rollout-hub.js';

describe('rollout steps', () => {
  let rh: RolloutHub;
  after(() => rh?.stop());

  it('a healthy canary takes each step’s weight of the messages, 10 → 50 → 100 %, then completes', async () => {
    rh = await startRolloutHub();
    const ch = 'orders.placed';
    const stable = await joinGroup(rh.ws, 'billing', '1.0.0', ch, 'billing');
    const canary = await joinGroup(rh.ws, 'billing', '2.0.0', ch, 'billing');
    const { client: publisher } = await RawClient.connect(rh.ws, 'shop');
    const started = await startRollout(rh.url, { channel: ch, group: 'billing', version: '2.0.0', steps: [10, 50, 100], hold: '2m', min_samples: 50 });
    assert.deepEqual([started.state, started.step, started.weight], ['running', 1, 10]);

    let first = 0;
    for (const [step, weight] of [
      [1, 10],
      [2, 50],
      [3, 100],
    ] as const) {
      const before = { stable: stable.acked.size, canary: canary.acked.size };
      await publishKeyed(publisher, ch, first, 1000);
      first += 1000;
      await waitFor(
        () => stable.acked.size + canary.acked.size - before.stable - before.canary === 1000,
        () => `1000 messages acked at step ${step}: ${stable.acked.size} + ${canary.acked.size}`,
        10_000,
      );
      const share = ((canary.acked.size - before.canary) / 1000) * 100;
      assert.ok(Math.abs(share - weight) <= 4, `step ${step}: the canary took ${share} % of the messages, the weight is ${weight} %`);
      const s = await waitForRollout(rh.url, started.id, (x) => x.step === step && x.canary.delivered > 0, `step ${step} counted`);
      assert.equal(s.weight, weight);
      rh.clock.advance(120_000);
      if (step < 3) await waitForRollout(rh.url, started.id, (x) => x.step === step + 1, `step ${step + 1} after the hold`);
    }
    const done = await waitForRollout(rh.url, started.id, (x) => x.state === 'completed', 'completed after 100 %');
    assert.equal(done.weight, 100);
    assert.deepEqual(
      done.history.map((e) => [e.event, e.weight]),
      [
        ['started', 10],
        ['step', 50],
        ['step', 100],
        ['completed', 100],
      ],
    );
    assert.equal(done.canary.errors, 0);

    // Completed: the rollout no longer routes, both members share the group again.
    const before = { stable: stable.acked.size, canary: canary.acked.size };
    await publishKeyed(publisher, ch, first, 200);
    await waitFor(() => stable.acked.size + canary.acked.size - before.stable - before.canary === 200, 'the 200 messages after completion acked');
    assert.ok(stable.acked.size > before.stable, 'the stable member takes messages again once the rollout completed');
    await publisher.close();
    await stable.close();
    await canary.close();
  });
});
