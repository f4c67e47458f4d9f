import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ContractSet } from '@switchboard/contracts';
import { createHub, createSqliteStore, defaultConfig, readConfigFile } from '@switchboard/hub';
import { hubUrls } from '../hub-url.js';

/** The hub a flow runs against: its URLs, and how to let it go at the end. */
export interface HubTarget {
  /** `http://host:port` */
  http: string;
  /** `ws://host:port/v1/ws` */
  ws: string;
  /** How the report names it. */
  label: string;
  close(): Promise<void>;
}

/**
 * Starts a hub inside this process on the embedded SQLite store (a temporary directory, removed on close),
 * on 127.0.0.1 and a free port, in dev mode (and checking tokens too when `tokenSecret` is given).
 */
export async function startInProcessHub(options: { contracts: ContractSet; configFile?: string; tokenSecret?: string }): Promise<HubTarget> {
  const config = options.configFile ? readConfigFile(options.configFile) : defaultConfig();
  config.auth.dev = true;
  if (options.tokenSecret) config.auth.hs256Secret = options.tokenSecret;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-scenario-'));
  try {
    const store = await createSqliteStore({ path: join(dir, 'switchboard.db'), dedupeWindowMs: config.dedupeWindowMs, durability: 'process' });
    const hub = createHub({ config, store, contracts: options.contracts, logger: pino({ level: 'error' }, pino.destination(2)) });
    const addr = await hub.listen(0, '127.0.0.1');
    const http = `http://127.0.0.1:${addr.port}`;
    return {
      http,
      ws: `ws://127.0.0.1:${addr.port}/v1/ws`,
      label: `${http} (in-process, embedded store)`,
      async close() {
        try {
          await hub.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A hub that is already running, given as `http://host:port` or `ws://host:port/v1/ws`; checks `/healthz` first.
 * Throws with a message saying what to change when the URL is not usable or nothing answers.
 */
export async function externalHub(url: string): Promise<HubTarget> {
  const { http, ws } = hubUrls(url);
  try {
    const res = await fetch(`${http}/healthz`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new Error(`no hub answers at ${http}/healthz (${(err as Error).message}); start one (switchboard start) or fix --hub`);
  }
  return { http, ws, label: http, close: async () => {} };
}
