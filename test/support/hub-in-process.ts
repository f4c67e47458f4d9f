// A real hub inside the test process: composed by `startHub` of `@switchboard/cli` exactly as `switchboard start`
// composes it (config file, contracts directory, dev mode or token secret, SQLite store in the data directory),
// listening on a free port of 127.0.0.1. Starting one costs milliseconds instead of a Node.js process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startHub as composeHub } from '@switchboard/cli';
import type { Hub } from '@switchboard/hub';
import type { TestHub, TestHubOptions } from './test-hub.js';

export type { TestHub, TestHubOptions };

/** A hub running in the test process. */
export interface InProcessHub extends TestHub {
  /** The hub itself (e.g. for `reloadContracts`, `connectionCount`, `metrics`). */
  readonly node: Hub;
  restart(): Promise<InProcessHub>;
}

/**
 * Starts a hub in this process and resolves once it listens. Its log lines (at `SWITCHBOARD_LOG_LEVEL`, default
 * `warn`) and the lines `switchboard start` would print go to `output()`; a start failure rejects with the
 * message the CLI would print.
 */
export async function startHubInProcess(options: TestHubOptions = {}): Promise<InProcessHub> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sb-test-'));
  try {
    return await launch({ ...options, dataDir }, ownDir, { cleaned: false });
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Shared by a hub and its restarts: after `cleanup()` of any of them, none restarts. */
interface Lineage {
  cleaned: boolean;
  running?: InProcessHub;
}

async function launch(options: TestHubOptions & { dataDir: string }, ownDir: boolean, lineage: Lineage): Promise<InProcessHub> {
  if (lineage.cleaned) throw new Error('this hub was cleaned up; start a new one instead of restarting it');
  let out = '';
  const logger = pino(
    { level: options.logLevel ?? process.env.SWITCHBOARD_LOG_LEVEL ?? 'warn' },
    {
      write: (line: string) => {
        out += line;
      },
    },
  );
  const started = await composeHub({
    port: options.port ?? 0,
    host: '127.0.0.1',
    dataDir: options.dataDir,
    contractsDir: options.contracts,
    configFile: options.config,
    dev: options.dev !== false,
    tokenSecret: options.tokenSecret,
    jwks: options.jwks,
    nodeId: options.nodeId,
    durability: options.durability,
    dashboard: options.dashboard,
    logger,
  });
  out += started.banner;
  const port = started.address.port;
  let stopped: Promise<number> | undefined;
  const hub: InProcessHub = {
    node: started.hub,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    dataDir: options.dataDir,
    output: () => out,
    stop() {
      stopped ??= (async () => {
        out += 'Switchboard stopping: closing connections and flushing the store\n';
        try {
          await started.hub.close();
          out += 'Switchboard stopped\n';
          return 0;
        } catch (err) {
          out += `switchboard: error while stopping: ${(err as Error).message}\n`;
          return 1;
        } finally {
          if (lineage.running === hub) lineage.running = undefined;
        }
      })();
      return stopped;
    },
    async restart() {
      await hub.stop();
      return launch({ ...options, port }, ownDir, lineage);
    },
    async cleanup() {
      lineage.cleaned = true;
      await lineage.running?.stop();
      await hub.stop();
      if (ownDir) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
  lineage.running = hub;
  return hub;
}
