/** The polyglot market-data scenario in RESULTS.md: its table, the p99 target, and its latency chart. */
import type { PolyglotRow, Row } from './report-row.js';

export type { PolyglotRow };
import { latencyChart, type ChartRow } from './charts.js';
import type { RunResult, Scenario } from './run-types.js';
import { int, ms } from './format.js';

/** Aggregates the `polyglot` figures of the repeats of one target. */
export function polyglotRow(rs: RunResult[], med: (f: (r: RunResult) => number) => number): PolyglotRow {
  const p = (r: RunResult) => r.polyglot!;
  const sum = (f: (r: RunResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  const first = p(rs[0]!);
  return {
    rate: first.rate,
    ticks: first.ticks,
    warmupTicks: first.warmupTicks,
    targetMs: first.p99TargetMs,
    sent: sum((r) => p(r).bridge.sent),
    valid: sum((r) => p(r).bridge.valid),
    acked: sum((r) => p(r).bridge.acked),
    refused: sum((r) => p(r).bridge.refused),
    deadLetters: sum((r) => p(r).deadLetters),
    received: sum((r) => p(r).engine.received),
    gaps: sum((r) => p(r).engine.gaps),
    duplicates: sum((r) => p(r).engine.duplicates),
    outOfOrder: sum((r) => p(r).engine.outOfOrder),
    redelivered: sum((r) => p(r).engine.redelivered),
    metRepeats: rs.filter((r) => p(r).met).length,
    bridgeCpu: med((r) => p(r).bridge.cpuPct),
    engineCpu: med((r) => p(r).engine.cpuPct),
    versions: first.versions,
  };
}

/** Whether the median p99 of a row meets its target. */
export const polyglotMet = (r: Row): boolean => r.p99 < r.polyglot!.targetMs * 1000;

/** The section of the `polyglot` scenario, after its title and chart links in `L`. */
export function polyglotSection(L: string[], sc: Scenario, rs: Row[]): string[] {
  const f = rs[0]!.polyglot!;
  L.push(
    `The market-data example as its two programs run it: \`examples/market-data/python/bridge.py\` (${f.versions.python}, Debian's`,
    `python3-websockets, no SDK) publishes ${int(f.ticks)} ticks at ${int(f.rate)}/s on \`market.ticks\`, every ${sc.invalidEvery ?? 50}th one invalid, each`,
    "with an `id` and a `msg_id`, through a hub started fresh with the example's contract (durable, validated); the",
    `refused ones go to \`$dlq.market.ticks\`. \`examples/market-data/java/Engine.java\` (${f.versions.java}, C1 only, serial GC) consumes them as`,
    "the consumer group `engine` with manual ack. Latency is the engine's receive time − the tick's `sent_at` (both this",
    `machine's wall clock), for every delivery after the first ${int(f.warmupTicks)} (the warm-up at the rate). Server CPU is the hub's over the`,
    "bridge's run; the bridge and the engine are the load here, so their CPU is shown instead of the generator's.",
    '',
  );
  L.push(
    '| target | ticks/s delivered | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | sent / acked / refused | dead letters | received by the engine | gaps / duplicates / out of order / redelivered | server CPU % | server peak RSS MB | bridge CPU % | engine CPU % |',
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rs) {
    const p = r.polyglot!;
    L.push(
      `| **${r.label}** | ${int(r.msgPerSec)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.p999)} | ${ms(r.max)} | ${int(p.sent)} / ${int(p.acked)} / ${int(p.refused)} | ${int(p.deadLetters)} | ${int(p.received)} of ${int(p.valid)} | ${p.gaps} / ${p.duplicates} / ${p.outOfOrder} / ${p.redelivered} | ${r.srvCpu.toFixed(0)} | ${r.srvRss.toFixed(0)} | ${p.bridgeCpu.toFixed(0)} | ${p.engineCpu.toFixed(0)} |`,
    );
  }
  L.push('', `Counts are summed over the ${rs[0]!.repeats} repeat(s); the other figures are medians.`, '');
  L.push(
    `The market-data plan's target: bridge → engine p99 under ${f.targetMs} ms.`,
    '',
    `| target | p99 < ${f.targetMs} ms | repeats that met it |`,
    '| --- | --- | ---: |',
  );
  for (const r of rs) L.push(`| ${r.label} | ${polyglotMet(r) ? 'yes' : '**no**'} (${ms(r.p99)} ms) | ${r.polyglot!.metRepeats} of ${r.repeats} |`);
  L.push('');
  const notes = rs.filter((r) => r.notes.length);
  if (notes.length) {
    for (const r of notes) L.push(`- ${r.label}: ${r.notes.join('; ')}`);
    L.push('');
  }
  return L;
}

/** The chart of the `polyglot` scenario: bridge → engine latency by percentile. */
export function polyglotCharts(id: string, rs: Row[]): [string, string][] {
  const rows = rs.map((r): ChartRow => ({
    target: r.target,
    label: r.label,
    isSb: r.isSb,
    latencyUs: [r.p50, r.p90, r.p99, r.p999, r.max],
    msgPerSec: r.msgPerSec,
  }));
  return [[`${id}-latency.svg`, latencyChart(`${id}: Python bridge → hub → Java engine latency`, rows)]];
}
