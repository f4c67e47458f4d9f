/**
 * Where a fixed-rate tail comes from: runs one target at a fixed rate (1→1, or acked publishes), records every
 * message's send time and latency, groups the slow ones into clusters (consecutive sends within 3 ms), and lines the
 * clusters up with the garbage collections of the load generator and, for Switchboard, of the hub.
 *
 *   npx tsx bench/tail-probe.ts [--target switchboard|switchboard-durable|ws|socketio|nats] [--acked]
 *                               [--rate 5000] [--seconds 6] [--slow-us 1500]
 *
 * Prints the percentiles, how many clusters fell on a GC of either process, and the first clusters.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { switchboardDurable, switchboardEphemeral } from './targets/switchboard.js';
import { socketIo, wsRelay } from './targets/node-peers.js';
import { natsCore } from './targets/nats.js';
import { makePayload, nowUs } from './lib/stats.js';
import type { Target } from './targets/types.js';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  process.stdout.write(
    'usage: npx tsx bench/tail-probe.ts [--target switchboard|switchboard-durable|ws|socketio|nats] [--acked] [--rate 5000] [--seconds 6] [--slow-us 1500]\n',
  );
  process.exit(0);
}
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const targets: Record<string, Target> = {
  switchboard: switchboardEphemeral,
  'switchboard-durable': switchboardDurable,
  ws: wsRelay,
  socketio: socketIo,
  nats: natsCore,
};
const target = targets[opt('--target', 'switchboard')];
if (!target) throw new Error(`--target must be one of ${Object.keys(targets).join(', ')}`);
const acked = argv.includes('--acked');
const rate = Number(opt('--rate', '5000'));
const seconds = Number(opt('--seconds', '6'));
const slowUs = Number(opt('--slow-us', '1500'));
const WARMUP_MS = 1500;

type Gc = [start: number, duration: number];
const generatorGcs: Gc[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) generatorGcs.push([performance.timeOrigin + e.startTime, e.duration]);
}).observe({ entryTypes: ['gc'] });
const tmp = mkdtempSync(join(tmpdir(), 'sb-tail-probe-'));
const gcFile = join(tmp, 'hub-gc.json');
if (target.isSwitchboard) {
  process.env.SWITCHBOARD_GC_PROBE_OUT = gcFile;
  process.env.SWITCHBOARD_BENCH_NODE_ARGS =
    `${process.env.SWITCHBOARD_BENCH_NODE_ARGS ?? ''} --require ${join(dirname(fileURLToPath(import.meta.url)), 'lib', 'gc-probe.cjs')}`.trim();
}

const session = await target.start(tmp);
/** [send time (epoch ms), latency µs] of every message */
const rows: Array<[number, number]> = [];
const record = (t: number) => rows.push([performance.timeOrigin + t / 1000, nowUs() - t]);
if (!acked) await session.subscriber('t', (_n, t) => record(t));
const pub = await session.publisher('t');
if (acked && !pub.sendAcked) throw new Error(`${target.id} has no acked publish`);
await new Promise((r) => setTimeout(r, 200));
let sent = 0;
const start = performance.now();
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - start) / 1000) * rate) - sent;
  for (let i = 0; i < due; i++) {
    const t = nowUs();
    sent++;
    if (acked) pub.sendAcked!(makePayload(sent, t), () => record(t));
    else pub.send(makePayload(sent, t));
  }
}, 1);
await new Promise((r) => setTimeout(r, WARMUP_MS + seconds * 1000));
clearInterval(timer);
await new Promise((r) => setTimeout(r, 300));
await session.stop();
const hubGcs: Gc[] = existsSync(gcFile) ? (JSON.parse(readFileSync(gcFile, 'utf8')) as Gc[]) : [];
rmSync(tmp, { recursive: true, force: true });

const from = performance.timeOrigin + start + WARMUP_MS;
const measured = rows.filter(([at]) => at >= from);
const lat = measured.map(([, l]) => l).sort((a, b) => a - b);
const q = (p: number) => lat[Math.floor(p * (lat.length - 1))] ?? 0;
const clusters: Array<{ at: number; end: number; n: number; max: number; tag: string }> = [];
for (const [at, l] of measured) {
  if (l <= slowUs) continue;
  const last = clusters[clusters.length - 1];
  if (last && at - last.end < 3) {
    last.n++;
    last.max = Math.max(last.max, l);
    last.end = at;
  } else clusters.push({ at, end: at, n: 1, max: l, tag: '' });
}
// a GC explains a cluster when it ran between the cluster's first send (less a margin) and its last receipt
const near = (gcs: Gc[], c: { at: number; end: number; max: number }) => gcs.find(([s, d]) => s <= c.end + c.max / 1000 && s + d >= c.at - 1);
let onHub = 0,
  onGenerator = 0,
  neither = 0;
for (const c of clusters) {
  const h = near(hubGcs, c),
    g = near(generatorGcs, c);
  if (h) onHub++;
  if (g) onGenerator++;
  if (!h && !g) neither++;
  c.tag = [h ? `hub GC ${h[1].toFixed(1)} ms` : '', g ? `generator GC ${g[1].toFixed(1)} ms` : ''].filter(Boolean).join(', ');
}
const us = (v: number) => `${v} µs`;
process.stdout.write(
  `${target.label}${acked ? ', acked' : ''} at ${rate}/s for ${seconds} s: ${measured.length} messages, p50 ${us(q(0.5))}, p90 ${us(q(0.9))}, p99 ${us(q(0.99))}, p99.9 ${us(q(0.999))}\n`,
);
process.stdout.write(
  `slow (> ${slowUs} µs): ${clusters.reduce((s, c) => s + c.n, 0)} messages in ${clusters.length} clusters; on a hub GC ${onHub}, on a generator GC ${onGenerator}, on neither ${neither}` +
    `${target.isSwitchboard ? '' : ' (hub GCs are recorded for Switchboard only)'}; GCs in the window: hub ${hubGcs.filter(([s]) => s >= from).length}, generator ${generatorGcs.filter(([s]) => s >= from).length}\n`,
);
for (const c of clusters.slice(0, 15)) process.stdout.write(`  +${((c.at - from) / 1000).toFixed(3)} s  ${c.n} messages, max ${us(c.max)}  ${c.tag}\n`);
