import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Hub } from '@switchboard/hub';
import { readTls, startHub, StartHubError, type JetStreamOptions } from './start-hub.js';

export const START_HELP = `Usage: switchboard start [options]

Runs a hub node: WebSocket at /v1/ws, HTTP at /v1/..., health at /healthz and /readyz, metrics at /metrics,
the dashboard at / (an admin token is asked for unless --dev).

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
                      (only on a loopback --host, unless:)
  --dev-allow-remote  Allow --dev on an address other machines reach   SWITCHBOARD_DEV_ALLOW_REMOTE=1
  --token-secret S    Shared secret for HS256 tokens                   SWITCHBOARD_TOKEN_SECRET
  --jwks FILE|URL     Public keys (JWKS) for RS256/ES256/EdDSA tokens  SWITCHBOARD_JWKS
  --tls-cert FILE     Serve https:// and wss:// with this certificate  SWITCHBOARD_TLS_CERT
                      chain (PEM); reloaded on SIGHUP
  --tls-key FILE      The certificate's private key (PEM)              SWITCHBOARD_TLS_KEY
  --node-id ID        Node id shown to clients (one per node)          SWITCHBOARD_NODE_ID    (default hub-1)
  --durability MODE   process: an acked message survives a crash or    SWITCHBOARD_DURABILITY (default process)
                      kill -9 of the hub; fsync: also survives an OS
                      crash or power loss (one disk flush per batch)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent         SWITCHBOARD_LOG_LEVEL  (default info)
  --no-dashboard      Do not serve the dashboard at /                  SWITCHBOARD_DASHBOARD=0
  -h, --help          Show this help

Stops gracefully on SIGTERM or SIGINT: stops accepting, flushes the store, closes connections.
Reloads on SIGHUP: the TLS certificate and key (with --tls-cert), and the contracts (also POST
/v1/contracts/reload): the new ones must pass 'switchboard contracts check', otherwise the current ones stay.
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
        'dev-allow-remote': { type: 'boolean' },
        'token-secret': { type: 'string' },
        jwks: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
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
        'no-dashboard': { type: 'boolean' },
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
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level))
    return fail(`--log-level must be one of fatal, error, warn, info, debug, trace, silent, not "${level}"`);
  const logger = pino({ level });

  const storeUrls = args.store ?? env.SWITCHBOARD_STORE;
  let jetstream: JetStreamOptions | undefined;
  if (storeUrls && storeUrls !== 'sqlite') {
    const parsed = jetStreamOptions(storeUrls, args);
    if (typeof parsed === 'number') return parsed;
    jetstream = parsed;
  }
  let hub: Hub;
  try {
    const started = await startHub({
      port,
      host,
      dataDir,
      contractsDir,
      configFile,
      dev: args.dev || truthy(env.SWITCHBOARD_DEV),
      devAllowRemote: args['dev-allow-remote'] || truthy(env.SWITCHBOARD_DEV_ALLOW_REMOTE),
      tokenSecret: args['token-secret'] ?? env.SWITCHBOARD_TOKEN_SECRET,
      jwks: args.jwks ?? env.SWITCHBOARD_JWKS,
      tlsCert: args['tls-cert'] ?? env.SWITCHBOARD_TLS_CERT,
      tlsKey: args['tls-key'] ?? env.SWITCHBOARD_TLS_KEY,
      nodeId: args['node-id'] ?? env.SWITCHBOARD_NODE_ID,
      durability,
      jetstream,
      dashboard: !(args['no-dashboard'] || falsy(env.SWITCHBOARD_DASHBOARD)),
      logger,
    });
    hub = started.hub;
    process.stdout.write(started.banner);
  } catch (err) {
    if (err instanceof StartHubError) return fail(err.message);
    throw err;
  }

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
  const tlsCert = args['tls-cert'] ?? env.SWITCHBOARD_TLS_CERT;
  const tlsKey = args['tls-key'] ?? env.SWITCHBOARD_TLS_KEY;
  process.on('SIGHUP', () => {
    if (hub.tls) {
      try {
        hub.setTls(readTls(tlsCert, tlsKey)!);
        process.stdout.write(`Switchboard reloaded the TLS certificate (SIGHUP): ${resolve(tlsCert!)}\n`);
      } catch (err) {
        process.stderr.write(`switchboard: TLS certificate reload (SIGHUP) refused, the current one stays: ${(err as Error).message}\n`);
      }
    }
    if (!contractsDir && hub.tls) return;
    hub.reloadContracts('SIGHUP').then(
      (r) => process.stdout.write(`Switchboard reloaded the contracts (SIGHUP): ${r.channels} channel(s) from ${resolve(contractsDir!)}\n`),
      (err) => process.stderr.write(`switchboard: contract reload (SIGHUP) refused: ${(err as Error).message}\n`),
    );
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return undefined;
}

/** The JetStream settings of `--store nats://…` and the `--nats-*` options; an exit code when they are wrong. */
function jetStreamOptions(urls: string, args: Record<string, string | boolean | undefined>): JetStreamOptions | number {
  const env = process.env;
  const opt = (name: string, envName: string): string | undefined => (args[name] as string | undefined) ?? env[envName];
  const servers = urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const bad = servers.find((u) => !/^(nats|tls):\/\/[^\s/]+$/.test(u));
  if (servers.length === 0 || bad) return fail(`--store must be "sqlite" or nats://HOST:PORT[,nats://HOST:PORT…], not "${bad ?? urls}"`);
  const replicasText = opt('nats-replicas', 'SWITCHBOARD_NATS_REPLICAS') ?? '1';
  if (!/^[1-5]$/.test(replicasText)) return fail(`--nats-replicas must be a number from 1 to 5, not "${replicasText}"`);
  const namespace = opt('nats-namespace', 'SWITCHBOARD_NATS_NAMESPACE') ?? 'sb';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(namespace)) return fail(`--nats-namespace must be 1 to 32 letters, digits, "_" or "-", not "${namespace}"`);
  return {
    servers,
    namespace,
    replicas: Number(replicasText),
    user: opt('nats-user', 'SWITCHBOARD_NATS_USER'),
    password: opt('nats-password', 'SWITCHBOARD_NATS_PASSWORD'),
    token: opt('nats-token', 'SWITCHBOARD_NATS_TOKEN'),
    credsFile: opt('nats-creds', 'SWITCHBOARD_NATS_CREDS'),
  };
}

function fail(message: string): number {
  process.stderr.write(`switchboard start: ${message}\n`);
  return 1;
}

function falsy(v: string | undefined): boolean {
  return v !== undefined && ['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}
