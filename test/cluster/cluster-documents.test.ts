// Two hub nodes sharing one nats-server: shared state documents written on both nodes at once.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../support/raw-client.js';
import { useCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { range, waitFor } from '../support/util.js';
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

  it('a subscriber with "batch" on the other node gets a burst of votes as runs of patches, every version once, in order', async () => {
    const host = await on(0, 'qa-host');
    assert.equal((await host.call({ op: 'doc.update', id: 1, doc: 'qa/burst', ops: [{ op: 'add', path: '', value: { votes: 0 } }] })).version, 1);
    const watcher = await on(1, 'watch-batched');
    assert.equal((await watcher.call({ op: 'doc.sub', id: 1, doc: 'qa/burst', batch: true })).version, 1);
    const frames: { op: string; versions: number[] }[] = [];
    watcher.tap(
      (f) => (f.op === 'doc.patch' || f.op === 'doc.patches') && f.doc === 'qa/burst',
      (f) => frames.push({ op: f.op, versions: f.op === 'doc.patch' ? [f.version] : (f.patches as { version: number }[]).map((p) => p.version) }),
    );
    const voters = await Promise.all(range(1, 100).map((i) => on(0, `burst-voter-${i}`)));
    for (const v of voters) v.send({ op: 'doc.update', id: 7, doc: 'qa/burst', ops: [{ op: 'inc', path: '/votes', value: 1 }] });
    await waitFor(
      () => frames.flatMap((f) => f.versions).length >= 100,
      () => `${frames.flatMap((f) => f.versions).length} versions`,
      20_000,
    );
    assert.deepEqual(
      frames.flatMap((f) => f.versions),
      range(2, 101),
    );
    assert.ok(frames.length < 100, `${frames.length} frames for 100 versions`);
    const body = (await (await fetch(`${cluster.nodes[1]!.url}/v1/docs/qa/burst`)).json()) as DocBody;
    assert.deepEqual(body, { version: 101, value: { votes: 100 } });
  });
});
