import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestHub, TestHubOptions } from './test-hub.js';

export type { TestHub, TestHubOptions };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Path of the built CLI entry. Tests run after `npm run build`. */
export const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** How a hub process is started: the settings every test hub has, plus what only a process has. */
export interface HubProcessOptions extends TestHubOptions {
  /** Extra CLI arguments. */
  args?: string[];
  /** Extra Node.js arguments, before the CLI entry (e.g. `--inspect=127.0.0.1:0`, `--max-old-space-size=256`). */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/**
 * A real hub process started through the CLI: for tests that need a process of its own (kill -9, signals, the
 * CLI's own output, start-up errors, memory). Other tests use `startHubInProcess` (hub-in-process.ts).
 */
export interface HubProcess extends TestHub {
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
  /** Start again on the same port and data directory (after stop or kill9). */
  restart(): Promise<HubProcess>;
}

/** Starts `switchboard start` on 127.0.0.1 and resolves once it printed its listening line. */
export async function startHub(options: HubProcessOptions = {}): Promise<HubProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sb-test-'));
  return launch({ ...options, dataDir }, ownDir, { children: new Set(), cleaned: false });
}

/** Shared by a hub and its restarts: `cleanup()` of any of them ends every process of the line. */
interface Lineage {
  children: Set<ChildProcess>;
  cleaned: boolean;
}

async function launch(options: HubProcessOptions & { dataDir: string }, ownDir: boolean, lineage: Lineage): Promise<HubProcess> {
  if (lineage.cleaned) throw new Error('this hub was cleaned up; start a new one instead of restarting it');
  const args = [...(options.nodeArgs ?? []), CLI, 'start', '--host', '127.0.0.1', '--port', String(options.port ?? 0), '--data', options.dataDir];
  if (options.dev !== false) args.push('--dev');
  if (options.tokenSecret) args.push('--token-secret', options.tokenSecret);
  if (options.jwks) args.push('--jwks', options.jwks);
  if (options.durability) args.push('--durability', options.durability);
  if (options.nodeId) args.push('--node-id', options.nodeId);
  if (options.contracts) args.push('--contracts', options.contracts);
  if (options.config) args.push('--config', options.config);
  if (options.dashboard === false) args.push('--no-dashboard');
  if (options.args) args.push(...options.args);
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      SWITCHBOARD_LOG_LEVEL: options.logLevel ?? process.env.SWITCHBOARD_LOG_LEVEL ?? 'warn',
      // dev: false means tokens are needed, whatever the environment of the test says
      ...(options.dev === false ? { SWITCHBOARD_DEV: '' } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  lineage.children.add(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => lineage.children.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start within 15 s; output:\n${out}`)), 15_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} before listening; output:\n${out}`));
    });
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const hub: HubProcess = {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    dataDir: options.dataDir,
    child,
    output: () => out,
    async stop() {
      if (!running) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (!running) return;
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (running) await hub.stop();
      return launch({ ...options, port }, ownDir, lineage);
    },
    async cleanup() {
      lineage.cleaned = true;
      for (const c of [...lineage.children]) {
        if (c.exitCode === null && c.signalCode === null) {
          const gone = new Promise((r) => c.once('exit', r));
          c.kill('SIGKILL');
          await gone;
        }
      }
      if (ownDir) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
  return hub;
}
