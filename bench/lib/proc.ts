/** Child processes under test: spawn, wait for readiness, sample CPU and peak RSS from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ServerHandle {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (for servers that cannot take port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SpawnOptions {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  /** Resolves the port from the accumulated output; undefined while not ready. */
  ready: (out: string) => number | undefined;
  timeoutMs?: number;
}

/** Spawns a server and resolves once `ready` finds its port in stdout/stderr. */
export async function spawnServer(o: SpawnOptions): Promise<ServerHandle> {
  const child = spawn(o.cmd, o.args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${o.name} did not start within ${o.timeoutMs ?? 15000} ms:\n${out}`)), o.timeoutMs ?? 15_000);
    const onData = (b: Buffer) => {
      if (out.length < 65536) out += b.toString();
      const p = o.ready(out);
      if (p !== undefined) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${o.name} exited before ready:\n${out}`));
    });
  });
  if (child.pid === undefined) throw new Error(`${o.name}: no pid`);
  return {
    name: o.name,
    pid: child.pid,
    port,
    child,
    output: () => out,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** utime+stime of a process, in ms of CPU. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised comm; utime and stime are fields 14 and 15 (1-based)
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Peak resident set (VmHWM) and current RSS (VmRSS), in KiB. */
export function procMemKb(pid: number): { hwm: number; rss: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { hwm: get('VmHWM'), rss: get('VmRSS') };
  } catch {
    return { hwm: NaN, rss: NaN };
  }
}
