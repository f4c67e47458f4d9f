import { header, labelText, sampleValue, SERIES_PER_PIECE, type LabelledMetricOptions, type OwnMetric } from './exposition.js';

/** One series of a {@link LabelledCounter}: what a hot path keeps to count without a lookup. */
export interface CounterSeries {
  /** Adds `n` (default 1). */
  inc(n?: number): void;
}

/** A Prometheus counter with labels whose series are cheap enough to bump once per message. */
export interface LabelledCounter {
  /** The series of these label values (in the order of `labelNames`), made on first use. */
  series(...values: string[]): CounterSeries;
  /** Sets every series back to 0 (the series kept by callers stay valid). */
  reset(): void;
}

/**
 * Creates a counter registered on `registry`. prom-client's `Counter.inc(labels)` validates and hashes the labels on
 * every call (about a microsecond); here a caller takes a {@link CounterSeries} once and `inc` adds to a number.
 * Exposed exactly as prom-client's `Counter` would be.
 */
export function createLabelledCounter(o: LabelledMetricOptions): LabelledCounter {
  const c = new LabelledCounterImpl(o.name, o.help, o.labelNames);
  o.registry.registerMetric(c as never);
  return c;
}

class Series implements CounterSeries {
  value = 0;
  constructor(
    readonly values: readonly string[],
    /** `a="x",b="y"`, escaped once. */
    readonly text: string,
  ) {}

  inc(n = 1): void {
    this.value += n;
  }
}

class LabelledCounterImpl implements LabelledCounter, OwnMetric {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly all = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  series(...values: string[]): CounterSeries {
    const key = values.join('\u0000');
    let s = this.all.get(key);
    if (!s) {
      s = new Series(values, labelText(this.labelNames, values));
      this.all.set(key, s);
    }
    return s;
  }

  reset(): void {
    for (const s of this.all.values()) s.value = 0;
  }

  *exposition(): Generator<string> {
    yield header(this.name, this.help, this.type);
    let out = '';
    let n = 0;
    for (const s of this.all.values()) {
      out += `\n${this.name}{${s.text}} ${sampleValue(s.value)}`;
      if (++n % SERIES_PER_PIECE === 0) {
        yield out;
        out = '';
      }
    }
    if (out !== '') yield out;
  }

  /** prom-client's JSON form (`registry.getMetricsAsJSON()`), also what `registry.metrics()` formats. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string>; value: number }[] }> {
    const values = [...this.all.values()].map((s) => ({ labels: Object.fromEntries(this.labelNames.map((n, i) => [n, s.values[i] ?? ''])), value: s.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
