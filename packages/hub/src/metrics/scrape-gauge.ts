import { header, labelText, sampleValue, SERIES_PER_PIECE, type LabelledMetricOptions, type OwnMetric } from './exposition.js';

/** One sample of a {@link ScrapeGauge}: label values in the order of `labelNames`, and the value. */
export interface GaugeSample {
  labels: readonly string[];
  value: number;
}

/** Where a {@link ScrapeGauge} reads its samples, at each scrape. */
export type GaugeSource = () => Iterable<GaugeSample> | Promise<Iterable<GaugeSample>>;

/** A Prometheus gauge whose samples are worked out when it is scraped (consumer lag, pending, DLQ depth). */
export interface ScrapeGauge {
  /** Sets where the samples come from (none until set: the gauge has no series). */
  readFrom(source: GaugeSource | undefined): void;
}

/**
 * Creates a gauge registered on `registry` that asks its source for every sample at scrape time, the way prom-client's
 * `collect` does, but writes the text itself (no `Gauge.set` with label hashing per series). A source that throws
 * (e.g. the store is unreachable) leaves the gauge without samples for that scrape; the scrape still answers.
 */
export function createScrapeGauge(o: LabelledMetricOptions): ScrapeGauge {
  const g = new ScrapeGaugeImpl(o.name, o.help, o.labelNames);
  o.registry.registerMetric(g as never);
  return g;
}

class ScrapeGaugeImpl implements ScrapeGauge, OwnMetric {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  private source: GaugeSource | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  readFrom(source: GaugeSource | undefined): void {
    this.source = source;
  }

  private async samples(): Promise<Iterable<GaugeSample>> {
    try {
      return (await this.source?.()) ?? [];
    } catch {
      return [];
    }
  }

  async exposition(): Promise<string[]> {
    const pieces = [header(this.name, this.help, this.type)];
    let out = '';
    let n = 0;
    for (const s of await this.samples()) {
      out += `\n${this.name}{${labelText(this.labelNames, s.labels)}} ${sampleValue(s.value)}`;
      if (++n % SERIES_PER_PIECE === 0) {
        pieces.push(out);
        out = '';
      }
    }
    if (out !== '') pieces.push(out);
    return pieces;
  }

  /** prom-client's JSON form (`registry.getMetricsAsJSON()`), also what `registry.metrics()` formats. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string>; value: number }[] }> {
    const values = [...(await this.samples())].map((s) => ({
      labels: Object.fromEntries(this.labelNames.map((n, i) => [n, s.labels[i] ?? ''])),
      value: s.value,
    }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}
