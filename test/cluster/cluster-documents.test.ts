// Two hub nodes sharing one nats-server: shared state documents written on both nodes at once.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../support/raw-client.js';
import { useCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { range } from '../support/util.js';
import type { DocBody } from '../support/http-bodies.js';

describe('shared state documents on a cluster of two hub nodes', { skip: NO_NATS }, () => {
  const fx = useCluster(2);
  let cluster: TestCluster;
  before(() => {
    cluster = fx.cluster;
  });
  async function on(node: number, component: string): Promise<RawClient> {
    return (await fx.session(node, component)).client;
  }

  it('counts votes sent to both nodes at once exactly, and each node forwards every version in order', async () => {
    const host = await on(0, 'qa-host');
    const r = await host.call({ op: 'doc.update', id: 1, doc: 'qa/cl', ops: [{ op: 'add', path: '', value: { votes: 0 } }] });
    assert.equal(r.version, 1, JSON.stringify(r));
    const watchers = [await on(0, 'watch-1'), await on(1, 'watch-2')];
    for (const w of watchers) assert.equal((await w.call({ op: 'doc.sub', id: 1, doc: 'qa/cl' })).version, 1);
    const voters = await Promise.all(range(1, 10).map((i) => on(i % 2, `voter-${i}`)));
    const replies = await Promise.all(
      voters.flatMap((v) => range(1, 10).map((k) => v.call({ op: 'doc.update', id: k, doc: 'qa/cl', ops: [{ op: 'inc', path: '/votes', value: 1 }] }, 30_000))),
    );
    assert.deepEqual(
      replies.filter((x) => x.op !== 'ok'),
      [],
    );
    for (const node of cluster.nodes) {
      const body = (await (await fetch(`${node.url}/v1/docs/qa/cl`)).json()) as DocBody;
      assert.deepEqual(body, { version: 101, value: { votes: 100 } });
    }
    for (const w of watchers) {
      const versions: number[] = [];
      while (versions.length < 100) versions.push((await w.next((f) => f.op === 'doc.patch', 20_000)).version);
      assert.deepEqual(versions, range(2, 101));
    }
  });
});
