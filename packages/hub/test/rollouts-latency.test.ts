// The latency guardrails: a canary that acknowledges slowly (delivery → ack p95 above max_latency_p95) is rolled back
// once the window holds min_samples of its deliveries, with the p95 in the reason; one that falls behind (more than
// max_lag messages routed to it and not acknowledged) is rolled back before any ack wait runs out; while paused, a rollout's hold
// does not count, and resumed it goes on from where it stood.
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

describe('rollout latency guardrail and pause', () => {
  let rh: RolloutHub;
  after(() => rh?.stop());

  it('rolls back a canary whose p95 passes max_latency_p95', async () => {
    rh = await startRolloutHub();
    const ch = 'emails.queued';
    const stable = await joinGroup(rh.ws, 'mailer', '1.0.0', ch, 'mailer');
    // The canary acknowledges each message 250 ms after it got it.
    let ackLater: (seq: number) => void = () => {};
    const slow = await joinGroup(rh.ws, 'mailer', '1.1.0', ch, 'mailer', (f) => (ackLater(f.msg.seq), 'hold'));
    ackLater = (seq) => setTimeout(() => slow.client.send({ op: 'ack', sub: slow.sub, seq }), 250);
    const { client: publisher } = await RawClient.connect(rh.ws, 'crm');
    const r = await startRollout(rh.url, { channel: ch, group: 'mailer', version: '1.1.0', steps: [50, 100], max_latency_p95: '100ms', min_samples: 20 });
    await publishKeyed(publisher, ch, 0, 200);
    const rolled = await waitForRollout(rh.url, r.id, (s) => s.state === 'rolled_back', 'the rollback for latency');
    assert.match(rolled.reason ?? '', /^canary latency p95 (\d+) ms \(delivery to ack over the last 60s, \d+ samples\) is above max_latency_p95 100 ms$/);
    assert.ok(Number(/p95 (\d+) ms/.exec(rolled.reason!)![1]) >= 200);
    assert.ok(
      (rolled.stable.latency_p95_ms ?? 0) < (rolled.canary.latency_p95_ms ?? 0),
      `stable p95 ${rolled.stable.latency_p95_ms} ms, canary ${rolled.canary.latency_p95_ms} ms`,
    );
    await waitFor(() => new Set([...stable.acked.keys(), ...slow.got.map((f) => f.msg.seq)]).size === 200, 'all 200 handled');
    for (const c of [publisher, stable.client, slow.client]) await c.close();
  });

  it('rolls back a canary that falls behind by more than max_lag', async () => {
    const ch = 'thumbnails.requested';
    const stable = await joinGroup(rh.ws, 'resizer', '1.0.0', ch, 'resizer');
    const stuck = await joinGroup(rh.ws, 'resizer', '1.1.0', ch, 'resizer', () => 'hold');
    const { client: publisher } = await RawClient.connect(rh.ws, 'uploads');
    const r = await startRollout(rh.url, { channel: ch, group: 'resizer', version: '1.1.0', steps: [50, 100], max_lag: 30, min_samples: 20 });
    await publishKeyed(publisher, ch, 0, 200);
    const rolled = await waitForRollout(rh.url, r.id, (s) => s.state === 'rolled_back', 'the rollback for lag');
    assert.match(rolled.reason ?? '', /^canary lag (\d+) messages \(routed to the canary and not acknowledged yet, of \d+\) is above max_lag 30$/);
    assert.equal(rolled.canary.errors, 0, 'no ack wait ran out: the lag judged first');
    await waitFor(
      () => stable.acked.size === 200,
      () => `the stable member acknowledged all 200 (${stable.acked.size})`,
    );
    for (const c of [publisher, stable.client, stuck.client]) await c.close();
  });

  it('does not count the hold while paused', async () => {
    const r = await startRollout(rh.url, { channel: 'pause.check', group: 'g', version: '2', steps: [10, 100], hold: '1m' });
    rh.clock.advance(40_000);
    assert.equal((await admin(rh.url, 'POST', `/v1/admin/rollouts/${r.id}/pause`)).status, 200);
    rh.clock.advance(10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const paused = (await admin<RolloutStatus>(rh.url, 'GET', `/v1/admin/rollouts/${r.id}`)).body;
    assert.deepEqual([paused.state, paused.step], ['paused', 1], 'ten minutes paused: still step 1');
    assert.equal((await admin(rh.url, 'POST', `/v1/admin/rollouts/${r.id}/resume`)).status, 200);
    rh.clock.advance(15_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await admin<RolloutStatus>(rh.url, 'GET', `/v1/admin/rollouts/${r.id}`)).body.step, 1, '55 s of a 1 min hold counted');
    rh.clock.advance(5_000);
    await waitForRollout(rh.url, r.id, (s) => s.step === 2, 'step 2 once 60 s of hold counted');
  });
});
