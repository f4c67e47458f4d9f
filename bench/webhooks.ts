// Outbound webhooks: deliveries per second from one hub to a local keep-alive receiver, and publish → webhook
// latency (p50/p99) at a fixed rate. One process holds the publisher (raw v1 protocol over `ws`) and the receiver
// (node:http with keep-alive), so one monotonic clock times both ends; the hub is the built CLI as a child process.
//
//   npm run build && npx tsx bench/webhooks.ts [--messages 20000] [--rate 500] [--seconds 5] [--in-flight 64]
//
// Prints the figures and the machine as Markdown (for bench/WEBHOOKS-RESULTS.md).
import { BENCH_LIMITS, spawnHub } from './targets/switchboard.js';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { machine } from './lib/machine.js';
import { procCpuMs, type ServerHandle } from './lib/proc.js';
import { makePayload, newHistogram, nowUs } from './lib/stats.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

const { values: o } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '64' },
  },
});
const MESSAGES = Number(o.messages);
const RATE = Number(o.rate);
const SECONDS = Number(o.seconds);
const IN_FLIGHT = Number(o['in-flight']);

/**
 * The receiver: answers 204 once `gate` resolved (at once after that); hands each body to `onBody` when it answers.
 * Holding the first answers lets the backlog be published in full before the webhook drains it.
 */
async function receiver(gate: Promise<void>, onBody: (body: string) => void): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      void gate.then(() => {
        onBody(body);
        res.writeHead(204).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/hook` };
}

async function startHub(url: string, dir: string): Promise<ServerHandle> {
  const config = join(dir, 'switchboard.yaml');
  writeFileSync(
    config,
    `webhooks:\n  bench:\n    url: ${url}\n    channels: [bench.hook]\n    secret: ${SECRET}\n    timeout: 2m\n    max_in_flight: ${IN_FLIGHT}\n    allow_private_networks: true\n` +
      BENCH_LIMITS,
  );
  return spawnHub(join(dir, 'data'), ['--config', config]);
}

/** A publisher over the raw protocol: `pub(data)` resolves when the hub answers `ok` (stored). */
async function publisher(port: number): Promise<{ pub: (data: string) => Promise<void>; close: () => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, 'switchboard.v1', { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waiting = new Map<number, () => void>();
  let id = 0;
  ws.on('message', (raw) => {
    const f = JSON.parse(String(raw)) as { op: string; re?: number };
    if (f.re === undefined) return;
    if (f.op === 'err') throw new Error(`the hub refused a frame: ${String(raw)}`);
    waiting.get(f.re)?.();
    waiting.delete(f.re);
  });
  const call = (frame: string, n: number) =>
    new Promise<void>((resolve) => {
      waiting.set(n, resolve);
      ws.send(frame);
    });
  await call(JSON.stringify({ op: 'hello', id: ++id, component: 'bench-publisher' }), id);
  return {
    pub: (data) => {
      const n = ++id;
      return call(`{"op":"pub","id":${n},"ch":"bench.hook","type":"tick","data":${data}}`, n);
    },
    close: () => ws.close(),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-webhooks-'));
  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  let measuring = false;
  const hist = newHistogram();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const rx = await receiver(gate, (body) => {
    const now = nowUs();
    received++;
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    if (measuring) {
      const t = /"t":(\d+)/.exec(body);
      if (t) hist.recordValue(Math.max(1, now - Number(t[1])));
    }
  });
  const hub = await startHub(rx.url, dir);
  try {
    const p = await publisher(hub.port);
    // Throughput: a backlog of MESSAGES stored while the receiver holds its first answers, then drained.
    let sent = 0;
    const window = 500;
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (sent < MESSAGES) {
          const n = sent++;
          await p.pub(makePayload(n, nowUs()));
        }
      }),
    );
    const cpu0 = procCpuMs(hub.pid);
    open();
    while (received < MESSAGES) await new Promise((r) => setTimeout(r, 20));
    const throughput = (MESSAGES / (lastAt - firstAt)) * 1e6;
    const cpu = (procCpuMs(hub.pid) - cpu0) / ((lastAt - firstAt) / 1e3);

    // Latency at a fixed rate: one publish every 1/RATE s for SECONDS, publish → body received.
    const start = received;
    const total = RATE * SECONDS;
    measuring = true;
    const began = nowUs();
    for (let i = 0; i < total; i++) {
      const due = began + (i * 1e6) / RATE;
      while (nowUs() < due) await new Promise((r) => setImmediate(r));
      void p.pub(makePayload(MESSAGES + i, nowUs()));
    }
    while (received < start + total) await new Promise((r) => setTimeout(r, 20));
    measuring = false;
    p.close();

    const m = machine();
    const line = (s: string) => process.stdout.write(s + '\n');
    line(`## Outbound webhooks (commit ${m.commit})`);
    line('');
    line(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; Node ${m.node}; kernel ${m.kernel}; load average ${loadavg()[0]!.toFixed(1)} at the end.`);
    line(
      `One hub (\`switchboard start --dev\`, SQLite, durability process), one webhook, max_in_flight ${IN_FLIGHT}, a local keep-alive receiver answering 204.`,
    );
    line('');
    line('| figure | value |');
    line('| --- | --- |');
    line(`| deliveries/s (backlog of ${MESSAGES.toLocaleString('en-US')} drained) | ${Math.round(throughput).toLocaleString('en-US')} |`);
    line(`| hub CPU while draining (100 % = one core) | ${Math.round(cpu * 100)} % |`);
    line(`| publish → webhook p50 at ${RATE}/s for ${SECONDS} s | ${(hist.getValueAtPercentile(50) / 1000).toFixed(2)} ms |`);
    line(`| publish → webhook p99 | ${(hist.getValueAtPercentile(99) / 1000).toFixed(2)} ms |`);
    line(`| publish → webhook max | ${(hist.maxValue / 1000).toFixed(2)} ms |`);
  } finally {
    await hub.stop();
    rx.server.closeAllConnections();
    rx.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
