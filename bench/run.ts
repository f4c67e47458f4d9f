/**
 * Switchboard benchmark: `npm run bench:quick` (one short repeat, ≤ 90 s) or `npm run bench` (3 repeats, median).
 * Options: --quick | --full, --only <scenario id,…>, --targets <target id,…>, --no-report, --out <dir>,
 * --cpu-prof <dir>, --seconds <s>, --help (the options and every scenario id with its targets).
 * Writes one JSON per run under bench/out/<stamp>/, and RESULTS.md with charts/*.svg in bench/ (or --out <dir>).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOne, type RunResult } from './lib/driver.js';
import { machine } from './lib/machine.js';
import { FORMS, SCENARIOS, TARGETS } from './scenarios.js';
import { writeReport } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`Usage: npx tsx bench/run.ts [--quick | --full] [options]   (npm run bench:quick, npm run bench)

  --quick               one short repeat of every scenario (${FORMS.quick.durationMs / 1000} s measured per run)
  --full                the median of ${FORMS.full.repeats} repeats (${FORMS.full.durationMs / 1000} s measured per run; the default)
  --only <id,…>         these scenarios only (JSON only: RESULTS.md is left as it is unless --out is given)
  --targets <id,…>      these targets only (the same)
  --out <dir>           write RESULTS.md and charts/ there (default bench/), also for a subset
  --no-report           write no RESULTS.md
  --seconds <s>         measured seconds per run instead of the form's
  --cpu-prof <dir>      every Switchboard hub of the run writes a V8 CPU profile there (read with bench/profile.ts)

Scenarios (--only) and their targets (--targets):
${SCENARIOS.map((s) => `  ${s.id.padEnd(14)} ${s.targets.join(', ')}\n      ${s.title}`).join('\n')}
`);
  process.exit(0);
}
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const baseForm = FORMS[argv.includes('--quick') ? 'quick' : 'full'];
/** --seconds <s>: measured seconds per run instead of the form's (e.g. longer runs under --cpu-prof) */
const form = opt('--seconds') ? { ...baseForm, durationMs: Number(opt('--seconds')) * 1000 } : baseForm;
const only = opt('--only')?.split(',');
const onlyTargets = opt('--targets')?.split(',');
/** Where RESULTS.md and charts/ go (default bench/); a run on a busy machine can write them elsewhere. */
const reportDir = opt('--out') ?? HERE;
/** --cpu-prof <dir>: every Switchboard hub of the run writes a V8 CPU profile there (read with bench/profile.ts). */
const cpuProf = opt('--cpu-prof');
if (cpuProf) {
  mkdirSync(cpuProf, { recursive: true });
  process.env.SWITCHBOARD_BENCH_CPU_PROF = cpuProf;
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = join(HERE, 'out', `${stamp}-${form.name}`);
mkdirSync(outDir, { recursive: true });

const skipped = new Map<string, string>();
for (const t of TARGETS) {
  const why = t.unavailable?.();
  if (why) skipped.set(t.id, why);
}
for (const [id, why] of skipped) process.stderr.write(`skipping ${id}: ${why}\n`);

const started = Date.now();
const loadStart = loadavg()[0]!;
const results: RunResult[] = [];
const failures: { scenario: string; target: string; repeat: number; error: string }[] = [];
const unknown = [...(only ?? []).filter((id) => !SCENARIOS.some((s) => s.id === id)), ...(onlyTargets ?? []).filter((id) => !TARGETS.some((t) => t.id === id))];
if (unknown.length) {
  process.stderr.write(`unknown scenario or target: ${unknown.join(', ')} (npx tsx bench/run.ts --help lists them)\n`);
  process.exit(2);
}
const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));
process.stdout.write(`switchboard bench, ${form.name} form: ${scenarios.length} scenarios × ${form.repeats} repeat(s), ${form.durationMs / 1000} s each\n`);
for (let rep = 1; rep <= form.repeats; rep++) {
  for (const sc of scenarios) {
    if (rep > Math.min(form.repeats, sc.repeats ?? form.repeats)) continue;
    for (const id of sc.targets) {
      if (onlyTargets && !onlyTargets.includes(id)) continue;
      const target = TARGETS.find((t) => t.id === id)!;
      if (skipped.has(id)) continue;
      const label = `[${rep}/${form.repeats}] ${sc.id} ${id}`.padEnd(40);
      try {
        const r = await runOne(sc, target, rep, form);
        results.push(r);
        writeFileSync(join(outDir, `${sc.id}.${id}.${rep}.json`), JSON.stringify(r, null, 2));
        const l = r.latencyUs;
        if (r.doc)
          process.stdout.write(
            `${label} ${String(r.doc.ackedPerSec).padStart(5)} votes/s acked (p99 ${r.doc.ackLatencyUs.p99} µs)  ${r.msgPerSec} patches/s  p50 ${l.p50} µs  p99 ${l.p99} µs  max ${l.max} µs  votes ${r.doc.votesAcked}/${r.doc.votesSent} acked, count ${r.doc.finalCount}, lost ${r.doc.lostVotes}  srv ${r.server.cpuPct}% ${r.server.peakRssMb} MB  gen ${r.generator.cpuPct}% elu ${r.generator.elu}${r.notes.length ? '  ! ' + r.notes.join('; ') : ''}\n`,
          );
        else if (r.polyglot)
          process.stdout.write(
            `${label} ${String(r.msgPerSec).padStart(5)} ticks/s  p50 ${l.p50} µs  p99 ${l.p99} µs  max ${l.max} µs (target p99 < ${r.polyglot.p99TargetMs} ms: ${r.polyglot.met ? 'met' : 'MISSED'})  received ${r.received}/${r.expected}, refused ${r.polyglot.bridge.refused}, dead letters ${r.polyglot.deadLetters}  srv ${r.server.cpuPct}% ${r.server.peakRssMb} MB  bridge ${r.polyglot.bridge.cpuPct}% engine ${r.polyglot.engine.cpuPct}%${r.notes.length ? '  ! ' + r.notes.join('; ') : ''}${r.errors.length ? '  ERRORS: ' + r.errors.join('; ') : ''}\n`,
          );
        else if (r.idle)
          process.stdout.write(
            `${label} ${r.idle.connections} connections in ${r.idle.connectSeconds} s  server RSS ${r.idle.rssBeforeMb} → ${r.idle.rssAfterMb} MB = ${r.idle.kbPerConnection} KB each${r.notes.length ? '  ! ' + r.notes.join('; ') : ''}\n`,
          );
        else
          process.stdout.write(
            `${label} ${String(r.msgPerSec).padStart(8)} msg/s  p50 ${l.p50} µs  p99 ${l.p99} µs  max ${l.max} µs  lost ${r.lost}  srv ${r.server.cpuPct}% ${r.server.peakRssMb} MB  gen ${r.generator.cpuPct}% elu ${r.generator.elu}${r.notes.length ? '  ! ' + r.notes.join('; ') : ''}\n`,
          );
      } catch (e) {
        const error = (e as Error).message.split('\n').slice(0, 3).join(' ');
        failures.push({ scenario: sc.id, target: id, repeat: rep, error });
        process.stdout.write(`${label} FAILED: ${error}\n`);
      }
    }
  }
}

const m = machine();
// npm names the script it runs (bench, bench:quick); under npx the event is "npx", and the command is this file's.
const script = process.env.npm_lifecycle_event;
const command = script && script !== 'npx' ? `npm run ${script}` : `npx tsx bench/run.ts ${argv.join(' ')}`.trim();
const summary = {
  form,
  machine: m,
  date: new Date().toISOString(),
  command,
  elapsedS: Math.round((Date.now() - started) / 1000),
  load: { start: loadStart, end: loadavg()[0]! },
  results,
  failures,
  skipped: Object.fromEntries(skipped),
};
writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2));
if (!argv.includes('--no-report') && ((!only && !onlyTargets) || opt('--out'))) {
  mkdirSync(reportDir, { recursive: true });
  writeReport(join(reportDir, 'RESULTS.md'), summary, scenarios);
  process.stdout.write(`wrote ${join(reportDir, 'RESULTS.md')} and its charts\n`);
}
process.stdout.write(`runs in ${outDir} (${summary.elapsedS} s)\n`);
process.exitCode = failures.length ? 1 : 0;
