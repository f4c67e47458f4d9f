// Three hub nodes sharing one nats-server: what a message published on one node does on the others.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../support/raw-client.js';
import { assertContiguous, history, publishMany, quietFor, subscribe } from '../support/hub-fixture.js';
import { useCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { waitFor, range } from '../support/util.js';
import type { Envelope } from '@switchboard/protocol';

describe('a cluster of three hub nodes on JetStream', { skip: NO_NATS }, () => {
  const fx = useCluster(3, 'channels:\n  "live.>":\n    mode: ephemeral\n');
  let cluster: TestCluster;
  before(() => {
    cluster = fx.cluster;
  });
  async function on(node: number, component: string): Promise<RawClient> {
    const { client, welcome } = await fx.session(node, component);
    assert.equal(welcome.node, `node-${node + 1}`);
    return client;
  }

  it('delivers every message published on node 1 to subscribers on nodes 2 and 3, once each, in seq order', async () => {
    const [b, c] = [await on(1, 'sub-b'), await on(2, 'sub-c')];
    const subB = await subscribe(b, { ch: 'cl.fan', from: 'latest' });
    const subC = await subscribe(c, { ch: 'cl.fan', from: 'latest' });
    const publisher = await on(0, 'pub-a');
    const seqs = await publishMany(publisher, 'cl.fan', 300, { window: 20 });
    assert.deepEqual(
      [...seqs].sort((x, y) => x - y),
      range(1, 300),
    );
    for (const [client, sub] of [
      [b, subB.sub],
      [c, subC.sub],
    ] as const) {
      const got = (await client.messages(sub, 300, 15_000)).map((f) => f.msg.seq);
      assertContiguous(got, 0, `subscriber ${sub}`);
      assert.deepEqual(await quietFor(client, sub, 300), [], 'nothing delivered twice');
    }
  });

  it('shares one group position across members on all three nodes: each message handled once, spread over the nodes', async () => {
    const handled = new Map<number, string>();
    const twice: number[] = [];
    for (let i = 0; i < 3; i++) {
      const member = await on(i, 'worker');
      const { sub } = await subscribe(member, { ch: 'cl.work', group: 'workers', from: 'earliest', ack: 'manual' });
      member.ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { op: string; sub: string; msg: { seq: number } };
        if (f.op !== 'msg' || f.sub !== sub) return;
        if (handled.has(f.msg.seq)) twice.push(f.msg.seq);
        handled.set(f.msg.seq, `node-${i + 1}`);
        member.send({ op: 'ack', sub, seq: f.msg.seq });
      });
    }
    await publishMany(await on(1, 'pub-b'), 'cl.work', 300, { window: 20 });
    await waitFor(
      () => handled.size === 300,
      () => `handled ${handled.size} of 300`,
      20_000,
    );
    assert.deepEqual(
      [...handled.keys()].sort((x, y) => x - y),
      range(1, 300),
    );
    assert.deepEqual(twice, [], 'no message handled twice');
    const perNode = new Map<string, number>();
    for (const node of handled.values()) perNode.set(node, (perNode.get(node) ?? 0) + 1);
    console.log(`group of 3 members on 3 nodes: 300 messages handled once each; per node ${JSON.stringify(Object.fromEntries(perNode))}`);
    for (const node of ['node-1', 'node-2', 'node-3']) {
      assert.ok(
        (perNode.get(node) ?? 0) >= 45,
        `the member on ${node} took ${perNode.get(node) ?? 0} of 300 (at least 15 % expected): the nodes share the group's work`,
      );
    }
  });

  it('fans ephemeral messages out across nodes through core NATS', async () => {
    const [b, c] = [await on(1, 'eph-b'), await on(2, 'eph-c')];
    const subB = await subscribe(b, { ch: 'live.cursor', from: 'latest' });
    const subC = await subscribe(c, { ch: 'live.cursor', from: 'latest' });
    const publisher = await on(0, 'eph-a');
    for (let i = 0; i < 50; i++) {
      const reply = await publisher.call({ op: 'pub', ch: 'live.cursor', type: 'pos', data: { i } });
      assert.equal(reply.op, 'ok');
    }
    for (const [client, sub] of [
      [b, subB.sub],
      [c, subC.sub],
    ] as const) {
      const got = await client.messages<Envelope<{ i: number }>>(sub, 50, 10_000);
      assert.deepEqual(
        got.map((f) => f.msg.data.i),
        range(0, 49),
      );
    }
    assert.deepEqual(await history(cluster.nodes[1]!.url, 'live.cursor'), [], 'an ephemeral channel keeps no log');
  });

  it('routes a request to a component connected to another node', async () => {
    const responder = await on(2, 'pricer');
    responder.ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { op: string; rid: string; data: { symbol: string } };
      if (f.op === 'req') responder.send({ op: 'reply', rid: f.rid, data: { symbol: f.data.symbol, price: 1.25 } });
    });
    const requester = await on(0, 'trader');
    await waitFor(
      async () => (await requester.call({ op: 'req', to: 'pricer', type: 'quote', data: { symbol: 'X' }, timeout_ms: 2000 })).op === 'ok',
      'the responder on another node to answer',
      { timeoutMs: 5000, everyMs: 100 },
    ).catch(() => {});
    const reply = await requester.call({ op: 'req', to: 'pricer', type: 'quote', data: { symbol: 'EURUSD' }, timeout_ms: 3000 });
    assert.deepEqual([reply.op, reply.data], ['ok', { symbol: 'EURUSD', price: 1.25 }]);
    const missing = await requester.call({ op: 'req', to: 'nobody-anywhere', type: 'quote', data: {}, timeout_ms: 1000 });
    assert.deepEqual([missing.op, missing.code], ['err', 'UNAVAILABLE']);
  });

  it('stores the same msg_id published to two nodes once', async () => {
    const a = await on(0, 'dedupe-a');
    const b = await on(1, 'dedupe-b');
    const first = await a.call({ op: 'pub', ch: 'cl.dedupe', type: 't', data: { from: 'a' }, msg_id: 'order-42' });
    const again = await b.call({ op: 'pub', ch: 'cl.dedupe', type: 't', data: { from: 'b' }, msg_id: 'order-42' });
    assert.equal(first.op, 'ok');
    assert.deepEqual([again.op, again.seq, again.duplicate], ['ok', first.seq, true]);
    const stored = await history(cluster.nodes[2]!.url, 'cl.dedupe');
    assert.deepEqual(
      stored.map((m) => m.data),
      [{ from: 'a' }],
    );
  });
});
