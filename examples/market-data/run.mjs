#!/usr/bin/env node
// One command: starts a hub on the embedded store with the market-data contract, runs the core engine and the
// data bridge against it, and prints what flowed, what was refused (and kept in the DLQ) and the latency
// against the plan's 25 ms target. Options: --count N (1000), --rate N per second (200), --keep (leave the hub running).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBridge } from './data-bridge.mjs';
import { startEngine } from './core-engine.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { count: { type: 'string' }, rate: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('Usage: node examples/market-data/run.mjs [--count 1000] [--rate 200] [--keep]');
  process.exit(0);
}
const count = Number(values.count ?? 1000);
const rate = Number(values.rate ?? 200);
const TARGET_MS = 25;

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-example-'));
const cli = join(here, '..', '..', 'packages', 'cli', 'dist', 'bin.js');
const hub = spawn(process.execPath, [cli, 'start', '--port', '0', '--dev', '--data', dataDir, '--contracts', join(here, 'contracts')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'warn' },
});
const base = await new Promise((resolve, reject) => {
  let out = '';
  hub.stdout.on('data', (b) => {
    out += b;
    process.stdout.write(b);
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  hub.once('exit', (code) => reject(new Error(`hub exited with ${code}`)));
});
const url = base.replace('http', 'ws') + '/v1/ws';

let exitCode = 1;
try {
  const engine = await startEngine({ url });
  console.log(`\ncore-engine subscribed (group "engine", manual ack); data-bridge streaming ${count} ticks at ${rate}/s …`);
  const bridge = await runBridge({ url, count, rate });
  const deadline = Date.now() + 10_000;
  while (engine.received() < bridge.accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const seen = await engine.stop();
  const dlq = await (await fetch(`${base}/v1/channels/${encodeURIComponent('$dlq.market.ticks')}/messages?limit=1000`)).json();

  const inOrder = seen.seqs.every((s, i) => i === 0 || s > seen.seqs[i - 1]);
  console.log(`\nticks sent:        ${bridge.sent}`);
  console.log(`accepted (ok):     ${bridge.accepted}`);
  console.log(`refused:           ${bridge.refused.length} (CONTRACT_VIOLATION; ${dlq.messages.length} in $dlq.market.ticks)`);
  for (const r of bridge.refused.slice(0, 3)) console.log(`  e.g. tick #${r.i}: ${r.message}`);
  console.log(`engine received:   ${seen.seqs.length} (${inOrder ? 'in seq order' : 'OUT OF ORDER'})`);
  console.log(
    `latency bridge → engine: p50 ${seen.p50.toFixed(2)} ms, p99 ${seen.p99.toFixed(2)} ms, max ${seen.max.toFixed(2)} ms (target p99 < ${TARGET_MS} ms: ${seen.p99 < TARGET_MS ? 'met' : 'MISSED'})`,
  );
  const ok =
    seen.seqs.length === bridge.accepted &&
    inOrder &&
    dlq.messages.length === bridge.refused.length &&
    bridge.refused.every((r) => r.code === 'CONTRACT_VIOLATION');
  console.log(ok ? '\nOK: every valid tick reached the engine once, in order; every invalid tick is in the DLQ.' : '\nFAILED: see the counts above.');
  exitCode = ok ? 0 : 1;
  if (values.keep) {
    console.log(`\nHub still running at ${base} (Ctrl-C to stop). Try: curl '${base}/v1/channels/market.ticks/messages?limit=3'`);
    await new Promise((r) => process.once('SIGINT', r));
  }
} finally {
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
