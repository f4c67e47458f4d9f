/**
 * What the per-channel metrics cost on the publish and delivery paths: the same scenarios against a hub with the
 * metrics on (the default), unlabelled (`metrics.channel_labels: []`, every channel `other`) and off
 * (`metrics.enabled: false`), interleaved run by run (on, unlabelled, off, on, …) so that a busy moment of a shared
 * machine falls on all three alike. Writes bench/METRICS-RESULTS.md (or `--out <file>`).
 *
 *   npm run build && npx tsx bench/metrics-cost.ts [--rounds 3] [--seconds 2] [--out /tmp/metrics.md]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runOne, type RunResult, type Scenario } from './lib/driver.js';
import { machine } from './lib/machine.js';
import { SCENARIOS } from './scenarios.js';
import { metricsVariants, type MetricsMode } from './targets/switchboard.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    out: { type: 'string', default: fileURLToPath(new URL('./METRICS-RESULTS.md', import.meta.url)) },
  },
});
const ROUNDS = Number(values.rounds);
const options = { warmupMs: 500, durationMs: Number(values.seconds) * 1000, drainMs: 300, idleConnections: 0 };
/** scenario id → whether it runs on the durable, validated channel */
const PLAN: [string, boolean][] = [
  ['1to1-max', false],
  ['acked-max', true],
  ['1to100-1k', false],
];
const MODES: MetricsMode[] = ['on', 'unlabelled', 'off'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** µs of hub CPU per delivered (or acked) message: CPU % × 10⁴ ÷ msg/s. */
const cpuPerMsg = (r: RunResult) => (r.msgPerSec > 0 ? (r.server.cpuPct * 1e4) / r.msgPerSec : NaN);

const m = machine();
const load = [loadavg()[0]!];
const rows: string[] = [];
for (const [id, durable] of PLAN) {
  const sc = SCENARIOS.find((s) => s.id === id) as Scenario;
  const targets = metricsVariants(durable);
  const runs: Record<MetricsMode, RunResult[]> = { on: [], unlabelled: [], off: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      const r = await runOne(sc, targets[mode], round, options);
      runs[mode].push(r);
      process.stdout.write(
        `${id.padEnd(10)} metrics ${mode.padEnd(10)} [${round}/${ROUNDS}] ${String(r.msgPerSec).padStart(7)} msg/s  srv ${r.server.cpuPct}%  ${cpuPerMsg(r).toFixed(2)} µs CPU/msg  p99 ${r.latencyUs.p99} µs\n`,
      );
    }
  }
  const fig = (mode: MetricsMode) => ({
    rate: median(runs[mode].map((r) => r.msgPerSec)),
    cpu: median(runs[mode].map(cpuPerMsg)),
    p99: median(runs[mode].map((r) => r.latencyUs.p99)),
  });
  const off = fig('off');
  for (const mode of MODES) {
    const f = fig(mode);
    rows.push(
      `| ${id} (${durable ? 'durable+validated' : 'ephemeral'}) | ${mode} | ${Math.round(f.rate)} | ${(f.rate / off.rate).toFixed(3)}× | ${f.cpu.toFixed(2)} | ${(f.cpu / off.cpu).toFixed(3)}× | ${f.p99} |`,
    );
  }
}
load.push(loadavg()[0]!);

const text = `# What the per-channel metrics cost

\`npx tsx bench/metrics-cost.ts --rounds ${ROUNDS} --seconds ${values.seconds}\` — ${new Date().toISOString().slice(0, 16)}Z, commit ${m.commit}.
Machine: ${m.cores} cores (nproc), ${m.cpu}, ${m.memoryGb} GB, Linux ${m.kernel}, Node ${m.node}; load average ${load[0]!.toFixed(2)} at the start, ${load[1]!.toFixed(2)} at the end
(a machine shared with other work: read the ratios, and the CPU per message before the rates).

Each scenario as in [README.md](README.md#scenarios), against the built CLI with the per-channel metrics **on** (the
default: counters, latency histogram and receive times per channel), **unlabelled** (\`metrics.channel_labels: []\`:
the same work, every channel \`other\`) and **off** (\`metrics.enabled: false\`: no listener, so the hub builds no
event), interleaved run by run, ${ROUNDS} rounds of ${values.seconds} s measured; medians. msg/s: deliveries (acked
publishes in \`acked-max\`) per second; CPU/msg: µs of hub CPU per delivered or acked message (server CPU % × 10⁴ ÷ msg/s).
At a fixed rate (\`1to100-1k\`) every variant delivers the same msg/s: read its CPU/msg. Ratios are to **off**.

| scenario | metrics | msg/s | ÷ off | CPU µs/msg | ÷ off | p99 µs |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`;
writeFileSync(values.out, text);
process.stdout.write(`\n${text}\nwritten to ${values.out}\n`);
