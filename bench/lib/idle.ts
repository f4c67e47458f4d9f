/** The idle-connections scenario: hold N connections that only established their session, and weigh the server. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Session, Target } from '../targets/types.js';
import type { RunResult, Scenario } from './run-types.js';
import { procCpuMs, procMemKb } from './proc.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Connections being opened at once: enough to go fast, few enough not to look like a connect storm. */
const CONCURRENCY = 100;
/** Descriptors kept free in this process for everything else (servers' pipes, stores, …). */
const FD_RESERVE = 200;

/** The soft limit on open files of this process (`ulimit -n`), or Infinity when unknown. */
export function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * How many of `wanted` connections this process can hold (each is one descriptor here and one in the server,
 * which inherits the same limit), and, when fewer, why.
 */
export function idleCapacity(wanted: number): { connections: number; note?: string } {
  const limit = openFileLimit();
  if (wanted + FD_RESERVE <= limit) return { connections: wanted };
  const connections = Math.max(0, limit - FD_RESERVE);
  return {
    connections,
    note: `ulimit -n is ${limit}: held ${connections} connections instead of ${wanted}; raise it (\`ulimit -n ${wanted + 1000}\`) before the run`,
  };
}

/** Opens the connections, settles, weighs the server (RSS delta per connection), drops them. */
export async function runIdle(sc: Scenario, target: Target, session: Session, repeat: number, connections: number): Promise<RunResult> {
  const pid = session.server.pid;
  const { connections: wanted, note } = idleCapacity(connections);
  await sleep(300);
  const before = procMemKb(pid);
  const cpu0 = procCpuMs(pid);
  const drops: (() => void)[] = [];
  const errors: string[] = [];
  const t0 = performance.now();
  let next = 0;
  let lastReport = t0;
  const worker = async () => {
    while (next < wanted) {
      next++;
      try {
        drops.push(await session.idle());
      } catch (e) {
        if (errors.length < 5) errors.push(String((e as Error).message ?? e));
      }
      const now = performance.now();
      if (now - lastReport > 2000) {
        lastReport = now;
        process.stdout.write(`  … ${drops.length}/${wanted} ${target.id} connections\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const connectMs = performance.now() - t0;
  await sleep(500);
  const after = procMemKb(pid);
  const cpuMs = procCpuMs(pid) - cpu0;
  for (const d of drops) {
    try {
      d();
    } catch {
      /* already gone */
    }
  }
  const held = drops.length;
  const kbPer = held > 0 ? (after.rss - before.rss) / held : NaN;
  const notes: string[] = [];
  if (note) notes.push(note);
  if (held < wanted) notes.push(`${wanted - held} of ${wanted} connections failed`);
  return {
    scenario: sc.id,
    target: target.id,
    label: target.label,
    repeat,
    durationMs: Math.round(connectMs),
    subscribers: 0,
    msgPerSec: Math.round((held / connectMs) * 1000),
    sentPerSec: 0,
    latencyUs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 },
    sent: 0,
    expected: wanted,
    received: held,
    lost: wanted - held,
    duplicates: 0,
    outOfOrder: 0,
    server: {
      pid,
      cpuPct: Math.round((cpuMs / connectMs) * 1000) / 10,
      peakRssMb: Math.round(after.hwm / 102.4) / 10,
      rssMb: Math.round(after.rss / 102.4) / 10,
    },
    generator: { cpuPct: 0, elu: 0 },
    notes,
    errors: [...errors, ...session.errors()],
    serverCounters: {},
    idle: {
      connections: held,
      rssBeforeMb: Math.round(before.rss / 102.4) / 10,
      rssAfterMb: Math.round(after.rss / 102.4) / 10,
      kbPerConnection: Math.round(kbPer * 10) / 10,
      connectSeconds: Math.round(connectMs / 100) / 10,
    },
  };
}
