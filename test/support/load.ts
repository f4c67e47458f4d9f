// Load and measurement helpers for the reliability suite (test/reliability/): the short/soak switch, the counts
// line every test ends with, paced publishers with a window of in-flight publishes, subscriber bookkeeping
// (gaps, duplicates, latency), and readings of a hub process (/proc, /metrics, heap after GC via the inspector).
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { HubProcess } from './hub-process.js';
import type { FrameId } from '@switchboard/protocol';
import { RawClient, type WireFrame } from './raw-client.js';
import { sleep, withTimeout } from './util.js';

/** True when the long form runs (`npm run soak` sets `SWITCHBOARD_SOAK=1`). */
export function soak(): boolean {
  return process.env.SWITCHBOARD_SOAK === '1';
}

/** `short` in the CI form, `long` in the soak form. */
export function bySoak<T>(short: T, long: T): T {
  return soak() ? long : short;
}

/** What every reliability test reports last; more keys may follow. */
export interface Counts {
  published: number;
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  [more: string]: number | string;
}

/** Prints the one counts line a reliability test ends with: `counts <test> [form]: published=… acknowledged=… …`. */
export function printCounts(test: string, counts: Counts): void {
  const fmt = (v: number | string) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v));
  console.log(
    `counts ${test} [${soak() ? 'soak' : 'short'}]: ` +
      Object.entries(counts)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(' '),
  );
}

/** The `p` quantile (0..1) of `values` (nearest rank); 0 when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Resident set size (VmRSS) and its peak (VmHWM) of process `pid`, in bytes, from /proc/<pid>/status. */
export function processMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Number of open file descriptors of process `pid` (entries of /proc/<pid>/fd). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The hub's `/metrics`, as series (`name` or `name{labels}`) → value. */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/**
 * A DevTools-protocol session with a hub process started with `nodeArgs: ['--inspect=127.0.0.1:0']`: forces a
 * full garbage collection and reads the V8 heap, without any debug hook in the hub itself.
 */
/** A message of the DevTools protocol as {@link HubInspector} reads it: the answer to call `id`, with its `result` or an `error`. */
interface InspectorReply {
  id: number;
  result: Record<string, unknown>;
  error?: unknown;
}

export class HubInspector {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: InspectorReply) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as InspectorReply;
      const w = this.waiting.get(m.id);
      if (w) {
        this.waiting.delete(m.id);
        w(m);
      }
    });
  }

  /** Connects to the inspector the hub announced on its output ("Debugger listening on ws://…"). */
  static async attach(hub: HubProcess): Promise<HubInspector> {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(hub.output())?.[1];
    if (!url) throw new Error(`the hub was not started with --inspect; output:\n${hub.output()}`);
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new HubInspector(ws);
  }

  private async call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const reply = new Promise<InspectorReply>((resolve) => this.waiting.set(id, resolve));
    this.ws.send(JSON.stringify({ id, method, params }));
    const m = await withTimeout(reply, 30_000, () => `inspector: no answer to ${method}`);
    if (m.error) throw new Error(`inspector ${method}: ${JSON.stringify(m.error)}`);
    return m.result;
  }

  /** Bytes of V8 heap in use after two full garbage collections. */
  async heapAfterGc(): Promise<number> {
    await this.call('HeapProfiler.collectGarbage');
    await sleep(50);
    await this.call('HeapProfiler.collectGarbage');
    return (await this.call('Runtime.getHeapUsage')).usedSize as number;
  }

  close(): void {
    this.ws.close();
  }
}

/** A monotonic timestamp in ms (shared by publishers and subscribers of one test process). */
export const now = (): number => performance.now();

/** Options of a {@link PacedPublisher}. */
export interface PacedPublisherOptions {
  ch: string;
  component: string;
  /** Target publishes per second. */
  rate: number;
  /** At most this many publishes wait for their `ok` at once. */
  window: number;
  /** `msg_id` of message `i` (its position in this publisher's stream). */
  msgId: (i: number) => string;
  /** Bytes of padding in each message's data (default 0). */
  pad?: number;
  /** Message type (default `load`). */
  type?: string;
}

/**
 * One publisher streaming `pub` frames with `msg_id`s at a paced rate, keeping at most `window` unanswered.
 * Message `i` carries `data: {p, i, t}` (`t` = {@link now} at send, for latency). When the socket drops (e.g.
 * the hub is killed) it stops; {@link PacedPublisher.connect} to a hub again re-sends the unanswered
 * messages first, with the same `msg_id`, then continues.
 */
export class PacedPublisher {
  /** msg_id → seq of every acknowledged message (the first acknowledgement). */
  readonly acked = new Map<string, number>();
  /** Messages sent (re-sends included). */
  sends = 0;
  /** Acknowledgements that said `duplicate: true` (re-sends of messages the hub had stored). */
  duplicateAnswers = 0;
  /** `err` answers, each as received. */
  readonly errors: WireFrame[] = [];
  /** Time from sending each acknowledged publish to its `ok`, in ms. */
  readonly ackLatencies: number[] = [];
  /** Indexes sent and not answered when the connection dropped, to re-send first. */
  private resend: number[] = [];
  private next = 0;
  private client: RawClient | undefined;
  /** frame id → message index, of publishes awaiting their answer on the current connection. */
  private readonly outstanding = new Map<FrameId, number>();
  /** frame id → when it was sent. */
  private readonly sentAt = new Map<FrameId, number>();
  private frameId = 1;
  private timer: NodeJS.Timeout | undefined;
  private paceStart = 0;
  private paceBase = 0;
  private stopping = false;
  private idle: (() => void) | undefined;
  private readonly padding: string;

  constructor(private readonly opts: PacedPublisherOptions) {
    this.padding = 'x'.repeat(opts.pad ?? 0);
  }

  /** Distinct messages sent so far. */
  get published(): number {
    return this.next;
  }

  /** Publishes sent on the current connection and not answered yet. */
  get inflight(): number {
    return this.outstanding.size;
  }

  /** Connects (or reconnects) to `wsUrl` and starts streaming. */
  async connect(wsUrl: string): Promise<void> {
    for (const i of [...this.outstanding.values()].sort((a, b) => a - b)) this.resend.push(i);
    this.outstanding.clear();
    this.sentAt.clear();
    this.resend.sort((a, b) => a - b);
    const { client, welcome } = await RawClient.connect(wsUrl, this.opts.component);
    if (welcome.op !== 'welcome') throw new Error(`publisher hello refused: ${JSON.stringify(welcome)}`);
    this.client = client;
    this.stopping = false;
    client.tap(
      (f) => f.re !== undefined && this.outstanding.has(f.re),
      (f) => this.onAnswer(f),
    );
    client.ws.on('close', () => this.onClose(client));
    this.paceStart = now();
    this.paceBase = this.sends;
    this.timer = setInterval(() => this.pump(), 5);
    this.pump();
  }

  /** Stops sending new messages and resolves once every outstanding publish is answered (or the socket closed). */
  async finish(timeoutMs = 60_000): Promise<void> {
    this.stopping = true;
    if (this.client && this.client.ws.readyState === WebSocket.OPEN && (this.outstanding.size > 0 || this.resend.length > 0)) {
      const done = new Promise<void>((resolve) => {
        this.idle = resolve;
      });
      this.pump();
      await withTimeout(done, timeoutMs, () => `publisher ${this.opts.component}: ${this.outstanding.size} publishes unanswered`);
    }
    clearInterval(this.timer);
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.client?.close();
  }

  private pump(): void {
    const c = this.client;
    if (!c || c.ws.readyState !== WebSocket.OPEN) return;
    const allowed = this.stopping ? Infinity : this.paceBase + Math.floor(((now() - this.paceStart) * this.opts.rate) / 1000);
    while (this.outstanding.size < this.opts.window && (this.resend.length > 0 || (!this.stopping && this.sends < allowed))) {
      const i = this.resend.length > 0 ? this.resend.shift()! : this.next++;
      const id = this.frameId++;
      this.outstanding.set(id, i);
      this.sentAt.set(id, now());
      this.sends++;
      c.send(
        `{"op":"pub","id":${id},"ch":"${this.opts.ch}","type":"${this.opts.type ?? 'load'}","msg_id":"${this.opts.msgId(i)}","data":{"p":"${this.opts.component}","i":${i},"t":${now()}${this.padding ? `,"pad":"${this.padding}"` : ''}}}`,
      );
    }
    if (this.stopping && this.outstanding.size === 0 && this.resend.length === 0) this.idle?.();
  }

  /** `f` answers an outstanding publish (the tap passes no other frame). */
  private onAnswer(f: WireFrame): void {
    const re = f.re!;
    const i = this.outstanding.get(re)!;
    this.outstanding.delete(re);
    const sentAt = this.sentAt.get(re)!;
    this.sentAt.delete(re);
    if (f.op === 'ok') {
      this.ackLatencies.push(now() - sentAt);
      const id = this.opts.msgId(i);
      if (f.duplicate === true) this.duplicateAnswers++;
      if (!this.acked.has(id)) this.acked.set(id, f.seq);
    } else {
      this.errors.push(f);
      this.resend.push(i);
    }
    this.pump();
  }

  private onClose(client: RawClient): void {
    if (client !== this.client) return;
    clearInterval(this.timer);
    this.idle?.();
  }
}

/**
 * Bookkeeping of one subscriber of one channel: what arrived, gaps (a seq skipped), duplicates (a seq seen
 * again) and the publish→delivery latency of messages that carry `data.t`.
 */
export class Receiver {
  delivered = 0;
  duplicates = 0;
  /** Last seq in order (the resume position). */
  last: number;
  /** Skipped seq ranges, `[first missing, last missing]`. */
  readonly gaps: [number, number][] = [];
  readonly latencies: number[] = [];
  /** Seq the latencies start at: earlier messages are catch-up, not live. */
  liveFrom = 0;

  constructor(from = 0) {
    this.last = from;
  }

  /** Counts one delivered envelope. */
  onMessage(env: { seq: number; data?: unknown }): void {
    this.delivered++;
    const seq = env.seq;
    if (seq <= this.last) {
      this.duplicates++;
      return;
    }
    if (seq !== this.last + 1) this.gaps.push([this.last + 1, seq - 1]);
    this.last = seq;
    const t = (env.data as { t?: unknown } | null | undefined)?.t;
    if (seq > this.liveFrom && typeof t === 'number') this.latencies.push(now() - t);
  }

  /** Missing messages, summed over the gaps. */
  get missing(): number {
    return this.gaps.reduce((n, [a, b]) => n + b - a + 1, 0);
  }
}
