/** Upper bound of the first bucket, in ms (10 µs). */
const BASE_MS = 0.01;
/** Buckets per doubling: each bucket's bound is 2^(1/4) ≈ 1.19 times the previous one (quantiles within ~19 %). */
const PER_DOUBLING = 4;
/** 96 buckets reach 10 µs · 2^24 ≈ 168 s; slower ones fall into the last. */
const BUCKETS = 96;

/**
 * Latencies of one sample in fixed logarithmic buckets: observing is O(1) and allocates nothing; a quantile is the
 * upper bound of the bucket it falls in, so it is never below the true value and at most ~19 % above it.
 */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;

  /** Adds one latency in ms. */
  observe(ms: number): void {
    const b = ms <= BASE_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / BASE_MS) * PER_DOUBLING));
    this.counts[b]!++;
    this.n++;
  }

  /** How many were observed since the last reset. */
  get count(): number {
    return this.n;
  }

  /** The `q` quantile (0–1) in ms, to 3 decimals; undefined when nothing was observed. */
  quantile(q: number): number | undefined {
    if (this.n === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.round(BASE_MS * 2 ** (b / PER_DOUBLING) * 1000) / 1000;
    }
    return undefined;
  }

  reset(): void {
    if (this.n === 0) return;
    this.counts.fill(0);
    this.n = 0;
  }
}
