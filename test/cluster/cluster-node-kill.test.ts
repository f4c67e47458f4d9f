// kill -9 of one hub node of three while messages flow: its clients (SDK, several URLs) fail over and resume.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type SwitchboardClient } from '@switchboard/client';
import { history } from '../support/hub-fixture.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';
import { waitFor, range, sleep } from '../support/util.js';
import type { Envelope } from '@switchboard/protocol';

const TOTAL = 1500;
const KILL_AFTER = 500;

describe('kill -9 of one node of a three-node cluster', { skip: NO_NATS }, () => {
  let cluster: TestCluster;
  const clients: SwitchboardClient[] = [];
  before(async () => {
    cluster = await startCluster(3, 'defaults:\n  ack_timeout: 2s\n');
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await cluster?.cleanup();
  });
  async function client(component: string, firstNode: number): Promise<SwitchboardClient> {
    const c = await connect({ urls: cluster.wsUrls(firstNode), component, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    clients.push(c);
    return c;
  }

  it('loses no acknowledged message: the group handles each, the fan-out subscriber resumes with no gap', async () => {
    const victim = 1;
    const handled = new Map<number, number>();
    let delivered = 0;
    let redelivered = 0;
    for (let i = 0; i < 3; i++) {
      const worker = await client('kill-worker', i);
      await worker.subscribe('cl.kill', {
        group: 'workers',
        from: 'earliest',
        onMessage: (m) => {
          delivered++;
          if (m.redelivered > 0) redelivered++;
          handled.set(m.seq, (handled.get(m.seq) ?? 0) + 1);
        },
      });
    }
    const fanout: number[] = [];
    const watcher = await client('kill-watcher', victim);
    await watcher.subscribe('cl.kill', { from: 0, onMessage: (m) => void fanout.push(m.seq) });
    const publisher = await client('kill-publisher', victim);

    const acked = new Map<number, number>();
    let failed = 0;
    let killed: Promise<void> | undefined;
    const publishes: Promise<void>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      publishes.push(
        publisher.publish('cl.kill', 't', { i }).then(
          (r) => {
            acked.set(i, r.seq);
            if (acked.size === KILL_AFTER) killed = cluster.nodes[victim]!.kill9();
          },
          () => void failed++,
        ),
      );
      if (i % 20 === 19) await sleep(10);
    }
    await Promise.all(publishes);
    await killed;

    const ackedSeqs = [...acked.values()];
    // Waits that end anyway: the counts below say what is missing.
    await waitFor(() => ackedSeqs.every((s) => handled.has(s)), 'every acknowledged message handled', { timeoutMs: 30_000, everyMs: 100 }).catch(() => {});
    const lastSeq = Math.max(...ackedSeqs);
    await waitFor(() => new Set(fanout).size >= lastSeq, 'the fan-out subscriber to see every seq', { timeoutMs: 30_000, everyMs: 100 }).catch(() => {});

    const lost = ackedSeqs.filter((s) => !handled.has(s)).length;
    const unique = handled.size;
    console.log(
      `kill -9 of node-${victim + 1} under load: published ${TOTAL}, acknowledged ${acked.size}, refused ${failed}, ` +
        `group deliveries ${delivered} (redelivered ${redelivered}), handled ${unique}, lost ${lost}, duplicated ${delivered - unique}; ` +
        `fan-out subscriber got ${fanout.length} deliveries of ${new Set(fanout).size} seqs`,
    );
    assert.equal(acked.size, TOTAL, 'every publish was acknowledged (the SDK re-sent the unanswered ones to another node)');
    assert.equal(lost, 0, 'no acknowledged message was lost');

    const stored = await history<Envelope<{ i: number }>>(cluster.nodes[0]!.url, 'cl.kill');
    assert.deepEqual(
      stored.map((m) => m.seq),
      range(1, stored.length),
      'the log has no gap',
    );
    assert.equal(new Set(stored.map((m) => m.data.i)).size, stored.length, 'each message stored once (re-sent publishes were deduplicated)');
    assert.equal(stored.length, TOTAL);
    for (const [i, seq] of acked) assert.equal(stored[seq - 1]?.data.i, i, `acknowledged message ${i} is stored at seq ${seq}`);

    const seen = new Set<number>();
    let last = 0;
    for (const seq of fanout) {
      assert.ok(seq <= last + 1 || seen.has(seq - 1), `the fan-out subscriber skipped from ${last} to ${seq}`);
      seen.add(seq);
      last = Math.max(last, seq);
    }
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      range(1, TOTAL),
      'the fan-out subscriber saw every seq',
    );
  });
});
