/** The measured window of a run: latency percentiles, and the CPU of the server and of the generator over it. */
import { performance } from 'node:perf_hooks';
import { procCpuMs, procMemKb } from './proc.js';
import type { Collector } from './stats.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Percentiles of one latency histogram, µs. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export function percentiles(h: Collector['hist']): Percentiles {
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: Math.round(h.mean),
    count: h.totalCount,
  };
}

/** What was measured over the window. */
export interface Window {
  /** its length, ms */
  elapsed: number;
  /** server utime+stime over the window, % of one core */
  serverCpuPct: number;
  generator: { cpuPct: number; elu: number };
}

/** Counts with `collectors` for `durationMs` and samples the CPU of server `pid` and of this process meanwhile. */
export async function measureWindow(pid: number, durationMs: number, collectors: Collector[]): Promise<Window> {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const srv0 = procCpuMs(pid);
  const t0 = performance.now();
  for (const c of collectors) c.measuring = true;
  await sleep(durationMs);
  for (const c of collectors) c.measuring = false;
  const elapsed = performance.now() - t0;
  const srv1 = procCpuMs(pid);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  return {
    elapsed,
    serverCpuPct: Math.round(((srv1 - srv0) / elapsed) * 1000) / 10,
    generator: {
      cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 1000) / 10,
      elu: Math.round(elu.utilization * 1000) / 1000,
    },
  };
}

/** The server's figures of a run: its CPU over the window, its peak and current RSS now (MB). */
export function serverFigures(pid: number, w: Window): { pid: number; cpuPct: number; peakRssMb: number; rssMb: number } {
  const mem = procMemKb(pid);
  return { pid, cpuPct: w.serverCpuPct, peakRssMb: Math.round(mem.hwm / 102.4) / 10, rssMb: Math.round(mem.rss / 102.4) / 10 };
}

/** The delivery figures of a run: rates over the window, latency percentiles, and the counts of the collector. */
export function deliveryFigures(col: Collector, w: Window, sentWindow: number) {
  return {
    durationMs: Math.round(w.elapsed),
    msgPerSec: Math.round((col.windowCount / w.elapsed) * 1000),
    sentPerSec: Math.round((sentWindow / w.elapsed) * 1000),
    latencyUs: percentiles(col.hist),
    received: col.received,
    duplicates: col.duplicates,
    outOfOrder: col.outOfOrder,
  };
}
