// The admin status of a cluster node lists every node of the cluster (they answer on the cluster bus), and stops
// listing a node once it is gone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { waitFor } from '../support/util.js';

interface StatusNodes {
  cluster: { kind: string; nodes: { node: string; since: string; self: boolean }[] };
}

describe('GET /v1/admin/status on a cluster of three nodes', { skip: NO_NATS }, () => {
  const fx = useCluster(3);
  const status = async (node: number): Promise<StatusNodes> => {
    const res = await fetch(`${fx.cluster.nodes[node]!.url}/v1/admin/status`);
    assert.equal(res.status, 200);
    return (await res.json()) as StatusNodes;
  };

  it('lists the three nodes from any node, the asking node first and marked self', async () => {
    for (const i of [0, 2]) {
      const s = await status(i);
      assert.equal(s.cluster.kind, 'nats');
      const names = s.cluster.nodes.map((n) => n.node);
      assert.equal(names[0], `node-${i + 1}`);
      assert.deepEqual([...names].sort(), ['node-1', 'node-2', 'node-3']);
      assert.deepEqual(
        s.cluster.nodes.map((n) => n.self),
        [true, false, false],
      );
      for (const n of s.cluster.nodes) assert.ok(!Number.isNaN(Date.parse(n.since)), n.since);
    }
  });

  it('no longer lists a node that stopped', async () => {
    await fx.cluster.nodes[1]!.stop();
    await waitFor(async () => (await status(0)).cluster.nodes.length === 2, 'node-2 to drop out of the list', 10_000);
    assert.deepEqual(
      (await status(0)).cluster.nodes.map((n) => n.node),
      ['node-1', 'node-3'],
    );
  });
});
