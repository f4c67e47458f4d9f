/** Payloads, the latency histogram and per-run counters shared by every peer. */
import * as hdr from 'hdr-histogram-js';
import { performance } from 'node:perf_hooks';

export const PAYLOAD_BYTES = 64;

/** Microseconds on the load generator's single monotonic clock. */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

/**
 * A 64-byte JSON payload `{"n":…,"t":…,"p":"xx…"}`: `n` is the publisher's sequence number (loss and order
 * checks), `t` the send time in µs on the generator's clock, `p` padding up to exactly 64 bytes.
 */
export function makePayload(n: number, t: number): string {
  const head = `{"n":${n},"t":${t},"p":"`;
  const pad = PAYLOAD_BYTES - head.length - 2;
  return head + (pad > 0 ? 'x'.repeat(pad) : '') + '"}';
}

export interface Sample {
  n: number;
  t: number;
}

export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

/** Counts deliveries for a run: latency while measuring, loss / duplicates / out-of-order over the whole run. */
export class Collector {
  readonly hist = newHistogram();
  measuring = false;
  /** deliveries (or acks) that arrived while measuring */
  windowCount = 0;
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  private readonly last: Int32Array;
  private readonly seen: Uint8Array[];

  constructor(
    readonly subscribers: number,
    maxMessages = 4_000_000,
  ) {
    this.last = new Int32Array(subscribers).fill(-1);
    // one bit-ish byte per (subscriber, n) is too much for fan-out; keep exact duplicate tracking for ≤ 10 subs
    this.seen = subscribers <= 10 ? Array.from({ length: subscribers }, () => new Uint8Array(maxMessages)) : [];
  }

  /** A delivery of message `n`, sent at `t` µs, to subscriber `sub`. */
  deliver(sub: number, n: number, t: number): void {
    this.received++;
    const seen = this.seen[sub];
    if (seen !== undefined && n < seen.length) {
      if (seen[n] === 1) {
        this.duplicates++;
        return;
      }
      seen[n] = 1;
    } else if (seen === undefined && n === this.last[sub]) {
      this.duplicates++;
      return;
    }
    if (n < this.last[sub]!) this.outOfOrder++;
    else this.last[sub] = n;
    if (this.measuring) {
      this.windowCount++;
      const lat = nowUs() - t;
      this.hist.recordValue(lat > 0 ? lat : 1);
    }
  }

  /** An acknowledgement of a publish sent at `t` µs (acked-publish scenarios). */
  ack(t: number): void {
    this.received++;
    if (this.measuring) {
      this.windowCount++;
      const lat = nowUs() - t;
      this.hist.recordValue(lat > 0 ? lat : 1);
    }
  }
}

/** Parses `n` and `t` from a payload object or string without trusting its shape. */
export function sampleOf(v: unknown): Sample | undefined {
  if (typeof v === 'string') v = JSON.parse(v);
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as { n?: unknown; t?: unknown };
  return typeof o.n === 'number' && typeof o.t === 'number' ? { n: o.n, t: o.t } : undefined;
}
