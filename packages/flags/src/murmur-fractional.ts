import murmurhash from 'murmurhash';

/**
 * flagd's `fractional` operator: `{"fractional": [<bucket key>?, [variant, weight], …]}`. The bucket key (by default
 * the flag key followed by the targeting key) is hashed with MurmurHash3 x86 32-bit, seed 0, of its UTF-8 bytes; the
 * unsigned hash times the sum of the weights, shifted right by 32, picks the bucket. A bucket without a weight weighs
 * 1, a negative weight counts as 0. Answers null (the default variant) without a bucket key or with no weight at all.
 */
export function fractional(this: Record<string, unknown>, ...args: unknown[]): unknown {
  if (args.length === 0) return null;
  let key: string;
  let buckets = args;
  if (Array.isArray(args[0])) {
    const flagd = this.$flagd as { flagKey?: unknown } | undefined;
    const target = this.targetingKey;
    if (typeof target !== 'string' && typeof target !== 'number') return null;
    key = `${String(flagd?.flagKey ?? '')}${String(target)}`;
  } else {
    const k = args[0];
    if (k === null || k === undefined || typeof k === 'object') return null;
    key = String(k);
    buckets = args.slice(1);
  }
  const parsed: { variant: unknown; weight: number }[] = [];
  for (const b of buckets) {
    if (!Array.isArray(b) || b.length === 0) return null;
    const w = b.length > 1 ? Number(b[1]) : 1;
    if (!Number.isFinite(w)) return null;
    parsed.push({ variant: b[0], weight: Math.max(0, Math.trunc(w)) });
  }
  const total = parsed.reduce((n, b) => n + b.weight, 0);
  if (parsed.length === 0 || total <= 0) return null;
  const point = bucketValue(key, total);
  let edge = 0;
  for (const b of parsed) {
    edge += b.weight;
    if (point < edge) return b.variant;
  }
  return null;
}

/** `(murmur3(key) × total) >> 32`: where `key` falls on a line of `total` units (0 … total − 1). */
export function bucketValue(key: string, total: number): number {
  return Number((BigInt(murmurhash.v3(key, 0)) * BigInt(total)) >> 32n);
}
