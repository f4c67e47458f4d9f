/** bench/RESULTS.md: per-scenario tables (median over repeats), each Switchboard figure as a ratio to each peer. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { latencyChart, memoryChart, throughputChart, type ChartRow } from './lib/charts.js';
import type { RunResult, Scenario } from './lib/driver.js';
import type { Machine } from './lib/machine.js';
import type { Form } from './scenarios.js';
import { int, ms, ratio } from './lib/format.js';
import { docCharts, docRow, docSection } from './lib/doc-report.js';
import { polyglotCharts, polyglotMet, polyglotRow, polyglotSection } from './lib/polyglot-report.js';

export interface Summary {
  form: Form;
  machine: Machine;
  date: string;
  command: string;
  elapsedS: number;
  /** 1-minute load average of the machine at the start and the end of the run */
  load: { start: number; end: number };
  results: RunResult[];
  failures: { scenario: string; target: string; repeat: number; error: string }[];
  skipped: Record<string, string>;
}

export type { Row } from './lib/report-row.js';
import type { Row } from './lib/report-row.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function rows(results: RunResult[], sc: Scenario): Row[] {
  const out: Row[] = [];
  for (const id of sc.targets) {
    const rs = results.filter((r) => r.scenario === sc.id && r.target === id);
    if (!rs.length) continue;
    const med = (f: (r: RunResult) => number) => median(rs.map(f));
    out.push({
      target: id,
      label: rs[0]!.label,
      isSb: id.startsWith('switchboard'),
      repeats: rs.length,
      msgPerSec: med((r) => r.msgPerSec),
      sentPerSec: med((r) => r.sentPerSec),
      p50: med((r) => r.latencyUs.p50),
      p90: med((r) => r.latencyUs.p90),
      p99: med((r) => r.latencyUs.p99),
      p999: med((r) => r.latencyUs.p999),
      max: med((r) => r.latencyUs.max),
      lost: med((r) => r.lost),
      outOfOrder: med((r) => r.outOfOrder),
      srvCpu: med((r) => r.server.cpuPct),
      srvRss: med((r) => r.server.peakRssMb),
      genCpu: med((r) => r.generator.cpuPct),
      genElu: med((r) => r.generator.elu),
      notes: [...new Set(rs.flatMap((r) => [...r.notes, ...r.errors]))],
      idle: rs[0]!.idle && {
        connections: med((r) => r.idle!.connections),
        connectS: med((r) => r.idle!.connectSeconds),
        rssBefore: med((r) => r.idle!.rssBeforeMb),
        rssAfter: med((r) => r.idle!.rssAfterMb),
        kbPerConn: med((r) => r.idle!.kbPerConnection),
      },
      doc: rs[0]!.doc && docRow(rs, med),
      polyglot: rs[0]!.polyglot && polyglotRow(rs, med),
    });
  }
  return out;
}

function idleSection(L: string[], rs: Row[]): string[] {
  L.push('| target | connections | time to open them s | server RSS before MB | server RSS after MB | KB per connection | server CPU % while connecting |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rs) {
    const i = r.idle!;
    L.push(
      `| ${r.isSb ? `**${r.label}**` : r.label} | ${int(i.connections)} | ${i.connectS.toFixed(1)} | ${i.rssBefore.toFixed(0)} | ${i.rssAfter.toFixed(0)} | ${i.kbPerConn.toFixed(1)} | ${r.srvCpu.toFixed(0)} |`,
    );
  }
  L.push('');
  const sbs = rs.filter((r) => r.isSb);
  const peers = rs.filter((r) => !r.isSb);
  if (sbs.length && peers.length) {
    L.push('Switchboard ÷ peer (RSS per idle connection: < 1× is better):', '', '| Switchboard | ÷ peer | KB per connection |', '| --- | --- | ---: |');
    for (const s of sbs) for (const p of peers) L.push(`| ${s.label} | ${p.label} | ${ratio(s.idle!.kbPerConn, p.idle!.kbPerConn)} |`);
    L.push('');
  }
  const notes = rs.filter((r) => r.notes.length);
  if (notes.length) {
    for (const r of notes) L.push(`- ${r.label}: ${r.notes.join('; ')}`);
    L.push('');
  }
  return L;
}

function scenarioSection(sc: Scenario, rs: Row[], charts: Map<string, string[]>): string[] {
  const L: string[] = [`### ${sc.title} — \`${sc.id}\``, ''];
  if (!rs.length) return [...L, '_no successful run_', ''];
  const links = charts.get(sc.id);
  if (links?.length) L.push(links.map((f) => `![${sc.id}](${f})`).join(' '), '');
  if (sc.kind === 'idle') return idleSection(L, rs);
  if (sc.kind === 'doc') return docSection(L, sc, rs);
  if (sc.kind === 'polyglot') return polyglotSection(L, sc, rs);
  const acked = sc.kind === 'acked' || sc.kind === 'acked-rate';
  L.push(
    `| target | ${acked ? 'acked msg/s' : 'delivered msg/s'} | sent msg/s | p50 ms | p99 ms | max ms | undelivered | out of order | server CPU % | server peak RSS MB | generator CPU % | generator ELU |`,
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rs) {
    L.push(
      `| ${r.isSb ? `**${r.label}**` : r.label} | ${int(r.msgPerSec)} | ${int(r.sentPerSec)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${int(r.lost)} | ${int(r.outOfOrder)} | ${r.srvCpu.toFixed(0)} | ${r.srvRss.toFixed(0)} | ${r.genCpu.toFixed(0)} | ${r.genElu.toFixed(2)} |`,
    );
  }
  L.push('');
  const sbs = rs.filter((r) => r.isSb);
  const peers = rs.filter((r) => !r.isSb);
  if (sbs.length && peers.length) {
    L.push(
      `Switchboard ÷ peer (${sc.compare === 'throughput' ? 'compare throughput here: > 1× is better' : 'compare latency here: < 1× is better'}; CPU and RSS: < 1× is better):`,
      '',
    );
    L.push('| Switchboard | ÷ peer | msg/s | p50 | p99 | max | server CPU | server peak RSS |');
    L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of sbs)
      for (const p of peers) {
        L.push(
          `| ${s.label} | ${p.label} | ${ratio(s.msgPerSec, p.msgPerSec)} | ${ratio(s.p50, p.p50)} | ${ratio(s.p99, p.p99)} | ${ratio(s.max, p.max)} | ${ratio(s.srvCpu, p.srvCpu)} | ${ratio(s.srvRss, p.srvRss)} |`,
        );
      }
    L.push('');
  }
  const notes = rs.filter((r) => r.notes.length);
  if (notes.length) {
    for (const r of notes) L.push(`- ${r.label}: ${r.notes.join('; ')}`);
    L.push('');
  }
  return L;
}

function targetsSection(all: Map<string, Row[]>): string[] {
  const get = (sc: string, t: string) => all.get(sc)?.find((r) => r.target === t);
  const L = ['## Targets (this run)', '', '| target | figure | met |', '| --- | --- | --- |'];
  const check = (name: string, figure: string | undefined, ok: boolean | undefined) =>
    L.push(`| ${name} | ${figure ?? 'not measured'} | ${ok === undefined ? '—' : ok ? 'yes' : '**no**'} |`);
  const sb5 = get('1to1-5k', 'switchboard');
  const ws5 = get('1to1-5k', 'ws');
  const io5 = get('1to1-5k', 'socketio');
  check(
    'ephemeral 1→1 @5k: p99 ≤ 1.2 × raw ws and < Socket.IO',
    sb5 && ws5 && io5 ? `p99 ${ratio(sb5.p99, ws5.p99)} ws, ${ratio(sb5.p99, io5.p99)} Socket.IO` : undefined,
    sb5 && ws5 && io5 ? sb5.p99 <= 1.2 * ws5.p99 && sb5.p99 < io5.p99 : undefined,
  );
  const sbf = get('1to100-1k', 'switchboard');
  const wsf = get('1to100-1k', 'ws');
  const iof = get('1to100-1k', 'socketio');
  check(
    '1→100 @1k: p99 ≤ raw ws and ≤ 0.5 × Socket.IO',
    sbf && wsf && iof ? `p99 ${ratio(sbf.p99, wsf.p99)} ws, ${ratio(sbf.p99, iof.p99)} Socket.IO` : undefined,
    sbf && wsf && iof ? sbf.p99 <= wsf.p99 && sbf.p99 <= 0.5 * iof.p99 : undefined,
  );
  const sbm = get('1to1-max', 'switchboard');
  const wsm = get('1to1-max', 'ws');
  const iom = get('1to1-max', 'socketio');
  check(
    '1→1 max: ≥ 1.3 × Socket.IO and ≥ 0.9 × raw ws',
    sbm && wsm && iom ? `${ratio(sbm.msgPerSec, iom.msgPerSec)} Socket.IO, ${ratio(sbm.msgPerSec, wsm.msgPerSec)} ws` : undefined,
    sbm && wsm && iom ? sbm.msgPerSec >= 1.3 * iom.msgPerSec && sbm.msgPerSec >= 0.9 * wsm.msgPerSec : undefined,
  );
  const sba = get('acked-max', 'switchboard-durable');
  const js = get('acked-max', 'jetstream');
  check(
    'durable + validated, acked: ≥ 100k msg/s and ≥ 3 × JetStream file',
    sba ? `${int(sba.msgPerSec)} acked msg/s${js ? `, ${ratio(sba.msgPerSec, js.msgPerSec)} JetStream` : ''}` : undefined,
    sba && js ? sba.msgPerSec >= 100_000 && sba.msgPerSec >= 3 * js.msgPerSec : undefined,
  );
  const sb5a = get('acked-5k', 'switchboard-durable');
  check('durable + validated, acked at 5k/s: p99 ≤ 2 ms', sb5a ? `p99 ${ms(sb5a.p99)} ms` : undefined, sb5a ? sb5a.p99 <= 2000 : undefined);
  const idle = get('idle-10k', 'switchboard')?.idle;
  check(
    '10,000 idle connections: ≤ 30 KB hub RSS each',
    idle ? `${idle.kbPerConn.toFixed(1)} KB each (${int(idle.connections)} connections${idle.connections < 10_000 ? ', quick form' : ''})` : undefined,
    idle ? idle.kbPerConn <= 30 : undefined,
  );
  const poly = get('polyglot-500', 'switchboard-market-data');
  check(
    'market-data plan, Python bridge → hub → Java engine at 500 ticks/s: p99 < 25 ms',
    poly ? `p99 ${ms(poly.p99)} ms (${poly.polyglot!.metRepeats} of ${poly.repeats} repeats under)` : undefined,
    poly ? polyglotMet(poly) : undefined,
  );
  L.push('');
  return L;
}

export function writeReport(file: string, s: Summary, scenarios: Scenario[]): void {
  const m = s.machine;
  const f = s.form;
  const all = new Map(scenarios.map((sc) => [sc.id, rows(s.results, sc)] as const));
  const L: string[] = ['# Switchboard benchmark results', ''];
  L.push(
    f.name === 'quick'
      ? `> **Quick form, one repeat** (${f.durationMs / 1000} s measured per run after ${f.warmupMs / 1000} s warm-up): indicative only. \`npm run bench\` gives the median of ${3} repeats of longer runs.`
      : `> Full form: median of ${f.repeats} repeats, ${f.durationMs / 1000} s measured per run after ${f.warmupMs / 1000} s warm-up.`,
  );
  L.push('', `Generated by \`${s.command}\` on ${s.date} (commit ${m.commit}, ${s.elapsedS} s). How to run and read this: [README.md](README.md).`, '');
  L.push('| machine | |', '| --- | --- |');
  L.push(`| CPU | ${m.cpu} |`, `| cores | ${m.cores} |`, `| memory | ${m.memoryGb} GiB |`, `| kernel | ${m.kernel} |`, `| Node | ${m.node} |`);
  L.push(`| nats-server | ${m.natsServer} |`);
  L.push(
    `| load average (1 min) | ${s.load.start.toFixed(2)} at start, ${s.load.end.toFixed(2)} at end${Math.max(s.load.start, s.load.end) > m.cores * 0.5 ? ' — **other work was running on this machine: tails (p99, max) are inflated for every target alike**' : ''} |`,
  );
  L.push(
    `| packages | ${Object.entries(m.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} |`,
    '',
  );
  L.push(
    'Every server runs as its own process, started fresh for each run; one load-generator process holds every publisher and',
    'subscriber, so latency is one clock (send time in the payload → receipt), in an HDR histogram. 64-byte JSON payloads;',
    'compression off and Nagle off everywhere. Latency is compared at fixed rates, throughput in the closed-loop (max) runs.',
    'Server CPU is utime+stime of the server process over the measured window (100 % = one core); peak RSS is its VmHWM.',
    'A generator event-loop utilisation (ELU) near 1 means the figure may be capped by the load generator, not the server.',
    '',
  );
  L.push(...targetsSection(all));
  L.push('## Scenarios', '');
  const charts = writeCharts(join(dirname(file), 'charts'), dirname(file), scenarios, all);
  for (const sc of scenarios) L.push(...scenarioSection(sc, all.get(sc.id) ?? [], charts));
  if (s.failures.length || Object.keys(s.skipped).length) {
    L.push('## Failed or skipped', '');
    for (const x of s.failures) L.push(`- ${x.scenario} / ${x.target} (repeat ${x.repeat}): ${x.error}`);
    for (const [id, why] of Object.entries(s.skipped)) L.push(`- ${id}: ${why}`);
    L.push('');
  }
  const learned = join(HERE, 'what-we-learned.md');
  if (existsSync(learned)) L.push(readFileSync(learned, 'utf8').trimEnd(), '');
  writeFileSync(file, L.join('\n'));
}

const chartRow = (r: Row): ChartRow => ({
  target: r.target,
  label: r.label,
  isSb: r.isSb,
  latencyUs: [r.p50, r.p90, r.p99, r.p999, r.max],
  msgPerSec: r.msgPerSec,
  kbPerConn: r.idle?.kbPerConn,
});

/** Writes the SVG charts of every scenario into `dir`; returns, per scenario, their paths relative to `base`. */
export function writeCharts(dir: string, base: string, scenarios: Scenario[], all: Map<string, Row[]>): Map<string, string[]> {
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, string[]>();
  for (const sc of scenarios) {
    const rs = (all.get(sc.id) ?? []).map(chartRow);
    if (!rs.length) continue;
    const files: [string, string][] = [];
    if (sc.kind === 'idle') files.push([`${sc.id}-memory.svg`, memoryChart(`${sc.id}: server RSS per idle connection`, rs)]);
    else if (sc.kind === 'doc') files.push(...docCharts(sc.id, all.get(sc.id)!));
    else if (sc.kind === 'polyglot') files.push(...polyglotCharts(sc.id, all.get(sc.id)!));
    else {
      const acked = sc.kind === 'acked' || sc.kind === 'acked-rate';
      files.push([`${sc.id}-latency.svg`, latencyChart(`${sc.id}: ${acked ? 'publish → ack' : 'publish → delivery'} latency`, rs)]);
      files.push([
        `${sc.id}-throughput.svg`,
        throughputChart(
          `${sc.id}: ${acked ? 'acked publishes' : 'deliveries'} per second`,
          `${acked ? 'acked msg/s' : 'delivered msg/s'} (${sc.compare === 'throughput' ? 'higher is better' : 'at a fixed rate: equal is expected'})`,
          rs,
        ),
      ]);
    }
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    out.set(
      sc.id,
      files.map(([name]) => relative(base, join(dir, name))),
    );
  }
  return out;
}

/** `npx tsx bench/report.ts <summary.json> [output dir]`: writes RESULTS.md and the charts again from a saved run. */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [summaryFile, outDir = HERE] = process.argv.slice(2);
  if (!summaryFile) {
    process.stderr.write('usage: npx tsx bench/report.ts <bench/out/…/summary.json> [output dir, default bench/]\n');
    process.exit(2);
  }
  const { SCENARIOS } = await import('./scenarios.js');
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  const ran = new Set(summary.results.map((r) => r.scenario));
  mkdirSync(outDir, { recursive: true });
  writeReport(
    join(outDir, 'RESULTS.md'),
    summary,
    SCENARIOS.filter((sc) => ran.has(sc.id)),
  );
  process.stdout.write(`wrote ${join(outDir, 'RESULTS.md')} and ${join(outDir, 'charts')}/ from ${basename(summaryFile)}\n`);
}
