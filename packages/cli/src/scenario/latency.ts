import hdr from 'hdr-histogram-js';
import type { LatencyMetric } from './flow-types.js';

/** Latency of a step's repetitions, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Records latency samples in an HDR histogram (microsecond resolution, 3 significant digits). */
export interface LatencyRecorder {
  record(ms: number): void;
  readonly count: number;
  /** undefined when nothing was recorded. */
  summary(): LatencySummary | undefined;
}

/** A new, empty recorder. */
export function createLatencyRecorder(): LatencyRecorder {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let count = 0;
  const ms = (us: number) => us / 1000;
  return {
    record(value) {
      h.recordValue(Math.max(1, Math.round(value * 1000)));
      count++;
    },
    get count() {
      return count;
    },
    summary() {
      if (count === 0) return undefined;
      const max = ms(h.maxValue);
      // A percentile is the top of its HDR bucket; never report it above the largest sample.
      const at = (p: number) => Math.min(ms(h.getValueAtPercentile(p)), max);
      return { count, min: ms(h.minNonZeroValue), mean: ms(h.mean), p50: at(50), p75: at(75), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max };
    },
  };
}

/** The value of a latency metric in a summary. */
export function metricValue(s: LatencySummary, metric: LatencyMetric): number {
  return s[metric];
}

/** `1.23 ms` */
export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
