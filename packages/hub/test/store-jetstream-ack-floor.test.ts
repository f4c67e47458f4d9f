// A group shared by two nodes: acks do not each cost a request for the ack floor, and the floor still catches up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openJetStreamStore, type JetStreamStore } from '../src/store/jetstream/jetstream-store.js';
import type { AppendInput, GroupCursor } from '../src/store/store.js';
import { freePort, NO_NATS, startNatsServer, type NatsServer } from '../../../test/support/nats-server.js';
import { waitFor } from '../../../test/support/util.js';

describe('the ack floor of a JetStream group spread over two nodes', { skip: NO_NATS }, () => {
  let nats: NatsServer;
  let monitor: number;
  const stores: JetStreamStore[] = [];
  before(async () => {
    monitor = await freePort();
    nats = await startNatsServer(['-m', String(monitor)]);
  });
  after(async () => {
    for (const s of stores) await s.close();
    await nats?.cleanup();
  });

  /** JetStream API requests the server has answered so far. */
  async function apiRequests(): Promise<number> {
    const jsz = (await (await fetch(`http://127.0.0.1:${monitor}/jsz`)).json()) as { api: { total: number } };
    return jsz.api.total;
  }

  it('reads the floor from the server at most about once a second, not once per ack', async () => {
    for (let i = 0; i < 2; i++) stores.push(await openJetStreamStore({ servers: nats.url, namespace: 'floor', logger: { warn: () => undefined } }));
    const [a, b] = stores as [JetStreamStore, JetStreamStore];
    const n = 200;
    for (let i = 0; i < n; i++) await a.append('af', input(i));
    const ga = await a.group('af', 'g', { from: 'earliest', ackWaitMs: 60_000, onReady: () => undefined });
    const gb = await b.group('af', 'g', { from: 'earliest', ackWaitMs: 60_000, onReady: () => undefined });
    // The nodes take turns, so every seq after one node's floor is held by the other node.
    const owner = new Map<number, GroupCursor>();
    for (let i = 0; i < n; i++) {
      const g = i % 2 === 0 ? ga : gb;
      for (const d of await g.fetch(1)) owner.set(d.message.seq, g);
    }
    assert.equal(owner.size, n);

    const before = await apiRequests();
    const started = Date.now();
    for (let seq = 1; seq <= n; seq++) await owner.get(seq)!.ack(seq);
    const elapsedS = (Date.now() - started) / 1000;
    const used = (await apiRequests()) - before;
    console.log(`${n} acks over two nodes in ${elapsedS.toFixed(2)} s: ${used} ack-floor requests`);
    assert.ok(used <= 2 * (Math.ceil(elapsedS) + 2), `${used} JetStream API requests for ${n} acks in ${elapsedS.toFixed(2)} s (one per ack before)`);

    await waitFor(
      () => ga.ackFloor() === n && gb.ackFloor() === n,
      () => `both nodes see the floor reach ${n} (node a: ${ga.ackFloor()}, node b: ${gb.ackFloor()})`,
      { timeoutMs: 10_000, everyMs: 50 },
    );
  });
});

function input(i: number): AppendInput {
  return { id: `id-${i}`, type: 'test', source: 'ack-floor-test', ts: new Date(0).toISOString(), data: { i } };
}
