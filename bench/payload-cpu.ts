/**
 * Hub CPU per message for one payload size: `npx tsx bench/payload-cpu.ts [--root <repo>] [--bytes 2048] [--count 20000]`.
 * Starts the built CLI of `--root` (default this repository) with a contract of its own (`p`: an array of numbers), then one publisher and one
 * subscriber on raw `ws` send `--count` acked publishes (100 in flight) of a payload of about `--bytes` bytes of
 * numbers (`{"n":…,"t":…,"p":[1764749280343123457, 1.08410000000000001, …]}`), once to the durable, validated channel
 * `bench.dur` and once to the ephemeral `bench.eph.t`. Prints hub CPU (utime + stime from /proc) per message, in µs.
 * Written to compare the hub before and after it forwarded the publisher's text instead of re-serialising `data`.
 */
import { BENCH_LIMITS } from './targets/switchboard.js';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const root = opt('--root', new URL('..', import.meta.url).pathname);
const bytes = Number(opt('--bytes', '2048'));
const count = Number(opt('--count', '20000'));
const HZ = 100;

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

function payload(n: number): string {
  const nums: string[] = [];
  let size = 40;
  for (let k = 0; size < bytes; k++) {
    const v = k % 2 === 0 ? String(1764749280343123457n + BigInt(k)) : `1.08410000000000${String(k).padStart(3, '0')}`;
    nums.push(v);
    size += v.length + 1;
  }
  return `{"n":${n},"t":${Date.now()},"p":[${nums.join(',')}]}`;
}

async function open(url: string, component: string): Promise<WebSocket> {
  const ws = new WebSocket(url, 'switchboard.v1', { perMessageDeflate: false });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  ws.send(JSON.stringify({ op: 'hello', id: 0, component }));
  await new Promise((r) => ws.once('message', r));
  return ws;
}

async function measure(wsUrl: string, pid: number, ch: string): Promise<number> {
  const sub = await open(wsUrl, 'sub');
  sub.send(JSON.stringify({ op: 'sub', id: 1, ch }));
  await new Promise((r) => sub.once('message', r));
  const pub = await open(wsUrl, 'pub');
  let received = 0;
  const done = new Promise<void>((resolve) =>
    sub.on('message', () => {
      if (++received === count) resolve();
    }),
  );
  let sent = 0;
  const sendOne = () => {
    sent++;
    pub.send(`{"op":"pub","id":${sent},"ch":"${ch}","type":"b","data":${payload(sent)}}`);
  };
  pub.on('message', () => {
    if (sent < count) sendOne();
  });
  const before = cpuTicks(pid);
  for (let i = 0; i < 100; i++) sendOne();
  await done;
  const used = cpuTicks(pid) - before;
  pub.close();
  sub.close();
  return (used / HZ / count) * 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'sb-payload-cpu-'));
writeFileSync(join(dir, 'switchboard.yaml'), 'channels:\n  "bench.eph.>":\n    mode: ephemeral\n' + BENCH_LIMITS);
const CONTRACT = `asyncapi: 3.0.0
info: { title: payload-cpu, version: 1.0.0 }
channels:
  dur:
    address: bench.dur
    messages:
      b: { $ref: '#/components/messages/b' }
components:
  messages:
    b:
      name: b
      payload:
        type: object
        additionalProperties: false
        required: [n, t, p]
        properties:
          n: { type: integer, minimum: 0 }
          t: { type: integer }
          p: { type: array, items: { type: number } }
`;
mkdirSync(join(dir, 'contracts'));
writeFileSync(join(dir, 'contracts', 'payload-cpu.yaml'), CONTRACT);
const hub = spawn(
  process.execPath,
  [
    // e.g. SWITCHBOARD_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir /tmp/prof" to profile the hub
    ...(process.env.SWITCHBOARD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    join(root, 'packages/cli/dist/bin.js'),
    'start',
    '--port',
    '0',
    '--dev',
    '--data',
    dir,
    '--config',
    join(dir, 'switchboard.yaml'),
    '--contracts',
    join(dir, 'contracts'),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve) => {
  let out = '';
  hub.stdout!.on('data', (d) => {
    out += d;
    const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
});
const wsUrl = `ws://127.0.0.1:${port}/v1/ws`;
try {
  console.log(`payload ${payload(0).length} B, ${count} messages each (${root})`);
  for (const ch of ['bench.dur', 'bench.eph.t']) console.log(`${ch}: ${(await measure(wsUrl, hub.pid!, ch)).toFixed(1)} µs hub CPU per message`);
} finally {
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
