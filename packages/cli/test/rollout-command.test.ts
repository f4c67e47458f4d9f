// `switchboard rollout start | status | promote | pause | resume | abort`: an operator starts a canary rollout,
// watches its steps live until it completes, and steers another one by hand; mistakes exit 2 with what to write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRolloutHub, waitForRollout, type RolloutHub } from '../../../test/support/rollout-hub.js';
import { runCli, runCliAsync } from './support/cli.js';

describe('switchboard rollout', () => {
  let rh: RolloutHub;
  before(async () => {
    rh = await startRolloutHub();
  });
  after(() => rh.stop());

  it('start --watch shows the steps live and exits 0 once the rollout completed', async () => {
    const watching = runCliAsync(['rollout', 'start', 'orders.placed', 'billing', '2.0.0', '--steps', '10,100', '--hold', '1m', '--watch', '--hub', rh.url]);
    const list = async () => ((await (await fetch(`${rh.url}/v1/admin/rollouts`)).json()) as { rollouts: { id: string }[] }).rollouts;
    let id: string | undefined;
    while (!id) id = (await list())[0]?.id;
    rh.clock.advance(60_000);
    await waitForRollout(rh.url, id, (s) => s.step === 2, 'step 2');
    rh.clock.advance(60_000);
    const run = await watching;
    assert.equal(run.status, 0, run.stderr);
    const views = run.stdout.split(/(?=^Rollout )/m);
    assert.ok(views.length >= 2, `a view per change; got:\n${run.stdout}`);
    assert.match(views[0]!, new RegExp(`^Rollout ${id}  orders\\.placed / billing → 2\\.0\\.0  running\\n  steps       \\[>\\] 10 %  \\[ \\] 100 %\\n`));
    assert.match(views[0]!, /now +step 1 of 2, weight 10 %, next step \S+ \(in \d+ s\)/);
    assert.match(views[0]!, /guardrails +error rate ≤ 5 %, latency p95 ≤ 2s, over 1m once 100 samples; hold 1m/);
    assert.match(views.at(-1)!, /completed\n {2}steps {7}\[x\] 10 % {2}\[x\] 100 %\n/);
  });

  it('status lists and shows; pause, resume, promote and abort steer; mistakes exit 2', async () => {
    const started = await runCliAsync(['rollout', 'start', 'carts.updated', 'pricing', '1.1.0', '--min-samples', '50', '--json', '--hub', rh.url]);
    assert.equal(started.status, 0, started.stderr);
    const { id, state, weight, min_samples } = JSON.parse(started.stdout) as { id: string; state: string; weight: number; min_samples: number };
    assert.deepEqual([state, weight, min_samples], ['running', 5, 50]);
    const busy = await runCliAsync(['rollout', 'start', 'carts.updated', 'pricing', '1.2.0', '--hub', rh.url]);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, new RegExp(`rollout ${id} is running on group "pricing"`));

    const listed = await runCliAsync(['rollout', 'status', '--hub', rh.url]);
    assert.match(listed.stdout, /^ID +CHANNEL +GROUP +VERSION +STATE +STEP +WEIGHT +CANARY ERRORS\n/);
    assert.match(listed.stdout, new RegExp(`${id} +carts\\.updated +pricing +1\\.1\\.0 +running +1/4 +5 % +0 %`));
    const paused = await runCliAsync(['rollout', 'pause', id, '--hub', rh.url]);
    assert.match(paused.stdout, /pricing → 1\.1\.0 {2}paused\n/);
    assert.match((await runCliAsync(['rollout', 'resume', id, '--hub', rh.url])).stdout, /running\n/);
    assert.match((await runCliAsync(['rollout', 'promote', id, '--hub', rh.url])).stdout, /now +step 2 of 4, weight 25 %/);
    const aborted = await runCliAsync(['rollout', 'abort', id, '--hub', rh.url]);
    assert.match(aborted.stdout, /aborted\n {2}steps {7}\[x\] 5 % {2}\[!\] 25 % {2}\[ \] 50 % {2}\[ \] 100 %\n/);
    assert.match(aborted.stdout, /reason +aborted by switchboard-cli/);

    const usage = runCli(['rollout', 'start', 'carts.updated', '--hub', rh.url]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /start takes CHANNEL GROUP VERSION/);
    assert.equal(runCli(['rollout', 'promote']).status, 2);
    assert.match(runCli(['rollout', 'status', '--watch']).stderr, /--watch needs a rollout id/);
    const help = runCli(['rollout', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: switchboard rollout <start\|status\|promote\|pause\|resume\|abort>/);
  });
});
