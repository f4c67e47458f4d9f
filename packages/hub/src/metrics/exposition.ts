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
  /**
   * The metric in the Prometheus text format (`# HELP`, `# TYPE`, one line per sample, no final newline), in pieces
   * that joined make the text: a scrape may let other work run between two pieces.
   */
  exposition(): Iterable<string> | Promise<Iterable<string>>;
}

/** Series written in one piece of an {@link OwnMetric.exposition} (a few hundred µs of work at most). */
export const SERIES_PER_PIECE = 64;

/** The whole text of one of the hub's own metrics. */
export async function ownText(metric: OwnMetric): Promise<string> {
  return [...(await metric.exposition())].join('');
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
const SLICE_MS = 1;
/** Text handed to `write` at once (characters): big enough for few writes, small enough to join in a blink. */
const FLUSH_CHARS = 64 * 1024;

/**
 * Writes the whole registry in the Prometheus text format, as `registry.metrics()` would return it, to `write` in
 * pieces of about 64 KiB. The hub's own metrics write their text themselves, and the scrape lets other work run
 * (`setImmediate`) whenever it has held the event loop for a couple of milliseconds, so that a large scrape never
 * holds up deliveries for long; no single string of the whole text is built.
 */
export async function streamRegistry(registry: Registry, write: (text: string) => void): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  let slice = performance.now();
  const flush = () => {
    if (size === 0) return;
    write(pending.join(''));
    pending = [];
    size = 0;
  };
  const add = async (text: string) => {
    pending.push(text);
    size += text.length;
    if (size >= FLUSH_CHARS) flush();
    if (performance.now() - slice < SLICE_MS) return;
    flush();
    await new Promise<void>((resolve) => setImmediate(resolve));
    slice = performance.now();
  };
  let first = true;
  for (const metric of registry.getMetricsAsArray() as unknown[]) {
    if (!first) await add('\n\n');
    first = false;
    if (!isOwnMetric(metric)) await add(await registry.getSingleMetricAsString((metric as { name: string }).name));
    else for (const piece of await metric.exposition()) await add(piece);
  }
  pending.push('\n');
  size++;
  flush();
}

/** The whole registry in the Prometheus text format as one string (see {@link streamRegistry}). */
export async function renderRegistry(registry: Registry): Promise<string> {
  const parts: string[] = [];
  await streamRegistry(registry, (text) => parts.push(text));
  return parts.join('');
}
