// nats-server restarted under load: the nodes go not-ready, publishers see UNAVAILABLE, nothing acknowledged is lost.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { history } from '../support/hub-fixture.js';
import { useCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { sleep, waitFor } from '../support/util.js';
import type { Envelope } from '@switchboard/protocol';

describe('nats-server restarted while two nodes take publishes', { skip: NO_NATS }, () => {
  // info: the nodes' lines about the outage and the recovery are part of what is checked
  const fx = useCluster(2, undefined, { logLevel: 'info' });
  let cluster: TestCluster;
  before(() => {
    cluster = fx.cluster;
  });

  it('answers UNAVAILABLE while NATS is down, reports not ready, reconnects, and keeps every acknowledged message', async () => {
    const publishers = await Promise.all(cluster.nodes.map(async (_, i) => (await fx.session(i, `restart-pub-${i}`)).client));
    const acked = new Map<string, number>();
    const refused = new Map<string, number>();
    let running = true;
    let sent = 0;
    const loops = publishers.map(async (p, node) => {
      for (let i = 0; running; i++) {
        const key = `${node}-${i}`;
        sent++;
        const reply = await p.call({ op: 'pub', ch: 'cl.restart', type: 't', data: { key } }, 15_000);
        if (reply.op === 'ok') acked.set(key, reply.seq);
        else refused.set(reply.code, (refused.get(reply.code) ?? 0) + 1);
        await sleep(reply.op === 'ok' ? 2 : 20);
      }
    });

    await sleep(500);
    const beforeStop = acked.size;
    assert.ok(beforeStop > 0, 'publishes succeed before the restart');
    await cluster.nats.stop();
    await cluster.waitReady(503);
    const ackedWhileDown = acked.size;
    await sleep(500);
    assert.ok(
      (refused.get('UNAVAILABLE') ?? 0) > 0,
      `publishers were told UNAVAILABLE while NATS was down (refusals: ${JSON.stringify(Object.fromEntries(refused))})`,
    );
    assert.ok(acked.size - ackedWhileDown <= 2, 'no publish is acknowledged while NATS is down');
    for (const node of cluster.nodes) {
      await waitFor(
        () => /"msg":"jetstream store: lost NATS at [^"]+; appends are refused with UNAVAILABLE until it is back"/.test(node.output()),
        'the node to log that it lost NATS',
        10_000,
      );
    }
    await cluster.nats.restart();
    await cluster.waitReady(200);
    for (const node of cluster.nodes) {
      await waitFor(() => /"msg":"jetstream store: NATS at [^"]+ is back after \d+ ms"/.test(node.output()), 'the node to log that NATS is back', 10_000);
      const outage = node
        .output()
        .split('\n')
        .filter((l) => l.includes('lost NATS') || l.includes('is back after'));
      assert.equal(outage.length, 2, `one line when NATS goes and one when it is back, not one per refused publish:\n${outage.join('\n')}`);
    }
    const afterRestart = acked.size;
    await sleep(500);
    running = false;
    await Promise.all(loops);
    assert.ok(acked.size > afterRestart, 'publishes succeed again after the restart');

    const stored = await history<Envelope<{ key: string }>>(cluster.nodes[1]!.url, 'cl.restart');
    const byKey = new Map(stored.map((m) => [m.data.key as string, m.seq as number]));
    const lost = [...acked].filter(([key, seq]) => byKey.get(key) !== seq).length;
    console.log(
      `nats-server restart under load: sent ${sent}, acknowledged ${acked.size}, refused ${JSON.stringify(Object.fromEntries(refused))}, ` +
        `stored ${stored.length}, lost ${lost}`,
    );
    assert.equal(lost, 0, 'every acknowledged message is stored at its seq');
    stored.forEach((m, i) => assert.equal(m.seq, i + 1, 'no gap in the log'));
    for (const code of refused.keys()) assert.equal(code, 'UNAVAILABLE', 'refusals are UNAVAILABLE');
  });
});
