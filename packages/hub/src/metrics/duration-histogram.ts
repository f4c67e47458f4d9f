import type { Registry } from 'prom-client';

/** Label values of a {@link DurationHistogram} (one label). */
export type DurationLabels = Record<string, string>;

/** A Prometheus histogram of durations in seconds, cheap enough to observe once per message. */
export interface DurationHistogram {
  /** Adds one duration (seconds) to the series of `labels`; a value that is not a finite number is ignored. */
  observe(labels: DurationLabels, seconds: number): void;
  /** Forgets every observation. */
  reset(): void;
}

export interface DurationHistogramOptions {
  name: string;
  help: string;
  /** The one label that splits the series, e.g. `transport`. */
  labelName: string;
  /** Upper bounds, increasing (`+Inf` is added). */
  buckets: number[];
  registry: Registry;
}

interface Series {
  /** Observations per bucket, not cumulative; the last slot is above the highest bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * Creates a histogram registered on `registry`, exposed exactly as prom-client's own `Histogram` (`_bucket` with
 * `le`, `_sum`, `_count`, the label after `le`). prom-client's `observe` costs a few µs (label validation, a label
 * hash and number-keyed bucket objects); on the publish path that was several % of the hub's CPU, so this one keeps
 * a typed array per label value and only builds the exposition when scraped.
 */
export function createDurationHistogram(o: DurationHistogramOptions): DurationHistogram {
  const h = new DurationHistogramImpl(o.name, o.help, o.labelName, o.buckets);
  o.registry.registerMetric(h as never);
  return h;
}

class DurationHistogramImpl implements DurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly buckets: number[],
  ) {}

  observe(labels: DurationLabels, seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const key = labels[this.labelName] ?? '';
    let s = this.series.get(key);
    if (!s) {
      s = { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const b = this.buckets;
    let i = 0;
    while (i < b.length && seconds > b[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  reset(): void {
    this.series.clear();
  }

  /** The exposition as prom-client's registry formats it (what `Histogram.getForPromString` returns). */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: unknown[] } {
    const values: unknown[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [key, s] of this.series) {
      const shared = { [this.labelName]: key };
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { le }, sharedLabels: shared, value: acc, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: s.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: shared, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: shared, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The same, with each label in `labels` (prom-client's JSON form, `registry.getMetricsAsJSON()`). */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: unknown[] }> {
    const data = this.getForPromString();
    data.values = data.values.map((v) => {
      const { sharedLabels, labels, ...rest } = v as { sharedLabels: DurationLabels; labels: Record<string, unknown> };
      return { ...rest, labels: { ...labels, ...sharedLabels } };
    });
    return data;
  }
}
