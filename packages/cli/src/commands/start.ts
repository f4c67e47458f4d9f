import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAsyncApiStructureValidator, loadCheckedContracts, loadContracts, ContractLoadError, emptyContracts } from '@switchboard/contracts';
import { createHub, createSqliteStore, defaultConfig, readConfigFile, ConfigError, type Cluster, type HubConfig, type Store } from '@switchboard/hub';

export const START_HELP = `Usage: switchboard start [options]

Runs a hub node: WebSocket at /v1/ws, HTTP at /v1/..., health at /healthz and /readyz, metrics at /metrics.

Options (each has an environment variable; the option wins):
  --port N            Port to listen on; 0 picks a free one          SWITCHBOARD_PORT       (default 7700)
  --host ADDR         Address to bind                                 SWITCHBOARD_HOST       (default 127.0.0.1)
  --data DIR          Directory of the embedded SQLite store           SWITCHBOARD_DATA       (default ./switchboard-data)
  --store URLS        nats://HOST:PORT[,…]: keep channels, groups and  SWITCHBOARD_STORE      (default: embedded SQLite)
                      documents in NATS JetStream, shared by every
                      node started with the same URLs (a cluster)
  --nats-user U       NATS user name (with --nats-password)           SWITCHBOARD_NATS_USER
  --nats-password P   NATS password                                   SWITCHBOARD_NATS_PASSWORD
  --nats-token T      NATS token                                      SWITCHBOARD_NATS_TOKEN
  --nats-creds FILE   NATS credentials file (JWT and NKey seed)       SWITCHBOARD_NATS_CREDS
  --nats-namespace NS Prefix of streams, buckets and subjects          SWITCHBOARD_NATS_NAMESPACE (default sb)
  --nats-replicas N   Replicas of each stream in a NATS cluster       SWITCHBOARD_NATS_REPLICAS  (default 1)
  --contracts DIR     Load every AsyncAPI 3 document in DIR            SWITCHBOARD_CONTRACTS
  --config FILE       switchboard.yaml with channels, limits, auth     SWITCHBOARD_CONFIG
  --dev               Development mode: no token needed                SWITCHBOARD_DEV=1
  --token-secret S    Shared secret for HS256 tokens                   SWITCHBOARD_TOKEN_SECRET
  --node-id ID        Node id shown to clients (one per node)          SWITCHBOARD_NODE_ID    (default hub-1)
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
        store: { type: 'string' },
        'nats-user': { type: 'string' },
        'nats-password': { type: 'string' },
        'nats-token': { type: 'string' },
        'nats-creds': { type: 'string' },
        'nats-namespace': { type: 'string' },
        'nats-replicas': { type: 'string' },
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

  const storeUrls = args.store ?? env.SWITCHBOARD_STORE;
  let store: Store;
  let cluster: Cluster | undefined;
  let storeLine: string;
  if (storeUrls && storeUrls !== 'sqlite') {
    const opened = await openNats(storeUrls, args, config, logger);
    if (typeof opened === 'number') return opened;
    ({ store, cluster } = opened);
    storeLine = `jetstream ${storeUrls} (namespace ${args['nats-namespace'] ?? env.SWITCHBOARD_NATS_NAMESPACE ?? 'sb'})`;
  } else {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (err) {
      return fail(`cannot create the data directory ${dataDir}: ${(err as Error).message}; choose another with --data`);
    }
    const dbFile = join(dataDir, 'switchboard.db');
    try {
      store = await createSqliteStore({ path: dbFile, dedupeWindowMs: config.dedupeWindowMs, durability: durability as 'fsync' | 'process' });
    } catch (err) {
      return fail(`cannot open the store ${dbFile}: ${(err as Error).message}; check the --data directory (is another hub using it? is the disk full or read-only?)`);
    }
    storeLine = `sqlite ${dbFile} (durability ${durability})`;
  }
  const structure = createAsyncApiStructureValidator();
  const contractSource = contractsDir ? () => loadCheckedContracts(resolve(contractsDir), { structure }) : undefined;
  const hub = createHub({ config, store, contracts, logger, cluster, ...(contractSource ? { contractSource } : {}) });
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
      `  store: ${storeLine}\n` +
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

/** Opens the JetStream store and the cluster bus on its connection; an exit code when it cannot. */
async function openNats(
  urls: string,
  args: Record<string, string | boolean | undefined>,
  config: HubConfig,
  logger: pino.Logger,
): Promise<{ store: Store; cluster: Cluster } | number> {
  const env = process.env;
  const opt = (name: string, envName: string): string | undefined => (args[name] as string | undefined) ?? env[envName];
  const servers = urls.split(',').map((u) => u.trim()).filter(Boolean);
  const bad = servers.find((u) => !/^(nats|tls):\/\/[^\s/]+$/.test(u));
  if (servers.length === 0 || bad) return fail(`--store must be "sqlite" or nats://HOST:PORT[,nats://HOST:PORT…], not "${bad ?? urls}"`);
  const replicasText = opt('nats-replicas', 'SWITCHBOARD_NATS_REPLICAS') ?? '1';
  const replicas = Number(replicasText);
  if (!/^[1-5]$/.test(replicasText)) return fail(`--nats-replicas must be a number from 1 to 5, not "${replicasText}"`);
  const namespace = opt('nats-namespace', 'SWITCHBOARD_NATS_NAMESPACE') ?? 'sb';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(namespace)) return fail(`--nats-namespace must be 1 to 32 letters, digits, "_" or "-", not "${namespace}"`);
  try {
    const { openJetStreamStore, createNatsCluster } = await import('@switchboard/hub/nats');
    const store = await openJetStreamStore({
      servers,
      namespace,
      replicas,
      user: opt('nats-user', 'SWITCHBOARD_NATS_USER'),
      password: opt('nats-password', 'SWITCHBOARD_NATS_PASSWORD'),
      token: opt('nats-token', 'SWITCHBOARD_NATS_TOKEN'),
      credsFile: opt('nats-creds', 'SWITCHBOARD_NATS_CREDS'),
      name: `switchboard ${config.nodeId}`,
      dedupeWindowMs: config.dedupeWindowMs,
      logger,
    });
    return { store, cluster: createNatsCluster(store.connection, store.names, logger) };
  } catch (err) {
    return fail(`cannot open the JetStream store at ${urls}: ${(err as Error).message}`);
  }
}

function fail(message: string): number {
  process.stderr.write(`switchboard start: ${message}\n`);
  return 1;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}
