/**
 * The hub process of `bench/scrape-stall.ts`: a hub in this process with about 10,000 metric series (channels with
 * deliveries and latency, consumer groups with lag and pending), and an event-loop lag probe
 * that the parent resets before a scrape and reads after it, over IPC.
 * Also times the same number of series held by prom-client's own classes, formatted by `registry.metrics()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import WebSocket from 'ws';
import { createHub, createSqliteStore, defaultConfig } from '@switchboard/hub';

const CHANNELS = Number(process.env.SCRAPE_CHANNELS ?? 500);
const GROUPS = Number(process.env.SCRAPE_GROUPS ?? 250);
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Messages the parent sends: reset the probe, read it, time prom-client's formatting of as many series, stop. */
export type ScrapeHubRequest = { op: 'reset' } | { op: 'read' } | { op: 'prom-client' } | { op: 'stop' };

const send = (m: unknown) => process.send?.(m);
const dir = mkdtempSync(join(tmpdir(), 'sb-scrape-'));
const store = await createSqliteStore({ path: join(dir, 'store.db'), durability: 'process' });
const config = { ...defaultConfig(), auth: { dev: true }, metrics: { enabled: true, maxChannelLabels: CHANNELS + GROUPS } };
const hub = createHub({ config, store, logger: pino({ level: 'warn' }) });
const { port } = await hub.listen(0);

// one subscriber of every channel, and a group (manual ack, never acknowledging) on the first GROUPS channels
const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, 'switchboard.v1');
let received = 0;
let replies = 0;
ws.on('message', (b) => {
  const f = JSON.parse(b.toString()) as { op: string };
  if (f.op === 'msg') received++;
  else if (f.op === 'ok' || f.op === 'welcome') replies++;
  else if (f.op === 'err') throw new Error(`the hub refused a frame: ${b.toString()}`);
});
await new Promise((r) => ws.once('open', r));
ws.send(JSON.stringify({ op: 'hello', component: 'scrape-bench', id: 0 }));
while (replies < 1) await new Promise((r) => setTimeout(r, 10));
ws.send(JSON.stringify({ op: 'sub', ch: 'scrape.>', id: 1 }));
for (let i = 0; i < GROUPS; i++) ws.send(JSON.stringify({ op: 'sub', ch: `scrape.c${i}`, group: `g${i}`, ack: 'manual', from: 'earliest', id: 2 + i }));
while (replies < GROUPS + 2) await new Promise((r) => setTimeout(r, 10));
for (let i = 0; i < CHANNELS; i++) for (let n = 0; n < 3; n++) await hub.router.publish({ ch: `scrape.c${i}`, type: 't', data: { n }, source: 'bench' });
const expected = CHANNELS * 3 + GROUPS * 3;
while (received < expected) await new Promise((r) => setTimeout(r, 10));

// the same number of series in prom-client's own classes, for comparison
const reference = new Registry();
const refPublished = new Counter({ name: 'ref_published_total', help: 'x', labelNames: ['channel'], registers: [reference] });
const refDelivered = new Counter({ name: 'ref_delivered_total', help: 'x', labelNames: ['channel'], registers: [reference] });
const refLatency = new Histogram({ name: 'ref_latency_seconds', help: 'x', labelNames: ['channel'], buckets: LATENCY_BUCKETS, registers: [reference] });
const groups = Array.from({ length: GROUPS }, (_, i) => ({ channel: `scrape.c${i}`, group: `g${i}` }));
for (const name of ['ref_lag', 'ref_pending']) {
  new Gauge({
    name,
    help: 'x',
    labelNames: ['channel', 'group'],
    registers: [reference],
    collect() {
      for (const g of groups) this.set(g, 3);
    },
  });
}
for (let i = 0; i < CHANNELS; i++) {
  const channel = `scrape.c${i}`;
  refPublished.inc({ channel }, 3);
  refDelivered.inc({ channel }, 6);
  for (let n = 0; n < 6; n++) refLatency.observe({ channel }, 0.0004 * (n + 1));
}

// A lag probe: a 1 ms interval timer notes the longest gap between two of its ticks (minus the 1 ms it waits), which
// is the longest time the event loop was held. (`monitorEventLoopDelay` loses the sample that spans a block when it
// is reset just before, so it under-reports a single long block.)
let last = performance.now();
let worst = 0;
const probe = setInterval(() => {
  const now = performance.now();
  worst = Math.max(worst, now - last - 1);
  last = now;
}, 1);
const reset = () => {
  last = performance.now();
  worst = 0;
};
const reading = () => ({ maxMs: Math.max(0, worst) });

process.on('message', (m: ScrapeHubRequest) => {
  void (async () => {
    if (m.op === 'reset') {
      reset();
      send({ op: 'reset' });
    } else if (m.op === 'read') send({ op: 'read', ...reading() });
    else if (m.op === 'prom-client') {
      // let the probe see a few ticks first, then time one formatting of the reference registry
      await new Promise((r) => setTimeout(r, 20));
      reset();
      const t = performance.now();
      const text = await reference.metrics();
      const ms = performance.now() - t;
      await new Promise((r) => setTimeout(r, 20));
      send({ op: 'prom-client', ms, bytes: text.length, series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length, ...reading() });
    } else if (m.op === 'stop') {
      clearInterval(probe);
      ws.close();
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  })();
});
send({ op: 'ready', port });
