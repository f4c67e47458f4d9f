// A node that was off NATS while another node changed a document many times still brings its subscribers up to date.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../support/raw-client.js';
import type { HubProcess } from '../support/hub-process.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { natsServerInstalled } from '../support/nats-server.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { range } from '../support/util.js';

const NO_NATS = natsServerInstalled() ? false : 'nats-server is not installed (apt-get install nats-server)';

describe('document changes missed while a node was off NATS', { skip: NO_NATS }, () => {
  let cluster: TestCluster;
  let proxy: TcpProxy;
  let nodes: HubProcess[];
  const clients: RawClient[] = [];
  before(async () => {
    // node-2 reaches NATS through a proxy, so the test can take it off NATS alone.
    cluster = await startCluster(2, undefined, { proxied: [1] });
    nodes = cluster.nodes;
    proxy = cluster.proxies.get(1)!;
  });
  after(async () => {
    for (const c of clients) await c.close();
    await cluster?.cleanup();
  });

  const ready = (node: HubProcess, status: 200 | 503) => cluster.waitReady(status, 20_000, [node]);

  it('sends one whole-value patch for a gap older than the kept patches, then nothing is lost', async () => {
    const { client: watcher } = await RawClient.connect(nodes[1]!.wsUrl, 'gap-watcher');
    const { client: writer } = await RawClient.connect(nodes[0]!.wsUrl, 'gap-writer');
    clients.push(watcher, writer);
    assert.equal((await writer.call({ op: 'doc.update', id: 1, doc: 'gap/1', ops: [{ op: 'add', path: '', value: { n: 0 } }] })).version, 1);
    assert.equal((await watcher.call({ op: 'doc.sub', id: 1, doc: 'gap/1' })).version, 1);

    proxy.cut(true);
    await ready(nodes[1]!, 503);
    for (const i of range(1, 80)) assert.equal((await writer.call({ op: 'doc.update', id: 100 + i, doc: 'gap/1', ops: [{ op: 'inc', path: '/n', value: 1 }] })).op, 'ok');
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
