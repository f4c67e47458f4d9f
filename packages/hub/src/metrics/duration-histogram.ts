import type { Registry } from 'prom-client';
import { escapeLabelValue, header, sampleValue, SERIES_PER_PIECE, type OwnMetric } from './exposition.js';

/** Label values of a {@link DurationHistogram} (one label). */
export type DurationLabels = Record<string, string>;

/** One series of a {@link DurationHistogram}: what a hot path keeps to observe without a lookup. */
export interface DurationSeries {
  /** Adds one duration (seconds); a value that is not a finite number is ignored. */
  observe(seconds: number): void;
}

/** A Prometheus histogram of durations in seconds, cheap enough to observe once per message. */
export interface DurationHistogram {
  /** Adds one duration (seconds) to the series of `labels`; a value that is not a finite number is ignored. */
  observe(labels: DurationLabels, seconds: number): void;
  /** The series of one value of the label (`''` for a histogram without a label), made on first use. */
  series(value: string): DurationSeries;
  /** Forgets every observation (the series kept by callers stay valid). */
  reset(): void;
}

export interface DurationHistogramOptions {
  name: string;
  help: string;
  /** The one label that splits the series, e.g. `transport`; none when absent. */
  labelName?: string;
  /** Upper bounds, increasing (`+Inf` is added). */
  buckets: number[];
  registry: Registry;
}

class Series implements DurationSeries {
  /** Observations per bucket, not cumulative; the last slot is above the highest bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly buckets: number[],
    /** `transport="ws"` (escaped once), or '' without a label. */
    readonly text: string,
  ) {
    this.counts = new Float64Array(buckets.length + 1);
  }

  observe(seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    const b = this.buckets;
    let i = 0;
    while (i < b.length && seconds > b[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
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

class DurationHistogramImpl implements DurationHistogram, OwnMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[];
  private readonly all = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string | undefined,
    private readonly buckets: number[],
  ) {
    this.labelNames = labelName === undefined ? [] : [labelName];
  }

  observe(labels: DurationLabels, seconds: number): void {
    this.series(this.labelName === undefined ? '' : (labels[this.labelName] ?? '')).observe(seconds);
  }

  series(value: string): DurationSeries {
    let s = this.all.get(value);
    if (!s) {
      s = new Series(this.buckets, this.labelName === undefined ? '' : `${this.labelName}="${escapeLabelValue(value)}"`);
      this.all.set(value, s);
    }
    return s;
  }

  reset(): void {
    for (const s of this.all.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  /** The series that have observations (a series made but never observed is not exposed). */
  private observed(): [string, Series][] {
    return [...this.all].filter(([, s]) => s.count > 0);
  }

  *exposition(): Generator<string> {
    yield header(this.name, this.help, this.type);
    const bucket = `${this.name}_bucket{le="`;
    let out = '';
    let n = 0;
    for (const [, s] of this.observed()) {
      const after = s.text === '' ? '"}' : `",${s.text}}`;
      const tail = s.text === '' ? '' : `{${s.text}}`;
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        out += `\n${bucket}${this.buckets[i]}${after} ${sampleValue(acc)}`;
      }
      out += `\n${bucket}+Inf${after} ${sampleValue(s.count)}`;
      out += `\n${this.name}_sum${tail} ${sampleValue(s.sum)}\n${this.name}_count${tail} ${sampleValue(s.count)}`;
      if (++n % (SERIES_PER_PIECE / 4) === 0) {
        yield out;
        out = '';
      }
    }
    if (out !== '') yield out;
  }

  /** The exposition as prom-client's registry formats it (what `Histogram.getForPromString` returns). */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: unknown[] } {
    const values: unknown[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [key, s] of this.observed()) {
      const shared = this.labelName === undefined ? {} : { [this.labelName]: key };
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
