/**
 * Cross-node benchmark: Switchboard as 3 nodes on NATS JetStream (every delivery crosses nodes) next to the single
 * node on SQLite, durable channel with validation, 1→1 at 5,000 msg/s and 1→100 at 1,000 msg/s.
 * `npx tsx bench/cluster.ts [--quick]` → bench/out/<stamp>-cluster-<form>/ and bench/CLUSTER-RESULTS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOne, type RunResult, type Scenario } from './lib/driver.js';
import { machine } from './lib/machine.js';
import { FORMS } from './scenarios.js';
import { switchboardDurable } from './targets/switchboard.js';
import { switchboardCluster } from './targets/switchboard-cluster.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const form = FORMS[process.argv.includes('--quick') ? 'quick' : 'full'];
const targets = [switchboardDurable, switchboardCluster];
const scenarios: Scenario[] = [
  {
    id: 'cluster-1to1-5k',
    title: '1→1 at 5,000 msg/s, durable',
    kind: 'rate',
    subscribers: 1,
    rate: 5000,
    targets: targets.map((t) => t.id),
    compare: 'latency',
  },
  {
    id: 'cluster-1to100-1k',
    title: '1→100 at 1,000 msg/s, durable (100,000 deliveries/s)',
    kind: 'rate',
    subscribers: 100,
    rate: 1000,
    targets: targets.map((t) => t.id),
    compare: 'latency',
  },
];

const outDir = join(HERE, 'out', `${new Date().toISOString().replace(/[:.]/g, '-')}-cluster-${form.name}`);
mkdirSync(outDir, { recursive: true });
const load0 = loadavg()[0]!;
const results: RunResult[] = [];
process.stdout.write(
  `switchboard cluster bench, ${form.name} form: ${scenarios.length} scenarios × ${form.repeats} repeat(s), ${form.durationMs / 1000} s each\n`,
);
for (const target of targets) {
  const why = target.unavailable?.();
  if (why) {
    process.stderr.write(`skipping ${target.id}: ${why}\n`);
    continue;
  }
  for (const sc of scenarios) {
    for (let rep = 1; rep <= form.repeats; rep++) {
      const r = await runOne(sc, target, rep, form);
      results.push(r);
      writeFileSync(join(outDir, `${sc.id}.${target.id}.${rep}.json`), JSON.stringify(r, null, 2));
      const l = r.latencyUs;
      process.stdout.write(
        `[${rep}/${form.repeats}] ${sc.id} ${target.id}`.padEnd(52) +
          ` ${r.msgPerSec} msg/s  p50 ${l.p50} µs  p99 ${l.p99} µs  max ${l.max} µs  lost ${r.lost}  srv ${r.server.cpuPct}%${r.notes.length ? '  ! ' + r.notes.join('; ') : ''}\n`,
      );
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (us: number) => (us / 1000).toFixed(2);
const m = machine();
const lines = [
  '# Cross-node benchmark (3 hub nodes on NATS JetStream vs one node on SQLite)',
  '',
  `Command: \`npx tsx bench/cluster.ts${form.name === 'quick' ? ' --quick' : ''}\` — ${form.repeats} repeat(s) of ${form.durationMs / 1000} s, median shown. ` +
    `Machine: ${JSON.stringify(m)}; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} (other work was running). ` +
    'Generator, nats-server and the three hub nodes all share this machine.',
  '',
  'Cluster: publisher on node 1, subscribers on nodes 2 and 3 (every delivery crosses nodes); channel durable and validated; ' +
    'JetStream file storage, 1 replica. Single node: the same channel on the embedded SQLite store (durability process).',
  '',
  '| scenario | target | delivered msg/s | p50 ms | p99 ms | max ms | lost | server CPU % |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const sc of scenarios) {
  for (const t of targets) {
    const rs = results.filter((r) => r.scenario === sc.id && r.target === t.id);
    if (rs.length === 0) continue;
    lines.push(
      `| ${sc.title} | ${t.label} | ${median(rs.map((r) => r.msgPerSec))} | ${ms(median(rs.map((r) => r.latencyUs.p50)))} | ${ms(median(rs.map((r) => r.latencyUs.p99)))} | ${ms(median(rs.map((r) => r.latencyUs.max)))} | ${median(rs.map((r) => r.lost))} | ${median(rs.map((r) => r.server.cpuPct))} |`,
    );
  }
}
lines.push('', 'Target: cross-node p99 < 5 ms at 5,000 msg/s. Server CPU is node 2 for the cluster (one core = 100 %).', '');
writeFileSync(join(HERE, 'CLUSTER-RESULTS.md'), lines.join('\n'));
process.stdout.write(`wrote bench/CLUSTER-RESULTS.md; runs in ${outDir}\n`);
