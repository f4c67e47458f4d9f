/**
 * The shared-document scenario (a Q&A where every attendee votes): N connections, each subscribed to one
 * document and voting on it (`inc` of one question's count), at a fixed total rate, round-robin over the writers.
 * Measures update → answer to the writer, update → change received at every subscriber, and at the end reads the
 * document back: the count must equal the votes acknowledged.
 */
import { performance } from 'node:perf_hooks';
import type { DocClient, Session, Target } from '../targets/types.js';
import type { DocFigures, RunOptions, RunResult, Scenario } from './run-types.js';

export type { DocFigures };
import { deliveryFigures, measureWindow, percentiles, serverFigures } from './window.js';
import { Collector, nowUs } from './stats.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The document every connection shares. */
export const DOC_NAME = 'qa/bench';
/**
 * How long to wait, after the drain, for the answers to votes still outstanding before the count is read. The
 * lost-vote check does not need them (it counts the votes acknowledged before the read): a target that fell
 * behind is not waited for.
 */
const ACK_WAIT_MS = 1000;

/** Runs the `doc` scenario against a started session. */
export async function runDocument(sc: Scenario, target: Target, session: Session, repeat: number, o: RunOptions): Promise<RunResult> {
  const docs = session.documents;
  if (!docs) throw new Error(`${target.id} has no shared documents`);
  const pid = session.server.pid;
  const n = sc.subscribers;
  const rate = sc.rate!;
  const questions = Array.from({ length: sc.questions ?? 20 }, (_, i) => `q${i}`);
  const col = new Collector(n);
  const acks = new Collector(1);
  let sent = 0;
  let refused = 0;

  await docs.init(DOC_NAME, questions);
  const clients: DocClient[] = [];
  for (let i = 0; i < n; i += 20) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 20); j++)
      batch.push(
        docs
          .open(DOC_NAME, j, (version, t) => col.deliver(j, version, t))
          .then((c) => {
            clients[j] = c;
          }),
      );
    await Promise.all(batch);
  }
  await sleep(100);

  const voteOne = () => {
    const k = sent++;
    const t = nowUs();
    clients[k % n]!.vote(questions[(k * 7) % questions.length]!, t, (err) => {
      if (err) refused++;
      else acks.ack(t);
    });
  };
  const start = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) voteOne();
  }, 1);

  await sleep(Math.max(o.warmupMs, sc.minWarmupMs ?? 0));
  const sent0 = sent;
  const w = await measureWindow(pid, o.durationMs, [col, acks]);
  const sentWindow = sent - sent0;
  clearInterval(timer);

  const answered = () => acks.received + refused;
  const drainEnd = performance.now() + o.drainMs;
  while ((col.received - col.duplicates < sent * n || answered() < sent) && performance.now() < drainEnd) await sleep(20);
  const ackEnd = performance.now() + ACK_WAIT_MS;
  while (answered() < sent && performance.now() < ackEnd) await sleep(50);
  // acknowledgements counted before the read: each of them must be in the count (later ones may or may not be)
  const ackedBeforeRead = acks.received;
  const finalCount = await docs.totalVotes(DOC_NAME);
  const server = serverFigures(pid, w);
  const serverCounters = (await session.counters?.().catch(() => undefined)) ?? {};
  const expected = sent * n;
  const votesAcked = acks.received;
  const notes: string[] = [];
  const r: RunResult = {
    scenario: sc.id,
    target: target.id,
    label: sc.labels?.[target.id] ?? target.label,
    repeat,
    ...deliveryFigures(col, w, sentWindow),
    subscribers: n,
    sent,
    expected,
    lost: Math.max(0, expected - (col.received - col.duplicates)),
    server,
    generator: w.generator,
    notes,
    serverCounters,
    errors: [...session.errors(), ...(refused ? [`${refused} votes refused or given up`] : [])],
    doc: {
      connections: n,
      rate,
      questions: questions.length,
      votesSent: sent,
      votesAcked,
      votesRefused: refused,
      ackedPerSec: Math.round((acks.windowCount / w.elapsed) * 1000),
      ackLatencyUs: percentiles(acks.hist),
      finalCount,
      lostVotes: Math.max(0, ackedBeforeRead - finalCount),
      countedUnacked: Math.max(0, finalCount - votesAcked),
      clientCounters: docs.counters?.() ?? {},
    },
  };
  if (r.sentPerSec < rate * 0.95) notes.push(`generator sent ${r.sentPerSec} updates/s of ${rate}/s`);
  if (r.doc!.ackedPerSec < rate * 0.95) notes.push(`server acknowledged ${r.doc!.ackedPerSec} updates/s of ${rate}/s asked: it did not hold the rate`);
  if (r.generator.elu > 0.9) notes.push(`generator event loop ${Math.round(r.generator.elu * 100)} % busy: figure may be generator-bound`);
  if (answered() < sent) notes.push(`${sent - answered()} votes still unanswered ${Math.round((o.drainMs + ACK_WAIT_MS) / 1000)} s after the end`);
  if (r.lost > 0) notes.push(`${r.lost} of ${expected} changes not received by a subscriber within ${o.drainMs} ms after the end`);
  if (r.doc!.lostVotes > 0) notes.push(`**${r.doc!.lostVotes} acknowledged votes missing from the final count**`);
  return r;
}
