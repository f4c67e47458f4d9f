import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAsyncApiStructureValidator, loadCheckedContracts, loadContracts, ContractLoadError, emptyContracts } from '@switchboard/contracts';
import { createHub, createSqliteStore, defaultConfig, readConfigFile, ConfigError, type HubConfig } from '@switchboard/hub';

export const START_HELP = `Usage: switchboard start [options]

Runs a hub node: WebSocket at /v1/ws, HTTP at /v1/..., health at /healthz and /readyz, metrics at /metrics.

Options (each has an environment variable; the option wins):
  --port N            Port to listen on; 0 picks a free one          SWITCHBOARD_PORT       (default 7700)
  --host ADDR         Address to bind                                 SWITCHBOARD_HOST       (default 127.0.0.1)
  --data DIR          Directory of the embedded SQLite store           SWITCHBOARD_DATA       (default ./switchboard-data)
  --contracts DIR     Load every AsyncAPI 3 document in DIR            SWITCHBOARD_CONTRACTS
  --config FILE       switchboard.yaml with channels, limits, auth     SWITCHBOARD_CONFIG
  --dev               Development mode: no token needed                SWITCHBOARD_DEV=1
  --token-secret S    Shared secret for HS256 tokens                   SWITCHBOARD_TOKEN_SECRET
  --node-id ID        Node id shown to clients                         SWITCHBOARD_NODE_ID    (default hub-1)
  --durability MODE   process: an acked message survives a crash or    SWITCHBOARD_DURABILITY (default process)
                      kill -9 of the hub; fsync: also survives an OS
                      crash or power loss (one disk flush per batch)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent         SWITCHBOARD_LOG_LEVEL  (default info)
  -h, --help          Show this help

Stops gracefully on SIGTERM or SIGINT: stops accepting, flushes the store, closes connections.
Reloads the contracts on SIGHUP (or POST /v1/contracts/reload): the new ones must pass 'switchboard contracts
check', otherwise the current ones stay.
`;

/** `switchboard start`: resolves with an exit code on a start failure, otherwise runs until a signal. */
export async function startCommand(argv: string[]): Promise<number | undefined> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        contracts: { type: 'string' },
        config: { type: 'string' },
        dev: { type: 'boolean' },
        'token-secret': { type: 'string' },
        'node-id': { type: 'string' },
        durability: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`switchboard start: ${(err as Error).message}\n\n${START_HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(START_HELP);
    return 0;
  }
  const env = process.env;
  const portText = args.port ?? env.SWITCHBOARD_PORT ?? '7700';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return fail(`--port must be a number from 0 to 65535, not "${portText}"`);
  const host = args.host ?? env.SWITCHBOARD_HOST ?? '127.0.0.1';
  const dataDir = resolve(args.data ?? env.SWITCHBOARD_DATA ?? './switchboard-data');
  const contractsDir = args.contracts ?? env.SWITCHBOARD_CONTRACTS;
  const configFile = args.config ?? env.SWITCHBOARD_CONFIG;
  const durability = args.durability ?? env.SWITCHBOARD_DURABILITY ?? 'process';
  if (durability !== 'fsync' && durability !== 'process') return fail(`--durability must be "fsync" or "process", not "${durability}"`);
  const level = args['log-level'] ?? env.SWITCHBOARD_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) return fail(`--log-level must be one of fatal, error, warn, info, debug, trace, silent, not "${level}"`);
  const logger = pino({ level });

  let config: HubConfig;
  try {
    config = configFile ? readConfigFile(configFile) : defaultConfig();
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  if (args.dev || truthy(env.SWITCHBOARD_DEV)) config.auth.dev = true;
  const secret = args['token-secret'] ?? env.SWITCHBOARD_TOKEN_SECRET;
  if (secret) config.auth.hs256Secret = secret;
  const nodeId = args['node-id'] ?? env.SWITCHBOARD_NODE_ID;
  if (nodeId) config.nodeId = nodeId;
  if (!config.auth.dev && !config.auth.hs256Secret) {
    return fail('no way to authenticate clients: add --dev for development, or --token-secret SECRET (SWITCHBOARD_TOKEN_SECRET) for HS256 tokens');
  }

  let contracts = emptyContracts();
  if (contractsDir) {
    try {
      contracts = await loadContracts(resolve(contractsDir));
    } catch (err) {
      if (err instanceof ContractLoadError) return fail(`cannot load contracts: ${err.message}`);
      throw err;
    }
  }

  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    return fail(`cannot create the data directory ${dataDir}: ${(err as Error).message}; choose another with --data`);
  }
  const dbFile = join(dataDir, 'switchboard.db');
  let store;
  try {
    store = await createSqliteStore({ path: dbFile, dedupeWindowMs: config.dedupeWindowMs, durability: durability as 'fsync' | 'process' });
  } catch (err) {
    return fail(`cannot open the store ${dbFile}: ${(err as Error).message}; check the --data directory (is another hub using it? is the disk full or read-only?)`);
  }
  const structure = createAsyncApiStructureValidator();
  const contractSource = contractsDir ? () => loadCheckedContracts(resolve(contractsDir), { structure }) : undefined;
  const hub = createHub({ config, store, contracts, logger, ...(contractSource ? { contractSource } : {}) });
  let address;
  try {
    address = await hub.listen(port, host);
  } catch (err) {
    await hub.close().catch(() => {});
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') return fail(`port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`);
    return fail(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
  }
  const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  const base = `http://${shownHost}:${address.port}`;
  const channelsCount = contracts.channels().length;
  process.stdout.write(
    `Switchboard ${config.nodeId} listening on ${base} (WebSocket ws://${shownHost}:${address.port}/v1/ws)\n` +
      `  store: sqlite ${dbFile} (durability ${durability})\n` +
      `  contracts: ${contractsDir ? `${channelsCount} channel(s) from ${resolve(contractsDir)}` : 'none'}\n` +
      `  auth: ${config.auth.dev ? 'dev mode (no token needed)' : 'HS256 tokens'}\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`switchboard: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`Switchboard stopping (${signal}): closing connections and flushing the store\n`);
    hub.close().then(
      () => {
        process.stdout.write('Switchboard stopped\n');
        process.exit(0);
      },
      (err) => {
        process.stderr.write(`switchboard: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => {
    hub.reloadContracts('SIGHUP').then(
      (r) => process.stdout.write(`Switchboard reloaded the contracts (SIGHUP): ${r.channels} channel(s) from ${resolve(contractsDir!)}\n`),
      (err) => process.stderr.write(`switchboard: contract reload (SIGHUP) refused: ${(err as Error).message}\n`),
    );
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return undefined;
}

function fail(message: string): number {
  process.stderr.write(`switchboard start: ${message}\n`);
  return 1;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}
