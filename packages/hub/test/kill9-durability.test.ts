// kill -9 of the hub while a publisher streams: nothing acknowledged is lost, nothing is stored twice, the
// log stays gap-free, a subscriber resuming from a seq before the crash gets everything after it, and
// re-publishing the unacknowledged messages with their msg_id lands each exactly once. Three kills in a
// row, for `--durability fsync` and `--durability process`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHub, type HubProcess } from '../../../test/support/hub-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { history, subscribe } from '../../../test/support/hub-fixture.js';
import { withTimeout } from '../../../test/support/util.js';
import type { Envelope } from '@switchboard/protocol';

const CH = 'k9.orders';
const TOTAL = 6000;
const WINDOW = 100;
/** Acknowledged count (cumulative) at which each of the three kills is triggered. */
const KILL_AT = [2000, 3500, 5000];
const idOf = (i: number) => `order-${i}`;

interface StreamResult {
  /** msg_ids sent in this stream. */
  sent: string[];
  /** msg_id → reply of the ones acknowledged in this stream. */
  replies: Map<string, { seq: number; duplicate: boolean }>;
  killed: boolean;
}

/**
 * Publishes `ids` in order with at most `WINDOW` unanswered, over a plain socket. When `killWhen()` turns true
 * after an ack, calls `kill()` (without waiting; the stream keeps going until the socket drops).
 * Resolves when every id is acknowledged or the socket closed.
 */
async function stream(wsUrl: string, ids: string[], killWhen: (acked: number) => boolean, kill: () => Promise<void>): Promise<StreamResult> {
  const ws = new WebSocket(wsUrl, 'switchboard.v1', { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const result: StreamResult = { sent: [], replies: new Map(), killed: false };
  const outstanding = new Map<number, string>();
  let next = 0;
  let frameId = 1;
  let failure: Error | undefined;
  let killing: Promise<void> | undefined;
  const done = new Promise<void>((resolve) => {
    const pump = () => {
      while (outstanding.size < WINDOW && next < ids.length && ws.readyState === WebSocket.OPEN) {
        const msgId = ids[next++]!;
        const id = frameId++;
        outstanding.set(id, msgId);
        result.sent.push(msgId);
        ws.send(JSON.stringify({ op: 'pub', id, ch: CH, type: 'order.placed', msg_id: msgId, data: { order: msgId, qty: id % 17, note: 'x'.repeat(64) } }));
      }
      if (next >= ids.length && outstanding.size === 0) resolve();
    };
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.op === 'welcome') return pump();
      const msgId = outstanding.get(f.re);
      if (msgId === undefined) return;
      outstanding.delete(f.re);
      if (f.op !== 'ok') {
        failure ??= new Error(`publish of ${msgId} refused: ${JSON.stringify(f)}`);
        return ws.close();
      }
      result.replies.set(msgId, { seq: f.seq, duplicate: f.duplicate === true });
      if (!killing && killWhen(result.replies.size)) {
        result.killed = true;
        killing = kill();
      }
      pump();
    });
    ws.on('close', () => resolve());
    ws.on('error', () => {
      /* the close follows */
    });
    ws.send(JSON.stringify({ op: 'hello', id: 'h', component: 'order-publisher' }));
  });
  await withTimeout(done, 60_000, () => `stream stalled: ${result.replies.size} acked, ${outstanding.size} outstanding`);
  await killing;
  if (ws.readyState !== WebSocket.CLOSED) ws.close();
  if (failure) throw failure;
  return result;
}

/** Reads the whole log and checks it: seqs 1..N without gap, each msg_id once. Returns msg_id → seq. */
async function readLog(hub: HubProcess): Promise<{ bySeq: Envelope[]; idToSeq: Map<string, number>; duplicated: number }> {
  const bySeq = await history(hub.url, CH);
  bySeq.forEach((m, i) => {
    if (m.seq !== i + 1) assert.fail(`log has seq ${m.seq} at position ${i}: seqs must be 1..N with no gap`);
  });
  const idToSeq = new Map<string, number>();
  let duplicated = 0;
  for (const m of bySeq) {
    if (idToSeq.has(m.id)) duplicated++;
    else idToSeq.set(m.id, m.seq);
  }
  return { bySeq, idToSeq, duplicated };
}

/** Subscribes from `k` and checks that k+1 … head arrive in order with no gap. */
async function assertResumeFrom(hub: HubProcess, k: number): Promise<number> {
  const { client } = await RawClient.connect(hub.wsUrl, 'order-auditor');
  try {
    const { sub, head } = await subscribe(client, { ch: CH, from: k });
    let expected = k + 1;
    while (expected <= head) {
      const f = await client.next((x) => x.op === 'msg' && x.sub === sub, 10_000);
      if (f.msg.seq !== expected) assert.fail(`resuming from ${k}: expected seq ${expected}, got ${f.msg.seq}`);
      expected++;
    }
    return head - k;
  } finally {
    await client.close();
  }
}

describe('kill -9 durability', () => {
  const hubs: HubProcess[] = [];
  after(async () => {
    for (const h of hubs) await h.cleanup();
  });

  for (const durability of ['fsync', 'process'] as const) {
    it(`loses and duplicates nothing acknowledged across 3 kills (--durability ${durability})`, async () => {
      let hub = await startHub({ args: ['--durability', durability] });
      hubs.push(hub);
      const allIds = Array.from({ length: TOTAL }, (_, i) => idOf(i));
      /** msg_id → seq the hub acknowledged (first acknowledgement). */
      const acked = new Map<string, number>();
      const everSent = new Set<string>();
      let lost = 0;
      let duplicated = 0;
      /** The log as last read: msg_id → seq. */
      let known = new Map<string, number>();

      for (let round = 0; round <= KILL_AT.length; round++) {
        const killAt = KILL_AT[round];
        const ackedBefore = acked.size;
        const todo = allIds.filter((id) => !acked.has(id));
        const current = hub;
        const r = await stream(
          current.wsUrl,
          todo,
          (n) => killAt !== undefined && ackedBefore + n >= killAt,
          () => current.kill9(),
        );
        for (const id of r.sent) everSent.add(id);

        // Every re-published message that was already in the log is answered as a duplicate with its seq.
        for (const [id, reply] of r.replies) {
          const before = known.get(id);
          if (before !== undefined) {
            assert.equal(reply.seq, before, `${id} was stored as seq ${before} before the crash; its re-publish got seq ${reply.seq}`);
            assert.equal(reply.duplicate, true, `the re-publish of ${id} (already stored) must say duplicate:true`);
          } else assert.equal(reply.duplicate, false, `${id} was never stored, yet its publish said duplicate:true`);
          if (!acked.has(id)) acked.set(id, reply.seq);
        }

        if (killAt !== undefined) {
          assert.ok(r.killed, `round ${round + 1}: the kill was triggered`);
          await current.kill9();
          assert.ok(r.replies.size < todo.length, `round ${round + 1}: the hub died mid-stream (${r.replies.size} of ${todo.length} acked)`);
          hub = await current.restart();
          hubs.push(hub);
        } else assert.equal(r.replies.size, todo.length, 'without a kill every message is acknowledged');

        const log = await readLog(hub);
        duplicated += log.duplicated;
        for (const [id, seq] of acked) {
          const stored = log.idToSeq.get(id);
          if (stored === undefined) lost++;
          else assert.equal(stored, seq, `${id} was acknowledged as seq ${seq} but the log has it at ${stored}`);
        }
        assert.equal(lost, 0, `round ${round + 1}: ${lost} acknowledged messages missing after the restart`);
        assert.equal(duplicated, 0, `round ${round + 1}: ${duplicated} messages stored twice`);
        const unackedStored = log.bySeq.length - acked.size;
        known = log.idToSeq;

        // A subscriber resuming from a seq before the crash gets everything after it, no gap.
        const roundSeqs = [...r.replies.values()].map((x) => x.seq);
        const k = roundSeqs[Math.floor(roundSeqs.length / 2)] ?? 0;
        const resumed = await assertResumeFrom(hub, k);
        console.log(
          `durability=${durability} round=${round + 1}${killAt !== undefined ? ' (kill -9)' : ' (re-publish of the rest)'}: ` +
            `sent=${r.sent.length} acked=${r.replies.size} duplicates-answered=${[...r.replies.values()].filter((x) => x.duplicate).length} ` +
            `log=${log.bySeq.length} stored-but-unacked=${unackedStored} resume-from=${k} received=${resumed}`,
        );
      }

      // In the end every message is in the log exactly once, seqs 1..TOTAL.
      const final = await readLog(hub);
      assert.equal(final.bySeq.length, TOTAL, 'every message landed');
      assert.equal(final.idToSeq.size, TOTAL, 'each msg_id once');
      for (const id of allIds) assert.ok(final.idToSeq.has(id), `${id} is in the log`);
      console.log(
        `durability=${durability} kills=${KILL_AT.length} published=${everSent.size} acknowledged=${acked.size} lost=${lost} duplicated=${duplicated}`,
      );
      assert.equal(acked.size, TOTAL);
      await hub.stop();
    });
  }
});
