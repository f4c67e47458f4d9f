// kill -9 under load, the heavier sibling of packages/hub/test/kill9-durability.test.ts: several publishers
// stream acknowledged publishes at about 10k msg/s in total, each with a window of publishes in flight, while
// the hub is killed with SIGKILL several times in a row and restarted on the same data directory and port.
// Nothing acknowledged is lost or moved; the log stays gap-free; a follower that resumes from the last seq it
// saw and a consumer group (manual ack, position kept by the hub) both see every message, with no gap.
// Re-sent unacknowledged messages and redeliveries are allowed, and counted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { RawClient } from '../support/raw-client.js';
import { history, subscribe } from '../support/hub-fixture.js';
import { bySoak, now, PacedPublisher, printCounts, Receiver } from '../support/load.js';
import { waitFor, range, sleep } from '../support/util.js';

const CH = 'rel.k9load';
const PUBLISHERS = 4;
const WINDOW = 128;
/** Target publishes per second, all publishers together. */
const RATE = 10_000;
const KILLS = bySoak(3, 12);
/** Streaming time before each kill (and after the last restart). */
const ROUND_MS = bySoak(1500, 5000);

/** A consumer-group member that acks each delivery at once, and what it saw. */
interface Auditor {
  seen: Set<number>;
  deliveries: number;
  redeliveries: number;
}

describe('kill -9 of the hub under load', () => {
  let first: HubProcess | undefined;
  after(async () => first?.cleanup());

  it(`loses nothing acknowledged across ${KILLS} kills while ${PUBLISHERS} publishers stream`, async () => {
    let hub = (first = await startHub());
    const pubs = range(1, PUBLISHERS).map(
      (p) => new PacedPublisher({ ch: CH, component: `k9-pub-${p}`, rate: RATE / PUBLISHERS, window: WINDOW, msgId: (i) => `p${p}-${i}`, pad: 32 }),
    );
    const follower = new Receiver(0);
    const auditor: Auditor = { seen: new Set(), deliveries: 0, redeliveries: 0 };
    const clients: RawClient[] = [];

    /** Connects the follower (from its last seq) and the group member to the current hub. */
    async function attachSubscribers(): Promise<void> {
      const { client: f } = await RawClient.connect(hub.wsUrl, 'k9-follower');
      f.tap(
        (x) => x.op === 'msg',
        (x) => follower.onMessage(x.msg),
      );
      await subscribe(f, { ch: CH, from: follower.last });
      const { client: g } = await RawClient.connect(hub.wsUrl, 'k9-auditor');
      g.tap(
        (x) => x.op === 'msg',
        (x) => {
          const seq: number = x.msg.seq;
          auditor.deliveries++;
          if (auditor.seen.has(seq)) auditor.redeliveries++;
          else auditor.seen.add(seq);
          g.send(`{"op":"ack","sub":"${x.sub}","seq":${seq}}`);
        },
      );
      await subscribe(g, { ch: CH, group: 'audit', ack: 'manual', from: 0 });
      clients.push(f, g);
    }

    let streamingMs = 0;
    let inflightAtKills = 0;
    for (let round = 0; round <= KILLS; round++) {
      await Promise.all(pubs.map((p) => p.connect(hub.wsUrl)));
      await attachSubscribers();
      const roundStart = now();
      await sleep(ROUND_MS);
      streamingMs += now() - roundStart;
      if (round === KILLS) break;
      const ackedBefore = pubs.reduce((n, p) => n + p.acked.size, 0);
      inflightAtKills += pubs.reduce((n, p) => n + p.inflight, 0);
      await hub.kill9();
      console.log(
        `kill ${round + 1}/${KILLS}: ${ackedBefore} acknowledged so far, ${pubs.reduce((n, p) => n + p.inflight, 0)} publishes in flight at the kill`,
      );
      hub = await hub.restart();
    }
    const beforeFinish = pubs.reduce((n, p) => n + p.published, 0);
    await Promise.all(pubs.map((p) => p.finish()));

    const log = await history(hub.url, CH);
    const head = log.length;
    log.forEach((m, i) => {
      if (m.seq !== i + 1) assert.fail(`the log has seq ${m.seq} at position ${i}: seqs must run 1..N with no gap`);
    });
    const stored = new Map<string, number>();
    let duplicated = 0;
    for (const m of log) {
      if (stored.has(m.id)) duplicated++;
      else stored.set(m.id, m.seq);
    }
    let lost = 0;
    let acknowledged = 0;
    for (const p of pubs) {
      for (const [id, seq] of p.acked) {
        acknowledged++;
        if (stored.get(id) !== seq) lost++;
      }
    }
    const published = pubs.reduce((n, p) => n + p.published, 0);

    // The subscribers catch up with the whole log.
    const catchUpStart = now();
    const caughtUp = await waitFor(() => follower.last >= head && auditor.seen.size >= head, 'subscribers to catch up', {
      timeoutMs: 60_000,
      everyMs: 100,
    }).then(
      () => true,
      () => false,
    );
    console.log(`subscribers caught up ${Math.round(now() - catchUpStart)} ms after the log was read`);
    for (const c of clients) await c.close();
    const groupMissing = range(1, head).filter((s) => !auditor.seen.has(s)).length;

    printCounts('kill9-load', {
      published,
      acknowledged,
      delivered: follower.delivered,
      lost,
      duplicated,
      kills: KILLS,
      in_flight_at_kills: inflightAtKills,
      resent: pubs.reduce((n, p) => n + p.sends - p.published, 0),
      duplicate_answers: pubs.reduce((n, p) => n + p.duplicateAnswers, 0),
      follower_gaps: follower.gaps.length,
      follower_duplicates: follower.duplicates,
      group_delivered: auditor.deliveries,
      group_missing: groupMissing,
      group_redelivered: auditor.redeliveries,
      publish_rate: Math.round((beforeFinish / streamingMs) * 1000),
    });

    for (const p of pubs) assert.deepEqual(p.errors, [], 'no publish was refused');
    assert.equal(lost, 0, 'every acknowledged message is in the log at the seq it was acknowledged with');
    assert.equal(acknowledged, published, 'in the end every published message is acknowledged (the unacknowledged ones re-sent)');
    assert.equal(duplicated, 0, 'a re-sent message (same msg_id) is stored once');
    assert.equal(head, published, 'the log holds each published message once');
    assert.ok(caughtUp, `the subscribers caught up: follower at ${follower.last}, group saw ${auditor.seen.size} of ${head}`);
    assert.deepEqual(follower.gaps, [], 'the follower resuming from its last seq saw no gap');
    assert.equal(follower.duplicates, 0, 'resuming from the last seq seen repeats nothing');
    assert.equal(groupMissing, 0, 'the consumer group saw every seq');
    assert.ok(inflightAtKills > 0, 'the hub was killed with publishes in flight');
  });
});
