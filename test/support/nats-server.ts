// A real nats-server with JetStream, started by a test on a free port with its own temp store directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './util.js';

/** Where Debian's `nats-server` package installs the server; `NATS_SERVER` overrides it. */
export const NATS_SERVER_BIN = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

/** A nats-server process owned by a test. */
export interface NatsServer {
  readonly port: number;
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  /** JetStream store directory (kept across restarts, removed by `cleanup`). */
  readonly storeDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Process id of the running server (undefined when stopped). */
  pid(): number | undefined;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
  /** Starts again on the same port and store directory (stopping it first when it runs); resolves when ready. */
  restart(): Promise<void>;
  /** Stops the server and removes its store directory. */
  cleanup(): Promise<void>;
}

/** Whether the nats-server binary is installed (tests skip with a hint when it is not). */
export function natsServerInstalled(): boolean {
  return existsSync(NATS_SERVER_BIN);
}

/** The `skip` option of a test that needs nats-server: false when it is installed, else the hint to install it. */
export const NO_NATS: false | string = natsServerInstalled() ? false : 'nats-server is not installed (apt-get install nats-server)';

/** Starts `nats-server -js` on 127.0.0.1 and a free port (plus `args`, e.g. `--user u --pass p`); resolves once it accepts TCP connections. */
export async function startNatsServer(args: string[] = []): Promise<NatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), 'sb-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = '';

  async function launch(): Promise<void> {
    const c = spawn(NATS_SERVER_BIN, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const deadline = Date.now() + 15_000;
    while (!/Server is ready/.test(out) || !(await accepts(port))) {
      if (c.exitCode !== null) throw new Error(`nats-server exited with ${c.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not become ready within 15 s:\n${out}`);
      await sleep(25);
    }
  }

  async function end(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    await exited;
  }

  await launch();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    output: () => out,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    stop: () => end('SIGTERM'),
    kill9: () => end('SIGKILL'),
    async restart() {
      await end('SIGTERM');
      await launch();
    },
    async cleanup() {
      await end('SIGKILL');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
