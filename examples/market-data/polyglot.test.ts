// The polyglot market-data integration: a Java core engine (java/Engine.java), a Python data bridge
// (python/bridge.py) and a TypeScript monitor (the SDK) work through one real hub with the market-data contract.
// Every valid tick must reach the engine exactly once and in seq order, every invalid tick must be refused with
// CONTRACT_VIOLATION and sit in $dlq.market.ticks with its reason, and bridge → engine p99 must stay under 25 ms.
// A summary of the run (JSON and Markdown) goes to reports/polyglot/ for CI to keep.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { connect, type Message, type SwitchboardClient } from '@switchboard/client';
import { startHub, type HubProcess } from '../../test/support/hub-process.js';
import { history } from '../../test/support/hub-fixture.js';
import { eventually } from '../../test/support/util.js';
import { missingRuntimes, probe, startPart, type PartProcess } from './polyglot-parts.js';
import { writePolyglotReport, type Check } from './polyglot-report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const PYTHON = '/usr/bin/python3';
const COUNT = 2000;
const RATE = 500;
const INVALID_EVERY = 50;
const TARGET_P99_MS = 25;
// C1 only and the serial collector: the JVM starts in a fraction of the time on a small machine, and no late C2
// compilation stalls the stream; the engine also warms its socket path up with pings before it prints `ready`.
// Above this many runnable processes per CPU (1-minute load average) the machine is busy with other work and a
// missed latency target says nothing about Switchboard; this test alone keeps the load well below it.
const OVERLOAD_FACTOR = 2;
const JAVA_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

const skip = missingRuntimes(PYTHON);
const parts: PartProcess[] = [];
let hub: HubProcess | undefined;
let monitor: SwitchboardClient | undefined;
after(async () => {
  await monitor?.close().catch(() => {});
  for (const p of parts) await p.kill();
  await hub?.cleanup();
});

test('Python bridge → hub → Java engine (+ a TypeScript monitor): every valid tick once, in order; invalid ones in the DLQ; p99 < 25 ms', { skip, timeout: 120_000 }, async (t) => {
  const t0 = Date.now();
  hub = await startHub({ contracts: join(HERE, 'contracts') });
  const env = { SWITCHBOARD_URL: hub.wsUrl, SWITCHBOARD_HTTP: hub.url };
  const runId = `polyglot-${process.pid}-${Date.now()}`;
  const ids = Array.from({ length: COUNT }, (_, k) => k + 1);
  const validIds = ids.filter((i) => i % INVALID_EVERY !== 0).map((i) => `${runId}-${i}`);
  const invalidIds = ids.filter((i) => i % INVALID_EVERY === 0).map((i) => `${runId}-${i}`);

  // 1. Java engine: consumer group "engine", manual ack; stops by itself after the expected count.
  const engine = startPart('java engine', 'java', [...JAVA_FLAGS, 'Engine.java', '--expect', String(validIds.length), '--idle-ms', '20000'], { cwd: join(HERE, 'java'), env });
  parts.push(engine);
  await engine.waitForLine(/^ready core-engine /, 60_000);
  const engineReadyS = (Date.now() - t0) / 1000;

  // 2. TypeScript monitor (SDK): watches the ticks (fan-out, auto ack) and the dead letters as they arrive.
  monitor = await connect({ url: hub.wsUrl, component: 'ops-monitor', version: '1.0.0' });
  const seenTicks: number[] = [];
  const seenDlq: Message[] = [];
  await monitor.subscribe('market.ticks', { from: 'latest', ack: 'auto', onMessage: (m) => { seenTicks.push(m.seq); } });
  await monitor.subscribe('$dlq.market.ticks', { from: 'latest', ack: 'auto', onMessage: (m) => { seenDlq.push(m); } });

  // 3. Python bridge: 2,000 ticks at 500/s, every 50th invalid.
  const bridge = startPart('python bridge', PYTHON, ['bridge.py', '--count', String(COUNT), '--rate', String(RATE), '--invalid-every', String(INVALID_EVERY), '--run-id', runId], { cwd: join(HERE, 'python'), env });
  parts.push(bridge);
  await bridge.waitForLine(/^ready data-bridge /, 20_000);
  const bridgeCode = await bridge.exit(COUNT / RATE * 1000 + 30_000);
  const engineCode = await engine.exit(30_000);
  await eventually(() => seenTicks.length >= validIds.length && seenDlq.length >= invalidIds.length, 10_000);

  const bridgeSummary = bridge.json().find((l) => l.event === 'summary');
  const engineSummary = engine.json().find((l) => l.event === 'summary');
  const received = engine.json().filter((l) => l.event === 'msg');
  const dlq = await history(hub.url, '$dlq.market.ticks');
  assert.ok(bridgeSummary, `the bridge printed no summary\n${bridge.output()}`);
  assert.ok(engineSummary, `the engine printed no summary\n${engine.output()}`);

  const receivedIds = received.map((m) => m.id);
  const receivedSeqs = received.map((m) => m.seq);
  const latencies = received.map((m) => m.latency_ms as number).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.max(0, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  const p50 = pct(50);
  const p99 = pct(99);
  const dlqIds = dlq.map((e) => e.meta?.dlq?.msg_id);
  const contiguous = receivedSeqs.every((s, k) => k === 0 || s === receivedSeqs[k - 1] + 1);

  const checks: Check[] = [
    { name: 'bridge sent every tick and exited 0', expected: `${COUNT} sent, exit 0`, actual: `${bridgeSummary.sent} sent, exit ${bridgeCode}`, pass: bridgeSummary.sent === COUNT && bridgeCode === 0 },
    { name: 'valid ticks acknowledged (ok) at the bridge', expected: String(validIds.length), actual: String(bridgeSummary.acked), pass: bridgeSummary.acked === validIds.length },
    { name: 'invalid ticks refused with CONTRACT_VIOLATION at the bridge', expected: `${invalidIds.length} CONTRACT_VIOLATION`, actual: JSON.stringify(bridgeSummary.refused), pass: bridgeSummary.refused?.CONTRACT_VIOLATION === invalidIds.length && Object.keys(bridgeSummary.refused).length === 1 && sameList(bridgeSummary.refused_msg_ids, invalidIds) },
    { name: 'engine received every valid tick exactly once, in publish order', expected: `${validIds.length} ids, in order`, actual: `${receivedIds.length} ids${sameList(receivedIds, validIds) ? ', in order' : ', NOT the published list'}`, pass: sameList(receivedIds, validIds) },
    { name: 'engine seqs contiguous and equal to the bridge acks', expected: `${bridgeSummary.first_seq}…${bridgeSummary.last_seq}, no gap`, actual: `${receivedSeqs[0]}…${receivedSeqs.at(-1)}, gaps ${engineSummary.gaps}, duplicates ${engineSummary.duplicates}`, pass: contiguous && receivedSeqs[0] === bridgeSummary.first_seq && receivedSeqs.at(-1) === bridgeSummary.last_seq && engineSummary.gaps === 0 && engineSummary.duplicates === 0 },
    { name: 'engine acknowledged every tick (manual ack) and exited 0', expected: `${validIds.length} acked, exit 0`, actual: `${engineSummary.acked} acked, exit ${engineCode}, redelivered ${engineSummary.redelivered}`, pass: engineSummary.acked === validIds.length && engineCode === 0 && engineSummary.redelivered === 0 },
    { name: 'every invalid tick is in $dlq.market.ticks with its reason', expected: `${invalidIds.length} entries, CONTRACT_VIOLATION + reason + details`, actual: `${dlq.length} entries`, pass: sameList(dlqIds, invalidIds) && dlq.every((e) => e.meta.dlq.code === 'CONTRACT_VIOLATION' && typeof e.meta.dlq.reason === 'string' && e.meta.dlq.reason.length > 0 && e.meta.dlq.details?.length > 0 && e.source === 'data-bridge') },
    { name: 'TypeScript monitor saw the ticks and the dead letters live', expected: `${validIds.length} ticks, ${invalidIds.length} dead letters`, actual: `${seenTicks.length} ticks, ${seenDlq.length} dead letters`, pass: sameList(seenTicks, receivedSeqs) && sameList(seenDlq.map((m) => (m.envelope.meta as any)?.dlq?.msg_id), invalidIds) },
  ];
  // The latency target is judged unless the machine was far busier than this test makes it (other work on it
  // saturating every core): then the figure is reported, not asserted, with the load that explains it.
  const load = loadavg()[0]!;
  const overloaded = load > OVERLOAD_FACTOR * cpus().length;
  const latencyActual = `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${latencies.at(-1)?.toFixed(2)} ms`;
  const latencyMet = p99 < TARGET_P99_MS;
  checks.push({
    name: `end-to-end p99 (bridge send → engine receive) < ${TARGET_P99_MS} ms`,
    expected: `< ${TARGET_P99_MS} ms`,
    actual: latencyMet || !overloaded ? latencyActual : `${latencyActual} — not judged: machine overloaded (load ${load.toFixed(1)} on ${cpus().length} CPUs)`,
    pass: latencyMet || overloaded,
    judged: latencyMet || !overloaded,
  });

  const report = writePolyglotReport(join(ROOT, 'reports', 'polyglot'), {
    when: new Date().toISOString(),
    conditions: {
      ticks: COUNT, rate_per_s: RATE, invalid_every: INVALID_EVERY, cpus: cpus().length, load_average_1m: Number(load.toFixed(2)),
      node: process.version, java: probe('java', ['-version']) ?? '?', java_flags: JAVA_FLAGS.join(' '), python: probe(PYTHON, ['--version']) ?? '?',
      engine_ready_after_s: engineReadyS, total_s: (Date.now() - t0) / 1000,
    },
    latency_ms: { count: latencies.length, p50, p99, max: latencies.at(-1) ?? NaN, target_p99: TARGET_P99_MS },
    latency_windows: windows(received.map((m) => m.latency_ms as number), 250),
    checks,
    bridge: bridgeSummary,
    engine: engineSummary,
    dlq_sample: dlq.slice(0, 5).map((e) => ({ msg_id: e.meta.dlq.msg_id, reason: e.meta.dlq.reason })),
  });
  if (!latencyMet && overloaded) t.diagnostic(`latency target not judged: load average ${load.toFixed(1)} on ${cpus().length} CPUs`);
  console.log(`polyglot market-data: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over ${latencies.length} ticks (target p99 < ${TARGET_P99_MS} ms); report: ${report.markdown}`);

  for (const c of checks) assert.ok(c.pass, `${c.name}: expected ${c.expected}, got ${c.actual}\n${bridge.output()}\n${engine.output()}`);
});

/** p50/p99/max of each run of `size` consecutive ticks, in arrival order: shows warm-up and stalls. */
function windows(values: number[], size: number): { from: number; p50: number; p99: number; max: number }[] {
  const out = [];
  for (let k = 0; k < values.length; k += size) {
    const w = values.slice(k, k + size).sort((a, b) => a - b);
    const at = (p: number) => w[Math.max(0, Math.ceil((p / 100) * w.length) - 1)]!;
    out.push({ from: k + 1, p50: at(50), p99: at(99), max: w.at(-1)! });
  }
  return out;
}

function sameList(a: unknown[] | undefined, b: unknown[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}
