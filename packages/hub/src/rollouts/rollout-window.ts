/** One ended canary or stable delivery. */
interface Sample {
  at: number;
  error: boolean;
  latencyMs: number;
}

/** What a window holds, in a form nodes can add up: counts, and latencies (a bounded sample of them). */
export interface WindowSummary {
  delivered: number;
  errors: number;
  /** Latencies in ms, at most {@link MAX_LATENCIES} of them (evenly thinned). */
  latencies: number[];
}

/** The figures of one side of a rollout, as the status shows them. */
export interface SideFigures {
  delivered: number;
  errors: number;
  error_rate: number;
  latency_p95_ms: number | null;
}

const MAX_SAMPLES = 50_000;
const MAX_LATENCIES = 2_000;

/** The ended deliveries of one side over a sliding window of time (bounded: the oldest go first). */
export class SlidingWindow {
  private samples: Sample[] = [];
  private start = 0;

  constructor(private readonly windowMs: number) {}

  add(at: number, error: boolean, latencyMs: number): void {
    this.samples.push({ at, error, latencyMs });
    if (this.samples.length - this.start > MAX_SAMPLES) this.start++;
  }

  /** The samples within the window ending at `now`. */
  summary(now: number): WindowSummary {
    const from = now - this.windowMs;
    while (this.start < this.samples.length && this.samples[this.start]!.at < from) this.start++;
    if (this.start > 1024 && this.start * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.start);
      this.start = 0;
    }
    const live = this.samples.slice(this.start);
    let errors = 0;
    for (const s of live) if (s.error) errors++;
    return { delivered: live.length, errors, latencies: thin(live.map((s) => s.latencyMs)) };
  }
}

/** Adds up the summaries of several nodes. */
export function mergeSummaries(parts: readonly WindowSummary[]): WindowSummary {
  let delivered = 0;
  let errors = 0;
  const latencies: number[] = [];
  for (const p of parts) {
    delivered += p.delivered;
    errors += p.errors;
    latencies.push(...p.latencies);
  }
  return { delivered, errors, latencies: thin(latencies) };
}

/** Delivered, errors, error rate and latency p95 of a summary. */
export function figures(s: WindowSummary): SideFigures {
  return {
    delivered: s.delivered,
    errors: s.errors,
    error_rate: s.delivered === 0 ? 0 : Math.round((s.errors / s.delivered) * 10_000) / 10_000,
    latency_p95_ms: p95(s.latencies),
  };
}

/** The 95th percentile (nearest rank), or null without samples. */
export function p95(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

function thin(values: number[]): number[] {
  if (values.length <= MAX_LATENCIES) return values;
  const step = values.length / MAX_LATENCIES;
  const out: number[] = [];
  for (let i = 0; i < MAX_LATENCIES; i++) out.push(values[Math.floor(i * step)]!);
  return out;
}
