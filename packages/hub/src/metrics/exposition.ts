import type { Registry } from 'prom-client';

/**
 * A metric of the hub's own (not a prom-client class) that writes its Prometheus text itself: its series keep their
 * label text, escaped once when the series is made, so a scrape of thousands of series is string concatenation
 * instead of prom-client's per-line label formatting. Registered on a prom-client `Registry` like any metric.
 */
export interface OwnMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** The label names of its series (a histogram's `le` not included). */
  readonly labelNames: readonly string[];
  /** The metric in the Prometheus text format (`# HELP`, `# TYPE`, one line per sample), without a final newline. */
  exposition(): string | Promise<string>;
}

/** What every labelled metric of the hub's own is made with. */
export interface LabelledMetricOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** The registry it is registered on. */
  registry: Registry;
}

/** True for a metric of the hub's own. */
export function isOwnMetric(m: unknown): m is OwnMetric {
  return typeof (m as Partial<OwnMetric> | undefined)?.exposition === 'function';
}

/** A label value as the text format writes it inside quotes (prom-client's escaping). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a="x",b="y"` for the names and values, escaped. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  return names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`).join(',');
}

/** A sample value as prom-client writes it. */
export function sampleValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/** The `# HELP` and `# TYPE` lines of a metric (prom-client's escaping of the help text). */
export function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}`;
}

/** How long one scrape may hold the event loop before it lets other work run (ms). */
const SLICE_MS = 4;

/**
 * The whole registry in the Prometheus text format, as `registry.metrics()` writes it, but the hub's own metrics
 * write their text themselves and the scrape yields to the event loop between metrics once it has run for a few ms,
 * so that a large scrape never holds up deliveries for long.
 */
export async function renderRegistry(registry: Registry): Promise<string> {
  const parts: string[] = [];
  let slice = performance.now();
  for (const metric of registry.getMetricsAsArray() as unknown[]) {
    parts.push(isOwnMetric(metric) ? await metric.exposition() : await registry.getSingleMetricAsString((metric as { name: string }).name));
    if (performance.now() - slice > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  return `${parts.join('\n\n')}\n`;
}
