// A node that was off NATS while another node changed a document many times still brings its subscribers up to date.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HubProcess } from '../support/hub-process.js';
import { useCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { range } from '../support/util.js';

describe('document changes missed while a node was off NATS', { skip: NO_NATS }, () => {
  // node-2 reaches NATS through a proxy, so the test can take it off NATS alone.
  const fx = useCluster(2, undefined, { proxied: [1] });
  let cluster: TestCluster;
  let nodes: HubProcess[];
  let proxy: TcpProxy;
  before(() => {
    cluster = fx.cluster;
    nodes = cluster.nodes;
    proxy = cluster.proxies.get(1)!;
  });

  const ready = (node: HubProcess, status: 200 | 503) => cluster.waitReady(status, 20_000, [node]);

  it('sends one whole-value patch for a gap older than the kept patches, then nothing is lost', async () => {
    const { client: watcher } = await fx.session(1, 'gap-watcher');
    const { client: writer } = await fx.session(0, 'gap-writer');
    assert.equal((await writer.call({ op: 'doc.update', id: 1, doc: 'gap/1', ops: [{ op: 'add', path: '', value: { n: 0 } }] })).version, 1);
    assert.equal((await watcher.call({ op: 'doc.sub', id: 1, doc: 'gap/1' })).version, 1);

    proxy.cut(true);
    await ready(nodes[1]!, 503);
    for (const i of range(1, 80))
      assert.equal((await writer.call({ op: 'doc.update', id: 100 + i, doc: 'gap/1', ops: [{ op: 'inc', path: '/n', value: 1 }] })).op, 'ok');
    proxy.restore();
    await ready(nodes[1]!, 200);

    // Without a further update: the node compares its subscribed documents with the store once back on NATS.
    const first = await watcher.next((f) => f.op === 'doc.patch', 20_000);
    assert.equal(first.by, '$hub');
    assert.deepEqual(first.ops, [{ op: 'replace', path: '', value: { n: 80 } }]);
    assert.equal(first.version, 81);
    assert.equal((await writer.call({ op: 'doc.update', id: 500, doc: 'gap/1', ops: [{ op: 'inc', path: '/n', value: 1 }] })).version, 82);
    const next = await watcher.next((f) => f.op === 'doc.patch', 10_000);
    assert.deepEqual([next.version, next.by], [82, 'gap-writer']);
  });
});
