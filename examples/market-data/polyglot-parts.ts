// Helpers of the polyglot test: run a component in another language as a child process that prints a `ready`
// line and then JSON lines, and check that its runtime is installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { withTimeout } from '../../test/support/util.js';

/** A component running as a child process; stdout is read line by line. */
export interface PartProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** The stdout lines that are JSON objects, parsed. */
  json(): any[];
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the first stdout line matching `re`; rejects after `ms` or when the process exits first. */
  waitForLine(re: RegExp, ms: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name); rejects after `ms`. */
  exit(ms: number): Promise<number | string>;
  /** SIGKILL if still running, and wait for it. */
  kill(): Promise<void>;
}

/** Starts `cmd args` with `env` added to this process's environment. */
export function startPart(name: string, cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): PartProcess {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  let rest = '';
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => { stderr += `${String(err)}\n`; resolve('spawn failed'); });
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.re.test(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const tail = () => `--- ${name} stdout (last 2000 chars) ---\n${stdout.slice(-2000)}\n--- ${name} stderr ---\n${stderr.slice(-4000)}`;
  const part: PartProcess = {
    name,
    child,
    lines,
    json: () => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
    output: tail,
    waitForLine(re, ms) {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      const found = new Promise<string>((resolve) => waiters.push({ re, resolve }));
      const early = exited.then((code) => { throw new Error(`${name} exited (${code}) before printing ${re}\n${tail()}`); });
      return withTimeout(Promise.race([found, early]), ms, () => `${name} printed no line matching ${re} within ${ms} ms\n${tail()}`);
    },
    exit: (ms) => withTimeout(exited, ms, () => `${name} did not exit within ${ms} ms\n${tail()}`),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  return part;
}

/** Runs `cmd args` to completion; its first output line, or undefined when it fails or is missing. */
export function probe(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
}

/**
 * Why the polyglot parts cannot run here, or undefined when they can: Debian's python3-websockets for
 * `/usr/bin/python3`, and a JDK 17+ `java` (`bash scripts/test.sh` installs both).
 */
export function missingRuntimes(python: string): string | undefined {
  const missing: string[] = [];
  if (probe(python, ['-c', 'import websockets']) === undefined) missing.push(`${python} with websockets (apt-get install python3-websockets)`);
  const java = probe('java', ['-version']);
  const major = java === undefined ? 0 : Number(/version "(\d+)/.exec(java)?.[1] ?? 0);
  if (major < 17) missing.push(`java 17+ (apt-get install openjdk-17-jdk-headless)${java ? `; found ${java}` : ''}`);
  return missing.length ? `not installed: ${missing.join(', ')}; bash scripts/test.sh installs them` : undefined;
}
