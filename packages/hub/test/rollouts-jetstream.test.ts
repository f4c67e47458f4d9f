// A rollout on the JetStream store, across two hub nodes sharing a real nats-server: stable members on both nodes,
// the canary on one, so the node holding the controller lease judges figures the other node shared through the
// store, and node A (no canary there) hands the canary's share back to the group for node B. Both nodes route by the
// same weight; a canary that nacks 10 % is rolled back, and every message ends acknowledged, each one the canary
// nacked by a stable member.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createNatsCluster, openJetStreamStore } from '@switchboard/hub/nats';
import { RawClient } from '../../../test/support/raw-client.js';
import { NO_NATS, startNatsServer, type NatsServer } from '../../../test/support/nats-server.js';
import { manualClock, waitFor } from '../../../test/support/util.js';
import { joinGroup, publishKeyed, startRollout, startRolloutHub, waitForRollout, type RolloutHub } from '../../../test/support/rollout-hub.js';

describe('rollouts on JetStream, two nodes', { skip: NO_NATS }, () => {
  let nats: NatsServer;
  const nodes: RolloutHub[] = [];
  const clock = manualClock();

  before(async () => {
    nats = await startNatsServer();
    for (const nodeId of ['node-a', 'node-b']) {
      nodes.push(
        await startRolloutHub({
          nodeId,
          clock,
          openStore: async () => {
            const store = await openJetStreamStore({ servers: [nats.url], namespace: 'ro', name: nodeId, logger: pino({ level: 'silent' }) });
            return { store, cluster: createNatsCluster(store.connection, store.names, pino({ level: 'silent' }), { nodeId }) };
          },
        }),
      );
    }
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await nats?.cleanup();
  });

  it('routes by one weight on both nodes, and rolls a failing canary on the other node back', async () => {
    const [a, b] = nodes as [RolloutHub, RolloutHub];
    const ch = 'refunds.requested';
    const stableA = await joinGroup(a.ws, 'refunder', '1.0.0', ch, 'refunder');
    const stableB = await joinGroup(b.ws, 'refunder', '1.0.0', ch, 'refunder');
    const stable = { acked: new Map<number, string>() };
    const ackedByStable = () => {
      stable.acked = new Map([...stableA.acked, ...stableB.acked]);
      return stable.acked;
    };
    let failing = false;
    const canary = await joinGroup(
      b.ws,
      'refunder',
      '1.1.0',
      ch,
      'refunder',
      (f) => (failing && (f.msg.data as { i: number }).i % 10 === 0 ? 'nack' : 'ack'),
      300,
    );
    const started = await startRollout(a.url, { channel: ch, group: 'refunder', version: '1.1.0', steps: [30, 100], min_samples: 30, window: '10m' });
    await waitFor(async () => (await (await fetch(`${b.url}/v1/admin/rollouts/${started.id}`)).json()) !== undefined, 'node b sees the rollout');

    // Healthy: publish half on each node; the canary's share is the weight.
    const { client: pa } = await RawClient.connect(a.ws, 'desk');
    const { client: pb } = await RawClient.connect(b.ws, 'desk');
    await Promise.all([publishKeyed(pa, ch, 0, 300), publishKeyed(pb, ch, 300, 300)]);
    await waitFor(
      () => ackedByStable().size + canary.acked.size === 600,
      () => `600 acked: ${stable.acked.size} + ${canary.acked.size} (got A ${stableA.got.length} B ${stableB.got.length} canary ${canary.got.length})`,
      20_000,
    );
    const share = canary.acked.size / 6;
    assert.ok(Math.abs(share - 30) <= 6, `the canary took ${share} % at weight 30 %`);
    const healthy = await waitForRollout(
      a.url,
      started.id,
      (s) => s.canary.delivered >= 100 && s.stable.delivered >= 300,
      'both sides counted by the controller',
    );
    assert.equal(healthy.state, 'running');

    failing = true;
    await Promise.all([publishKeyed(pa, ch, 600, 300), publishKeyed(pb, ch, 900, 300)]);
    const rolled = await waitForRollout(b.url, started.id, (s) => s.state === 'rolled_back', 'the rollback, seen from node b', 20_000);
    assert.equal(rolled.weight, 0);
    assert.match(rolled.reason ?? '', /canary error rate/);
    await waitFor(
      () => new Set([...ackedByStable().keys(), ...canary.acked.keys()]).size === 1200,
      () => `all 1200 acknowledged: stable ${stable.acked.size}, canary ${canary.acked.size}`,
      30_000,
    );
    for (const seq of canary.nacked) assert.ok(stable.acked.has(seq), `seq ${seq}, nacked by the canary, acknowledged by stable`);
    assert.ok(stableA.acked.size > 0 && stableB.acked.size > 0, 'stable members on both nodes took messages');
    for (const c of [pa, pb, stableA.client, stableB.client, canary.client]) await c.close();
  });
});
