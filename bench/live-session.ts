// The live-session example under load: 250 attendees in one session (each subscribed to the stage and the Q&A
// documents of examples/live-session/, with its contract), the presenter changing slides, the whole room voting at
// once, and WebRTC signalling (offer → answer relayed through ephemeral inbox channels) with 100 concurrent pairs.
// One process holds every connection (raw v1 protocol over `ws`, as the other benchmarks), so one monotonic clock
// times both ends; the hub is the built CLI as a child process.
//
//   npm run build && npx tsx bench/live-session.ts [--attendees 250] [--slides 40] [--bursts 5] [--pairs 100] [--rounds 20]
//     [--per-patch]  (document subscriptions without "batch": a doc.patch frame per version)
//     [--compression] (the hub's `compression: true`; the attendees negotiate permessage-deflate, as browsers do)
//     [--cli PATH]   (another build of the hub's CLI)
//
// Prints the figures and the machine as Markdown (for bench/LIVE-SESSION-RESULTS.md).
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type * as hdr from 'hdr-histogram-js';
import { machine } from './lib/machine.js';
import { procCpuMs, type ServerHandle } from './lib/proc.js';
import { newHistogram, nowUs } from './lib/stats.js';
import { spawnHub } from './targets/switchboard.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONTRACTS = join(ROOT, 'examples', 'live-session', 'contracts');
const SESSION = 'bench';
const STAGE = `live/${SESSION}/stage`;
const QA = `live/${SESSION}/qa`;
/** The bound of the conferencing plan, and what we aim for. */
const BOUND_MS = 100;
const AIM_MS = 10;

const { values: o } = parseArgs({
  options: {
    attendees: { type: 'string', default: '250' },
    slides: { type: 'string', default: '40' },
    bursts: { type: 'string', default: '5' },
    pairs: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '20' },
    'per-patch': { type: 'boolean', default: false },
    compression: { type: 'boolean', default: false },
    cli: { type: 'string' },
  },
});
const ATTENDEES = Number(o.attendees);
const SLIDES = Number(o.slides);
const BURSTS = Number(o.bursts);
const PAIRS = Number(o.pairs);
const ROUNDS = Number(o.rounds);
/** The hub's CLI: this checkout's build, or another one (`--cli`, e.g. a build of an older commit, to compare). */
const CLI = o.cli ?? join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
/** Attendees subscribe with `"batch":true` (as the SDK does): the patches of one write come in one frame. */
const BATCH = !o['per-patch'];
/** The hub compresses frames (config `compression: true`) and every attendee negotiates permessage-deflate, as browsers do. */
const COMPRESSION = o.compression;
/** Slide changes before the measured ones (the hub's JIT, the connections' buffers). */
const WARM_UP = 5;

type Frame = Record<string, unknown> & { op: string; re?: number };

/** One connection speaking the v1 protocol: `call` waits for the answer of a frame; `on` sees every other frame. */
class Conn {
  private id = 0;
  private readonly waiting = new Map<number, (f: Frame) => void>();
  onFrame: (f: Frame, at: number) => void = () => {};
  /** When set, `doc.patches` frames are not parsed: the `ref` of each patch is read from the text (what the attendee measures). */
  onRefs: ((doc: string, refs: string[], at: number) => void) | undefined;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const at = nowUs();
      // Latin-1 keeps every byte as one character: the scan for ASCII refs needs no UTF-8 decoding (its cost is
      // the generator's, 250 times over, not the hub's); other frames are parsed from UTF-8.
      const bytes = raw as Buffer;
      const text = bytes.toString('latin1');
      if (this.onRefs && text.startsWith('{"op":"doc.patches"')) {
        const doc = /"doc":"([^"]+)"/.exec(text)![1]!;
        this.onRefs(
          doc,
          Array.from(text.matchAll(/"ref":"([^"]+)"/g), (m) => m[1]!),
          at,
        );
        return;
      }
      const f = JSON.parse(bytes.toString('utf8')) as Frame;
      if (f.re !== undefined && this.waiting.has(f.re)) {
        this.waiting.get(f.re)!(f);
        this.waiting.delete(f.re);
      } else this.onFrame(f, at);
    });
  }
  static async open(port: number, component: string): Promise<Conn> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`, 'switchboard.v1', { perMessageDeflate: COMPRESSION, skipUTF8Validation: true });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const c = new Conn(ws);
    await c.call({ op: 'hello', component });
    return c;
  }
  call(frame: Record<string, unknown>): Promise<Frame> {
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (f) => (f.op === 'err' ? reject(new Error(`refused: ${JSON.stringify(f)}`)) : resolve(f)));
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }
  /** Sends without waiting for the answer (its `ok` is dropped; an `err` fails the run). */
  send(frame: Record<string, unknown>): void {
    const id = ++this.id;
    this.waiting.set(id, (f) => {
      if (f.op === 'err') throw new Error(`refused: ${JSON.stringify(f)}`);
    });
    this.ws.send(JSON.stringify({ ...frame, id }));
  }
  /** Bytes this connection's socket has read (frames as sent, compressed or not). */
  get bytesRead(): number {
    return (this.ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
  }
  close(): void {
    this.ws.close();
  }
}

async function startHub(dir: string): Promise<ServerHandle> {
  const args = ['--contracts', CONTRACTS];
  if (COMPRESSION) {
    writeFileSync(join(dir, 'switchboard.yaml'), 'compression: true\n');
    args.push('--config', join(dir, 'switchboard.yaml'));
  }
  return spawnHub(join(dir, 'data'), args, CLI);
}

async function openMany(port: number, n: number, component: (i: number) => string): Promise<Conn[]> {
  const out: Conn[] = [];
  for (let i = 0; i < n; i += 50) out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => Conn.open(port, component(i + k))))));
  return out;
}

const ms = (us: number) => (us / 1000).toFixed(2);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function row(name: string, h: hdr.Histogram): string {
  return `| ${name} | ${h.totalCount.toLocaleString('en-US')} | ${ms(h.getValueAtPercentile(50))} ms | ${ms(h.getValueAtPercentile(99))} ms | ${ms(h.maxValue)} ms |`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-live-'));
  const hub = await startHub(dir);
  const out: string[] = [];
  try {
    const presenter = await Conn.open(hub.port, 'live-presenter');
    await presenter.call({ op: 'doc.update', doc: STAGE, ops: [{ op: 'add', path: '', value: { slide: 0, sharing: false } }] });
    await presenter.call({ op: 'doc.update', doc: QA, ops: [{ op: 'add', path: '', value: { questions: {} } }] });
    const attendees = await openMany(hub.port, ATTENDEES, (i) => `attendee-${i}`);
    for (const a of attendees) {
      await a.call({ op: 'doc.sub', doc: STAGE, batch: BATCH });
      await a.call({ op: 'doc.sub', doc: QA, batch: BATCH });
    }

    // --- slide changes: presenter → every attendee ---
    const slideEach = newHistogram(); // every (change, attendee)
    const slideLast = newHistogram(); // per change: until the last attendee had it
    let slideSentAt = 0;
    let slideVersion = 0;
    let slideGot = 0;
    let slideLastAt = 0;
    // --- votes: each vote → every attendee ---
    const voteEach = newHistogram();
    const burstAll = newHistogram(); // per burst: first vote sent → last attendee has every vote
    const voteSentAt = new Map<string, number>();
    let measuring = false;
    let votesSeen = 0;
    let burstLastAt = 0;
    for (const a of attendees) {
      const onPatch = (f: Frame, at: number) => {
        if (f.doc === STAGE && f.version === slideVersion) {
          if (measuring) slideEach.recordValue(Math.max(1, at - slideSentAt));
          slideGot++;
          slideLastAt = at;
        } else if (f.doc === QA && typeof f.ref === 'string') {
          const t = voteSentAt.get(f.ref);
          if (t !== undefined) {
            if (measuring) voteEach.recordValue(Math.max(1, at - t));
            votesSeen++;
            burstLastAt = at;
          }
        }
      };
      // The generator holds all 250 attendees: parsing each run of 250 patches 250 times would time the generator,
      // not the hub, so a `doc.patches` frame is scanned for its refs only (a browser parses its one copy).
      a.onRefs = (doc, refs, at) => {
        if (doc === QA) for (const ref of refs) onPatch({ op: 'doc.patch', doc, ref }, at);
      };
      a.onFrame = (f, at) => {
        if (f.op === 'doc.patch') onPatch(f, at);
        else if (f.op === 'doc.patches') for (const p of f.patches as Frame[]) onPatch({ ...p, doc: f.doc }, at);
      };
    }

    const cpu0 = procCpuMs(hub.pid);
    const t0 = nowUs();
    for (let s = 1; s <= WARM_UP + SLIDES; s++) {
      measuring = s > WARM_UP;
      slideGot = 0;
      slideVersion = 1 + s; // version 1 was the creation; each change is the next one
      const sent = nowUs();
      slideSentAt = sent;
      await presenter.call({ op: 'doc.update', doc: STAGE, ops: [{ op: 'replace', path: '/slide', value: s % 6 }] });
      while (slideGot < ATTENDEES) await new Promise((r) => setImmediate(r));
      if (measuring) slideLast.recordValue(Math.max(1, slideLastAt - sent));
      await sleep(25);
    }
    const slideCpu = (procCpuMs(hub.pid) - cpu0) / ((nowUs() - t0) / 1000);

    let burstCpuMs = 0;
    let burstBytes = 0;
    let burstElu = 0;
    for (let b = -1; b < BURSTS; b++) {
      measuring = b >= 0; // burst -1 warms the hub up
      const q = `q${b + 1}`;
      await presenter.call({
        op: 'doc.update',
        doc: QA,
        ops: [
          {
            op: 'add',
            path: `/questions/${q}`,
            value: { text: `question ${b}`, author: 'bench', author_id: 'bench', votes: 0, voters: {}, pinned: false, answered: false, archived: false, ts: 0 },
          },
        ],
      });
      await sleep(50);
      votesSeen = 0;
      const cpuBefore = procCpuMs(hub.pid);
      const bytesBefore = attendees.reduce((n, a) => n + a.bytesRead, 0);
      const eluBefore = performance.eventLoopUtilization();
      const start = nowUs();
      // Every attendee votes in the same turn: the burst of the room.
      attendees.forEach((a, i) => {
        const ref = `b${b}v${i}`;
        voteSentAt.set(ref, nowUs());
        a.send({
          op: 'doc.update',
          doc: QA,
          ref,
          ops: [
            { op: 'inc', path: `/questions/${q}/votes`, value: 1 },
            { op: 'inc', path: `/questions/${q}/voters/a${i}`, value: 1 },
          ],
        });
      });
      const deadline = Date.now() + 30_000;
      while (votesSeen < ATTENDEES * ATTENDEES && Date.now() < deadline) await sleep(1);
      if (votesSeen < ATTENDEES * ATTENDEES) throw new Error(`burst ${b}: ${votesSeen} of ${ATTENDEES * ATTENDEES} vote patches arrived in 30 s`);
      if (measuring) {
        burstAll.recordValue(Math.max(1, burstLastAt - start));
        burstCpuMs += procCpuMs(hub.pid) - cpuBefore;
        burstBytes += attendees.reduce((n, a) => n + a.bytesRead, 0) - bytesBefore;
        burstElu += performance.eventLoopUtilization(eluBefore).utilization / BURSTS;
      }
      const stored = (await (await fetch(`http://127.0.0.1:${hub.port}/v1/docs/${QA}`)).json()) as { value: { questions: Record<string, { votes: number }> } };
      if (stored.value.questions[q]!.votes !== ATTENDEES)
        throw new Error(`burst ${b}: the hub holds ${stored.value.questions[q]!.votes} votes, not ${ATTENDEES}`);
      await sleep(200);
    }
    for (const a of attendees) a.close();
    presenter.close();

    // --- signalling: PAIRS callers each send an offer to their callee's inbox; the callee answers to the caller's ---
    const callers = await openMany(hub.port, PAIRS, (i) => `caller-${i}`);
    const callees = await openMany(hub.port, PAIRS, (i) => `callee-${i}`);
    const sdp = 'v=0\r\n' + 'a=candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\r\n'.repeat(60); // about an offer's size
    const rtt = newHistogram();
    const pending = new Map<string, { at: number; done: () => void }>();
    let r0 = -1;
    await Promise.all(
      callees.map(async (c, i) => {
        await c.call({ op: 'sub', ch: `live.${SESSION}.rtc.e${i}`, from: 'latest' });
        c.onFrame = (f) => {
          if (f.op !== 'msg') return;
          const m = f.msg as { type: string; data: { call: string; attempt: number } };
          if (m.type === 'offer')
            c.send({ op: 'pub', ch: `live.${SESSION}.rtc.c${i}`, type: 'answer', data: { from: `e${i}`, call: m.data.call, attempt: m.data.attempt, sdp } });
        };
      }),
    );
    await Promise.all(
      callers.map(async (c, i) => {
        await c.call({ op: 'sub', ch: `live.${SESSION}.rtc.c${i}`, from: 'latest' });
        c.onFrame = (f, at) => {
          if (f.op !== 'msg') return;
          const m = f.msg as { type: string; data: { call: string } };
          const p = pending.get(m.data.call);
          if (m.type === 'answer' && p) {
            if (r0 >= 0) rtt.recordValue(Math.max(1, at - p.at));
            pending.delete(m.data.call);
            p.done();
          }
        };
      }),
    );
    for (let r = -1; r < ROUNDS; r++) {
      r0 = r; // round -1 warms up
      await Promise.all(
        callers.map(
          (c, i) =>
            new Promise<void>((done) => {
              const call = `r${r}p${i}`;
              pending.set(call, { at: nowUs(), done });
              c.send({ op: 'pub', ch: `live.${SESSION}.rtc.e${i}`, type: 'offer', data: { from: `c${i}`, call, attempt: 1, sdp } });
            }),
        ),
      );
    }
    for (const c of [...callers, ...callees]) c.close();

    const m = machine();
    out.push(`## Live session (commit ${m.commit})`, '');
    out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; Node ${m.node}; kernel ${m.kernel}; load average ${loadavg()[0]!.toFixed(1)} at the end.`);
    out.push(
      `One hub (\`switchboard start --dev\`, SQLite, the example's contracts: every document update validated), ${ATTENDEES} attendees each subscribed to the stage and Q&A documents, the presenter, then ${PAIRS} signalling pairs${COMPRESSION ? '; compression on (`compression: true`, every attendee negotiates permessage-deflate)' : ''}.`,
      '',
    );
    out.push('| figure | samples | p50 | p99 | max |', '| --- | --- | --- | --- | --- |');
    out.push(row(`slide change → each attendee (${SLIDES} changes × ${ATTENDEES})`, slideEach));
    out.push(row('slide change → the last of the attendees', slideLast));
    out.push(row(`vote → each attendee (${BURSTS} bursts of ${ATTENDEES} votes at once × ${ATTENDEES})`, voteEach));
    out.push(row(`burst: first vote sent → every attendee has all ${ATTENDEES}`, burstAll));
    out.push(row(`signalling: offer → answer relayed back (${PAIRS} pairs at once × ${ROUNDS} rounds)`, rtt));
    out.push('');
    out.push(
      `Hub CPU during the slide changes: ${Math.round(slideCpu * 100)} % of one core; per vote burst: ${Math.round(burstCpuMs / BURSTS)} ms of CPU and ${(burstBytes / BURSTS / 1e6).toFixed(2)} MB to the attendees (the load generator's event loop ${Math.round(burstElu * 100)} % busy meanwhile). Every burst ended with exactly ${ATTENDEES} votes stored.`,
    );
    const judge = (h: hdr.Histogram) =>
      h.getValueAtPercentile(99) / 1000 <= AIM_MS ? 'within the aim' : h.getValueAtPercentile(99) / 1000 <= BOUND_MS ? 'within the bound' : 'OVER the bound';
    out.push(`Plan: propagation p99 ≤ ${BOUND_MS} ms (aim < ${AIM_MS} ms): slide changes ${judge(slideEach)}, votes ${judge(voteEach)}.`);
  } finally {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(out.join('\n') + '\n');
}

await main();
