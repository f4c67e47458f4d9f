import { spawn, type ChildProcess } from 'node:child_process';
import type { ProcessComponent } from './flow-types.js';

/** A component program started by the runner. */
export interface RunningProcess {
  readonly name: string;
  /** Exit code (or signal name) once it ended by itself; undefined while it runs or when the runner stopped it. */
  exitedEarly(): string | undefined;
  /** The last lines it printed (stdout and stderr). */
  tail(): string[];
  /** Resolves with its exit code (or signal name) once it ended, whoever ended it. */
  exit(): Promise<string>;
  /** The last stdout line that was a JSON object (its summary), parsed; undefined when there was none. */
  lastJson(): Record<string, unknown> | undefined;
  /** SIGTERM to its process group, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to its process group at once (when the runner itself is interrupted). */
  kill(): void;
}

const TAIL_LINES = 20;

/**
 * Starts a component program with the shell, in its own process group, with `SWITCHBOARD_URL` (WebSocket),
 * `SWITCHBOARD_HTTP` (HTTP base) and `SWITCHBOARD_COMPONENT` in its environment; resolves once it is ready
 * (its `ready_line` on stdout, or after `ready_delay_ms`). Rejects, after stopping it, when it exits or
 * stays silent first.
 */
export async function startProcess(spec: ProcessComponent, hub: { ws: string; http: string }): Promise<RunningProcess> {
  const child: ChildProcess = spawn(spec.run, {
    shell: true,
    cwd: spec.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env, SWITCHBOARD_URL: hub.ws, SWITCHBOARD_HTTP: hub.http, SWITCHBOARD_COMPONENT: spec.name },
  });
  const lines: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  let stopping = false;
  let early: string | undefined;
  let exitText = 'unknown';
  let lastJson: Record<string, unknown> | undefined;
  const exited = new Promise<void>((resolve) => {
    // 'close', not 'exit': the last stdout lines (the summary) are read by then.
    child.once('close', (code, signal) => {
      exitText = signal ?? String(code);
      if (!stopping) early = exitText;
      resolve();
    });
    child.once('error', (err) => {
      exitText = `could not start (${err.message})`;
      if (!stopping) early = exitText;
      lines.push(err.message);
      resolve();
    });
  });
  const reader = (stream: NodeJS.ReadableStream | null, isStdout: boolean) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > TAIL_LINES) lines.shift();
        if (isStdout && line.startsWith('{')) {
          try {
            const v = JSON.parse(line) as unknown;
            if (typeof v === 'object' && v !== null && !Array.isArray(v)) lastJson = v as Record<string, unknown>;
          } catch {
            /* not JSON */
          }
        }
        if (isStdout) for (const fn of lineListeners) fn(line);
      }
    });
  };
  reader(child.stdout, true);
  reader(child.stderr, false);

  const signal = (s: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, s);
    } catch {
      /* already gone */
    }
  };
  const running: RunningProcess = {
    name: spec.name,
    kill: () => signal('SIGKILL'),
    exitedEarly: () => early,
    tail: () => [...lines],
    exit: () => exited.then(() => exitText),
    lastJson: () => lastJson,
    async stop(graceMs = 3_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The shell may be gone while the program it started still runs in the group.
      signal('SIGKILL');
    },
  };

  const ready = new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${spec.name}: ${why}${lines.length ? `; last output:\n    ${lines.slice(-5).join('\n    ')}` : ''}`));
    const timer = setTimeout(
      () => {
        if (spec.readyLine) fail(`no stdout line matched ready_line /${spec.readyLine.source}/ within ${spec.readyTimeoutMs} ms`);
        else resolve();
      },
      spec.readyLine ? spec.readyTimeoutMs : spec.readyDelayMs,
    );
    if (spec.readyLine) {
      const re = spec.readyLine;
      lineListeners.add((line) => {
        if (re.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then(() => {
      if (early === undefined || (early === '0' && !spec.readyLine)) return;
      clearTimeout(timer);
      fail(`"${spec.run}" exited (${early}) before it was ready`);
    });
  });
  try {
    await ready;
  } catch (err) {
    await running.stop(500);
    throw err;
  }
  return running;
}
