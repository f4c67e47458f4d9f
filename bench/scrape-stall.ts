/**
 * A scrape must not stall the hub: with about 10,000 series, `GET /metrics` answers in under 50 ms and blocks the
 * hub's event loop for under 10 ms. The hub runs in a child process (`lib/scrape-hub.ts`) with an event-loop delay
 * probe; this process scrapes it and reads the probe after each scrape. For comparison, the child also formats the
 * same number of series held by prom-client's own classes (`registry.metrics()`), in process.
 *
 *   npm run build && npx tsx bench/scrape-stall.ts [--scrapes 20] [--channels 500] [--groups 250]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { scrapes: { type: 'string', default: '20' }, channels: { type: 'string', default: '500' }, groups: { type: 'string', default: '250' } },
});
const SCRAPES = Number(values.scrapes);

type Reply = { op: string; [k: string]: unknown };
const child = fork(fileURLToPath(new URL('./lib/scrape-hub.ts', import.meta.url)), [], {
  env: { ...process.env, SCRAPE_CHANNELS: values.channels, SCRAPE_GROUPS: values.groups },
  // `SWITCHBOARD_BENCH_CPU_PROF=<dir>`: the hub process writes a V8 CPU profile there (read it with bench/profile.ts)
  execArgv: [...process.execArgv, ...(process.env.SWITCHBOARD_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SWITCHBOARD_BENCH_CPU_PROF] : [])],
});
const replies: ((r: Reply) => void)[] = [];
child.on('message', (r: Reply) => replies.shift()?.(r));
child.on('exit', (code, signal) => {
  if (code !== 0) console.error(`the hub process ended with ${code ?? signal}`);
});
// the IPC channel alone does not keep this process waiting for the child's first message
const keepAlive = setInterval(() => undefined, 1000);
const next = () => new Promise<Reply>((resolve) => replies.push(resolve));
const ask = (op: string) => {
  const p = next();
  child.send({ op });
  return p;
};

const ready = await next();
const url = `http://127.0.0.1:${ready.port as number}/metrics`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const scrape = async () => {
  const t = performance.now();
  const text = await (await fetch(url)).text();
  return { ms: performance.now() - t, text };
};

for (let i = 0; i < 3; i++) await scrape(); // warm-up
const answer: number[] = [];
const blocked: number[] = [];
/** The same probe over as long a window without a scrape: what the machine alone does to it (other processes). */
const floor: number[] = [];
let last = '';
for (let i = 0; i < SCRAPES; i++) {
  await ask('reset');
  const { ms, text } = await scrape();
  last = text;
  answer.push(ms);
  blocked.push((await ask('read')).maxMs as number);
  await ask('reset');
  await new Promise((r) => setTimeout(r, Math.ceil(ms)));
  floor.push((await ask('read')).maxMs as number);
}
const series = last.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
const ref = await ask('prom-client');
child.send({ op: 'stop' });
clearInterval(keepAlive);

const f = (n: number) => n.toFixed(1);
console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
console.log(`hub /metrics: ${series} series, ${(last.length / 1024).toFixed(0)} KiB, ${SCRAPES} scrapes`);
console.log(`  answer ms      p50 ${f(pct(answer, 50))}  p95 ${f(pct(answer, 95))}  max ${f(Math.max(...answer))}   (target < 50)`);
console.log(`  loop block ms  p50 ${f(pct(blocked, 50))}  p95 ${f(pct(blocked, 95))}  max ${f(Math.max(...blocked))}   (target < 10)`);
console.log(`  no scrape, same windows: p50 ${f(pct(floor, 50))}  p95 ${f(pct(floor, 95))}  max ${f(Math.max(...floor))}   (the machine's own noise)`);
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
console.log(
  `prom-client classes, same series (${ref.series as number}), registry.metrics() in process: ${f(ref.ms as number)} ms, loop block ${f(ref.maxMs as number)} ms`,
);
