// Writes the summary of a polyglot market-data run as JSON and Markdown (kept by CI as an artifact).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One checked property of the run. */
export interface Check {
  name: string;
  expected: string;
  actual: string;
  pass: boolean;
  /** False when the check was not judged on this run (the reason is in `actual`); `pass` is then true. */
  judged?: boolean;
}

/** Everything the report says about one run. */
export interface PolyglotRun {
  when: string;
  conditions: Record<string, string | number>;
  latency_ms: { count: number; p50: number; p99: number; max: number; target_p99: number };
  /** Latency of consecutive slices of the stream, in arrival order. */
  latency_windows: { from: number; p50: number; p99: number; max: number }[];
  checks: Check[];
  bridge: unknown;
  engine: unknown;
  dlq_sample: { msg_id: string; reason: string }[];
}

/** Writes `polyglot-market-data.json` and `.md` into `dir` (created when missing); returns their paths. */
export function writePolyglotReport(dir: string, run: PolyglotRun): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'polyglot-market-data.json');
  const markdown = join(dir, 'polyglot-market-data.md');
  const passed = run.checks.every((c) => c.pass);
  writeFileSync(json, `${JSON.stringify({ ...run, passed }, null, 2)}\n`);
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lat = run.latency_ms;
  const md = [
    '# Polyglot market-data integration',
    '',
    `${passed ? 'PASS' : 'FAIL'} — ${run.when}. Python data bridge → Switchboard hub → Java core engine (consumer group, manual ack), with a TypeScript SDK monitor on the ticks and the dead letters.`,
    '',
    '## Checks',
    '',
    '| check | expected | actual | pass |',
    '| --- | --- | --- | --- |',
    ...run.checks.map((c) => `| ${cell(c.name)} | ${cell(c.expected)} | ${cell(c.actual)} | ${c.judged === false ? 'not judged' : c.pass ? 'yes' : '**no**'} |`),
    '',
    '## Latency, bridge send → engine receive',
    '',
    `p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms, max ${lat.max.toFixed(2)} ms over ${lat.count} ticks (target p99 < ${lat.target_p99} ms). Both ends read the same machine clock (epoch ms with sub-ms precision).`,
    '',
    '| ticks from | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- |',
    ...run.latency_windows.map((w) => `| ${w.from} | ${w.p50.toFixed(2)} | ${w.p99.toFixed(2)} | ${w.max.toFixed(2)} |`),
    '',
    '## Conditions',
    '',
    '| | |',
    '| --- | --- |',
    ...Object.entries(run.conditions).map(([k, v]) => `| ${cell(k)} | ${cell(String(v))} |`),
    '',
    '## Dead letters (first 5)',
    '',
    ...run.dlq_sample.map((d) => `- \`${d.msg_id}\`: ${d.reason}`),
    '',
  ].join('\n');
  writeFileSync(markdown, md);
  return { json, markdown };
}
