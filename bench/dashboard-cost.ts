/**
 * What an open dashboard costs the hub: hub CPU while 1,000 msg/s flow on market.ticks (a publisher, a consumer
 * group), with the dashboard closed and with it open in headless Chromium (the channel view: status and map every
 * 2 s, the history every 10 s, $sys.* over the socket), phases interleaved (closed, open, closed, open, …) so that a
 * busy moment of a shared machine falls on both alike. Hub CPU is utime + stime of the `switchboard start` process
 * (/proc); Chromium's own CPU is not the hub's and is reported apart. Writes bench/DASHBOARD-RESULTS.md (or `--out`).
 *
 *   npm run build && npx tsx bench/dashboard-cost.ts [--rounds 3] [--seconds 8] [--rate 1000] [--out /tmp/d.md]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { chromium, type Browser, type Page } from 'playwright-core';
import { machine } from './lib/machine.js';
import { procCpuMs, spawnServer } from './lib/proc.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    rate: { type: 'string', default: '1000' },
    out: { type: 'string', default: fileURLToPath(new URL('./DASHBOARD-RESULTS.md', import.meta.url)) },
  },
});
const ROUNDS = Number(values.rounds);
const PHASE_MS = Number(values.seconds) * 1000;
const RATE = Number(values.rate);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages', 'cli', 'bin', 'switchboard.js');
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`${CHROMIUM} is missing (apt-get install chromium): nothing measured\n`);
  process.exit(2);
}

/** Opens a socket to the hub, says hello as `component`, resolves once welcomed. */
async function client(url: string, component: string): Promise<WebSocket> {
  const ws = new WebSocket(url, 'switchboard.v1');
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ op: 'hello', component, id: 0 }));
  await new Promise<void>((resolve) => ws.once('message', () => resolve()));
  return ws;
}

/** CPU ms of a process and every process under it (Chromium: the browser, its zygotes, renderers, GPU process). */
function treeCpuMs(root: number | undefined): number {
  if (root === undefined) return NaN;
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    total += procCpuMs(pid) || 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** The Chromium process this script launched (a child of this process). */
function chromiumPid(): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .map(Number)
      .find((pid) => pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom'));
  } catch {
    return undefined;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'sb-dashboard-bench-'));
const hub = await spawnServer({
  name: 'switchboard',
  cmd: process.execPath,
  args: [CLI, 'start', '--host', '127.0.0.1', '--port', '0', '--dev', '--data', join(tmp, 'data'), '--log-level', 'warn'],
  ready: (out) => {
    const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  },
});
const base = `http://127.0.0.1:${hub.port}`;
const wsUrl = `ws://127.0.0.1:${hub.port}/v1/ws`;

const engine = await client(wsUrl, 'core-engine');
engine.send(JSON.stringify({ op: 'sub', id: 1, ch: 'market.ticks', group: 'engine' }));
let delivered = 0;
engine.on('message', (b: Buffer) => {
  if (b.toString('latin1', 0, 12).includes('"msg"')) delivered++;
});
const bridge = await client(wsUrl, 'data-bridge');
let sent = 0;
const started = Date.now();
// RATE messages a second in bursts every 10 ms, catching up on the clock (a timer can fire late)
const pump = setInterval(() => {
  const due = Math.floor(((Date.now() - started) * RATE) / 1000);
  for (; sent < due; sent++)
    bridge.send(JSON.stringify({ op: 'pub', id: sent + 2, ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD', bid: 1.0841, ask: 1.0843, n: sent } }));
}, 10);

const browser: Browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const browserPid = chromiumPid();

await new Promise((r) => setTimeout(r, 2000)); // warm-up: the stream is flowing, the JIT warm

interface Phase {
  open: boolean;
  hubCpuPct: number;
  chromiumCpuPct: number;
  msgPerSec: number;
}
const phases: Phase[] = [];
let page: Page | undefined;
for (let round = 1; round <= ROUNDS; round++) {
  for (const open of [false, true]) {
    if (open) {
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${base}/#/channels/market.ticks`);
      await page.locator('[data-testid=rate-published]').waitFor();
      await new Promise((r) => setTimeout(r, 1000)); // the page's first loads are done
    }
    const cpu0 = procCpuMs(hub.pid);
    const chr0 = treeCpuMs(browserPid);
    const d0 = delivered;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, PHASE_MS));
    const ms = performance.now() - t0;
    const phase: Phase = {
      open,
      hubCpuPct: Math.round(((procCpuMs(hub.pid) - cpu0) / ms) * 1000) / 10,
      chromiumCpuPct: open ? Math.round(((treeCpuMs(browserPid) - chr0) / ms) * 1000) / 10 : 0,
      msgPerSec: Math.round(((delivered - d0) * 1000) / ms),
    };
    phases.push(phase);
    process.stdout.write(
      `round ${round}/${ROUNDS} dashboard ${open ? 'open  ' : 'closed'}  hub CPU ${phase.hubCpuPct}%  ${phase.msgPerSec} msg/s delivered${open ? `  chromium ${phase.chromiumCpuPct}%` : ''}\n`,
    );
    if (open) {
      await page!.close();
      page = undefined;
    }
  }
}
clearInterval(pump);
await new Promise((r) => setTimeout(r, 500));
// The page's requests, measured by the work they make: hub CPU of CALLS status + map pairs (what the page asks
// every 2 s) and history reads (every 10 s), one after another on the quiet hub.
const CALLS = 300;
const cpuOf = async (path: string) => {
  const c0 = procCpuMs(hub.pid);
  for (let i = 0; i < CALLS; i++) await (await fetch(base + path)).arrayBuffer();
  return (procCpuMs(hub.pid) - c0) / CALLS;
};
const msStatus = await cpuOf('/v1/admin/status');
const msMap = await cpuOf('/v1/admin/map');
const msHistory = await cpuOf('/v1/admin/history?ch=market.ticks');
/** % of one core the page's requests take: (status + map) every 2 s, the history every 10 s. */
const estimatePct = Math.round((((msStatus + msMap) / 2 + msHistory / 10) / 10) * 1000) / 1000;
const statusBytes = (await (await fetch(`${base}/v1/admin/status`)).text()).length;
const mapBytes = (await (await fetch(`${base}/v1/admin/map`)).text()).length;
await browser.close();
bridge.close();
engine.close();
await hub.stop();
rmSync(tmp, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const closed = phases.filter((p) => !p.open);
const opened = phases.filter((p) => p.open);
const cpuClosed = median(closed.map((p) => p.hubCpuPct));
const cpuOpen = median(opened.map((p) => p.hubCpuPct));
const added = Math.round((cpuOpen - cpuClosed) * 10) / 10;
const share = Math.round((added / cpuClosed) * 1000) / 10;
const m = machine();
const md = `# Dashboard cost

What an open dashboard costs the hub while ${RATE.toLocaleString('en')} msg/s flow on \`market.ticks\` (one publisher,
one consumer group): \`npx tsx bench/dashboard-cost.ts\` (${ROUNDS} rounds of ${PHASE_MS / 1000} s closed and ${PHASE_MS / 1000} s open,
interleaved; medians). The page is the channel view of \`market.ticks\` in headless Chromium: status and map every 2 s,
the channel's history every 10 s, the \`$sys.*\` events over its WebSocket. Hub CPU is the \`switchboard start\`
process's own (utime + stime), in % of one core.

| | hub CPU | delivered msg/s |
| --- | --- | --- |
| dashboard closed | ${cpuClosed} % | ${median(closed.map((p) => p.msgPerSec))} |
| dashboard open | ${cpuOpen} % | ${median(opened.map((p) => p.msgPerSec))} |
| **added by the open page** | **${added > 0 ? `${added} points = ${share} % of the hub's CPU` : `none measurable (${added} points: within the noise between phases)`}** (target: under 5 %) | |

Measured by the work the page asks for instead (${CALLS} calls of each route, one after another, on the quiet hub):
a status answer costs the hub ${msStatus.toFixed(2)} ms of CPU, a map ${msMap.toFixed(2)} ms, a channel's history
${msHistory.toFixed(2)} ms; at one status and one map every 2 s and one history every 10 s the open page takes
**${estimatePct} % of a core = ${Math.round((estimatePct / cpuClosed) * 1000) / 10} % of the hub's CPU at ${RATE.toLocaleString('en')} msg/s** (${cpuClosed} %).
The \`$sys.*\` events cost nothing while no component connects or is refused (none here).

Chromium itself used ${median(opened.map((p) => p.chromiumCpuPct))} % of a core meanwhile (not the hub's). One status answer was
${statusBytes.toLocaleString('en')} bytes, one map ${mapBytes.toLocaleString('en')}.

Every phase:

| round | dashboard | hub CPU | msg/s | Chromium CPU |
| --- | --- | --- | --- | --- |
${phases.map((p, i) => `| ${Math.floor(i / 2) + 1} | ${p.open ? 'open' : 'closed'} | ${p.hubCpuPct} % | ${p.msgPerSec} | ${p.open ? `${p.chromiumCpuPct} %` : '–'} |`).join('\n')}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Linux ${m.kernel}, Node ${m.node}, commit ${m.commit};
load average ${loadavg()[0]!.toFixed(2)} at the end (the machine was shared with other work: read the difference
between interleaved phases, not the absolute figures).
`;
writeFileSync(values.out!, md);
process.stdout.write(`\n${md}`);
