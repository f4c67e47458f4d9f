/** The shared-document scenario in RESULTS.md: its table, ratios, checked lines and charts. */
import type { DocRow, Row } from './report-row.js';

export type { DocRow };
import { latencyChart, throughputChart, type ChartRow } from './charts.js';
import type { RunResult, Scenario } from './driver.js';
import { int, ms, ratio } from './format.js';

/** The 100 ms from the conferencing use case: every attendee sees a vote within it. */
const PROPAGATION_LIMIT_US = 100_000;

/** Aggregates the `doc` figures of the repeats of one target. */
export function docRow(rs: RunResult[], med: (f: (r: RunResult) => number) => number): DocRow {
  const sum = (f: (r: RunResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  const d = (r: RunResult) => r.doc!;
  const retries = rs.map((r) => d(r).clientCounters.cas_retries).filter((v): v is number => v !== undefined);
  return {
    rate: d(rs[0]!).rate,
    ackedPerSec: med((r) => d(r).ackedPerSec),
    ackUs: [
      med((r) => d(r).ackLatencyUs.p50),
      med((r) => d(r).ackLatencyUs.p90),
      med((r) => d(r).ackLatencyUs.p99),
      med((r) => d(r).ackLatencyUs.p999),
      med((r) => d(r).ackLatencyUs.max),
    ],
    votesSent: sum((r) => d(r).votesSent),
    votesAcked: sum((r) => d(r).votesAcked),
    votesRefused: sum((r) => d(r).votesRefused),
    finalCount: sum((r) => d(r).finalCount),
    lostVotes: sum((r) => d(r).lostVotes),
    countedUnacked: sum((r) => d(r).countedUnacked),
    casRetriesPerVote: retries.length === rs.length ? med((r) => (d(r).clientCounters.cas_retries ?? 0) / Math.max(1, d(r).votesAcked)) : undefined,
  };
}

const yesNo = (ok: boolean) => (ok ? 'yes' : '**no**');

/** The section of the `doc` scenario, after its title and chart links in `L`. */
export function docSection(L: string[], sc: Scenario, rs: Row[]): string[] {
  const rate = rs[0]!.doc!.rate;
  L.push(
    `${sc.subscribers} connections, each subscribed to the document \`qa/bench\` (${sc.questions ?? 20} questions) and voting on it:`,
    `${int(rate)} votes/s in all, round-robin over the connections, so every vote is a change for ${sc.subscribers} subscribers`,
    `(${int(rate * sc.subscribers)} changes/s). Switchboard: \`doc.sub\` and \`doc.update\` with one \`inc\`; Socket.IO 4: the document in`,
    "the server's memory, an `inc` event with an ack and the change emitted to the room; NATS: the whole document as one",
    'JetStream KV key, get + update with the revision (compare-and-set), again on "wrong last sequence", and a KV watch per',
    'connection. The raw ws relay has no document and is left out. "update → all" is the time from sending a vote to its',
    'change arriving, taken at every subscriber; "update → ok" the time to the writer\'s acknowledgement. At the end the',
    'document is read back afresh and its count compared with the votes acknowledged. A KV watcher that falls behind',
    'skips to the newest value (the bucket keeps one revision per key): for NATS "not received" counts changes skipped so,',
    'not votes lost; the final count says whether a vote was lost.',
    '',
  );
  L.push(
    '| target | votes/s acked | update → ok p50 ms | update → ok p99 ms | update → all p50 ms | update → all p99 ms | update → all max ms | changes received/s | not received | votes acked / sent | final count | lost votes | server CPU % | server peak RSS MB | generator CPU % | generator ELU |',
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rs) {
    const d = r.doc!;
    L.push(
      `| ${r.isSb ? `**${r.label}**` : r.label} | ${int(d.ackedPerSec)} | ${ms(d.ackUs[0])} | ${ms(d.ackUs[2])} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${int(r.msgPerSec)} | ${int(r.lost)} | ${int(d.votesAcked)} / ${int(d.votesSent)} | ${int(d.finalCount)} | ${d.lostVotes === 0 ? '0' : `**${int(d.lostVotes)}**`} | ${r.srvCpu.toFixed(0)} | ${r.srvRss.toFixed(0)} | ${r.genCpu.toFixed(0)} | ${r.genElu.toFixed(2)} |`,
    );
  }
  L.push('', `Votes, final count and lost votes are summed over the ${rs[0]!.repeats} repeat(s); the other figures are medians.`, '');
  L.push('Conferencing Q&A (the use case; no target of the issue): every attendee sees a vote within 100 ms, and no vote is lost.', '');
  L.push(
    '| target | p99 update → all subscribers ≤ 100 ms | holds the rate (≥ 95 % acknowledged per second, every vote answered by the end) | lost votes = 0 |',
    '| --- | --- | --- | --- |',
  );
  for (const r of rs) {
    const d = r.doc!;
    const unanswered = d.votesSent - d.votesAcked - d.votesRefused;
    const holds = d.ackedPerSec >= d.rate * 0.95 && unanswered <= 0;
    L.push(
      `| ${r.label} | ${yesNo(r.p99 <= PROPAGATION_LIMIT_US)} (${ms(r.p99)} ms) | ${yesNo(holds)} (${int(d.ackedPerSec)} of ${int(d.rate)}/s${unanswered > 0 ? `, ${int(unanswered)} unanswered` : ''}) | ${yesNo(d.lostVotes === 0)} (${int(d.lostVotes)}) |`,
    );
  }
  L.push('');
  const sbs = rs.filter((r) => r.isSb);
  const peers = rs.filter((r) => !r.isSb);
  if (sbs.length && peers.length) {
    L.push('Switchboard ÷ peer (votes/s: > 1× is better; latency, CPU and RSS: < 1× is better):', '');
    L.push(
      '| Switchboard | ÷ peer | votes/s acked | update → ok p99 | update → all p50 | update → all p99 | update → all max | server CPU | server peak RSS |',
    );
    L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of sbs)
      for (const p of peers) {
        L.push(
          `| ${s.label} | ${p.label} | ${ratio(s.doc!.ackedPerSec, p.doc!.ackedPerSec)} | ${ratio(s.doc!.ackUs[2], p.doc!.ackUs[2])} | ${ratio(s.p50, p.p50)} | ${ratio(s.p99, p.p99)} | ${ratio(s.max, p.max)} | ${ratio(s.srvCpu, p.srvCpu)} | ${ratio(s.srvRss, p.srvRss)} |`,
        );
      }
    L.push('');
  }
  const notes = rs
    .map((r) => {
      const extra = [...r.notes];
      const d = r.doc!;
      if (d.casRetriesPerVote !== undefined) extra.unshift(`${d.casRetriesPerVote.toFixed(1)} compare-and-set retries per acknowledged vote`);
      if (d.countedUnacked > 0) extra.push(`${int(d.countedUnacked)} votes counted but not acknowledged by the end`);
      return extra.length ? `- ${r.label}: ${extra.join('; ')}` : undefined;
    })
    .filter((x): x is string => x !== undefined);
  if (notes.length) L.push(...notes, '');
  return L;
}

/** The charts of the `doc` scenario: update → all subscribers, update → ok, and changes received per second. */
export function docCharts(id: string, rs: Row[]): [string, string][] {
  const base = (r: Row): ChartRow => ({
    target: r.target,
    label: r.label,
    isSb: r.isSb,
    latencyUs: [r.p50, r.p90, r.p99, r.p999, r.max],
    msgPerSec: r.msgPerSec,
  });
  const prop = rs.map(base);
  const ack = rs.map((r) => ({ ...base(r), latencyUs: r.doc!.ackUs, msgPerSec: r.doc!.ackedPerSec }));
  return [
    [`${id}-latency.svg`, latencyChart(`${id}: update → change received at every subscriber`, prop)],
    [`${id}-ack-latency.svg`, latencyChart(`${id}: update → ok to the writer`, ack)],
    [
      `${id}-throughput.svg`,
      throughputChart(`${id}: changes received per second`, 'changes received/s (at a fixed rate: equal is expected; shorter = did not keep up)', prop),
    ],
  ];
}
