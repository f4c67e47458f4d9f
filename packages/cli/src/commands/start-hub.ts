// How `switchboard start` composes a hub node from its options: the config file, the contracts directory, dev
// mode or a token secret, the store (a SQLite file in the data directory, or NATS JetStream) and the listening
// socket. The command parses flags and environment into these options and owns the process (output, signals);
// tests call the same function to run a hub inside their own process.
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createAsyncApiStructureValidator, loadCheckedContracts, loadContracts, ContractLoadError, emptyContracts } from '@switchboard/contracts';
import {
  createHub,
  createSqliteStore,
  dashboardFeature,
  defaultConfig,
  readConfigFile,
  ConfigError,
  type Cluster,
  type Hub,
  type HubConfig,
  type Store,
  type TlsFiles,
} from '@switchboard/hub';
import { makeDirectory } from '@switchboard/hub/internal';

/** Where a hub keeps its channels, groups and documents when it is not the embedded SQLite file. */
export interface JetStreamOptions {
  /** `nats://HOST:PORT` URLs of the NATS servers (every node started with the same ones forms a cluster). */
  servers: string[];
  /** Prefix of streams, buckets and subjects (default `sb`). */
  namespace?: string;
  /** Replicas of each stream in a NATS cluster (default 1). */
  replicas?: number;
  user?: string;
  password?: string;
  token?: string;
  /** A NATS credentials file (JWT and NKey seed). */
  credsFile?: string;
}

/** What {@link startHub} needs: the same settings as the flags of `switchboard start`, already parsed. */
export interface StartHubOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Directory of the embedded SQLite store (created when missing); unused with {@link StartHubOptions.jetstream}. */
  dataDir: string;
  /** Load every AsyncAPI 3 document in this directory, and reload from it on {@link Hub.reloadContracts}. */
  contractsDir?: string;
  /** A switchboard.yaml with channels, limits and auth; the defaults when omitted. */
  configFile?: string;
  /** Development mode (no token needed), whatever the config file says. */
  dev?: boolean;
  /** Allow dev mode on an address other than loopback (otherwise the hub refuses to start). */
  devAllowRemote?: boolean;
  /** Shared secret for HS256 tokens; overrides the config file's. */
  tokenSecret?: string;
  /** A JWKS file or URL for RS256/ES256/EdDSA tokens; overrides the config file's `auth.jwks`. */
  jwks?: string;
  /** Node id shown to clients; overrides the config file's. */
  nodeId?: string;
  /** Serve `https://` and `wss://` with this certificate chain (PEM file) and {@link StartHubOptions.tlsKey}. */
  tlsCert?: string;
  /** The private key (PEM file) of {@link StartHubOptions.tlsCert}. */
  tlsKey?: string;
  /** `process` (default): an acked message survives kill -9; `fsync`: also an OS crash (SQLite only). */
  durability?: 'process' | 'fsync';
  /** Keep the data in NATS JetStream instead of the embedded SQLite file. */
  jetstream?: JetStreamOptions;
  /** Serve the dashboard at `/` (default true; `--no-dashboard` turns it off). */
  dashboard?: boolean;
  /** The built dashboard to serve (default: the `dist/` folder of the `@switchboard/dashboard` package). */
  dashboardDir?: string;
  /** Where the hub logs. */
  logger: Logger;
}

/** The `dist/` folder of the installed `@switchboard/dashboard` package, or undefined when it is not installed. */
export function dashboardDist(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@switchboard/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** A hub that {@link startHub} started and that listens. */
export interface StartedHub {
  readonly hub: Hub;
  /** The bound address (the chosen port when asked for 0). */
  readonly address: AddressInfo;
  /** `http://HOST:PORT` of the bound address. */
  readonly url: string;
  /** The lines `switchboard start` prints once it listens: address, store, contracts and auth mode. */
  readonly banner: string;
}

/**
 * A hub that cannot start with these options: the message says what is wrong and what to change (e.g. a port in
 * use, a config key that does not exist, a contract that does not load). `switchboard start` prints it and exits 1.
 */
export class StartHubError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartHubError';
  }
}

/**
 * Composes a hub node as `switchboard start` does (config, contracts, auth, store) and starts it listening.
 * Rejects with a {@link StartHubError} when the options cannot make a hub; nothing is left open then.
 */
export async function startHub(options: StartHubOptions): Promise<StartedHub> {
  const { logger } = options;
  const host = options.host ?? '127.0.0.1';
  const durability = options.durability ?? 'process';

  let config: HubConfig;
  try {
    config = options.configFile ? readConfigFile(options.configFile) : defaultConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new StartHubError(err.message, { cause: err });
    throw err;
  }
  if (options.dev) config.auth.dev = true;
  if (options.tokenSecret) config.auth.hs256Secret = options.tokenSecret;
  if (options.jwks) config.auth.jwks = options.jwks;
  if (options.nodeId) config.nodeId = options.nodeId;
  if (!config.auth.dev && !config.auth.hs256Secret && !config.auth.jwks) {
    throw new StartHubError(
      'no way to authenticate clients: add --dev for development, --token-secret SECRET (SWITCHBOARD_TOKEN_SECRET) for HS256 tokens, or --jwks FILE|URL (SWITCHBOARD_JWKS) for RS256/ES256/EdDSA tokens',
    );
  }

  if (config.auth.dev && !isLoopback(host) && !options.devAllowRemote) {
    throw new StartHubError(
      `dev mode trusts every client without a token, and --host ${host} is reachable from other machines; bind to 127.0.0.1 (--host), configure tokens instead of --dev (--token-secret or --jwks), or add --dev-allow-remote if you really mean it`,
    );
  }

  const tls = readTls(options.tlsCert, options.tlsKey);

  const contractsDir = options.contractsDir ? resolve(options.contractsDir) : undefined;
  let contracts = emptyContracts();
  if (contractsDir) {
    try {
      contracts = await loadContracts(contractsDir);
    } catch (err) {
      if (err instanceof ContractLoadError) throw new StartHubError(`cannot load contracts: ${err.message}`, { cause: err });
      throw err;
    }
  }

  let store: Store;
  let cluster: Cluster | undefined;
  let storeLine: string;
  if (options.jetstream) {
    ({ store, cluster } = await openJetStream(options.jetstream, config, logger));
    storeLine = `jetstream ${options.jetstream.servers.join(',')} (namespace ${options.jetstream.namespace ?? 'sb'})`;
  } else {
    const dataDir = resolve(options.dataDir);
    try {
      await makeDirectory(dataDir);
    } catch (err) {
      throw new StartHubError(`cannot create the data directory ${dataDir}: ${(err as Error).message}; choose another with --data`, { cause: err });
    }
    const dbFile = join(dataDir, 'switchboard.db');
    try {
      store = await createSqliteStore({ path: dbFile, dedupeWindowMs: config.dedupeWindowMs, durability, logger });
    } catch (err) {
      // A read-only store: the store's message names the file and the fix.
      if ((err as { details?: { sqlite?: string } }).details?.sqlite?.startsWith('SQLITE_READONLY'))
        throw new StartHubError(`${(err as Error).message.replace(/\.$/, '')} (--data)`, { cause: err });
      throw new StartHubError(
        `cannot open the store ${dbFile}: ${(err as Error).message}; check the --data directory (is another hub using it? is the disk full or read-only?)`,
        { cause: err },
      );
    }
    storeLine = `sqlite ${dbFile} (durability ${durability})`;
  }

  const structure = createAsyncApiStructureValidator();
  const contractSource = contractsDir ? () => loadCheckedContracts(contractsDir, { structure }) : undefined;
  const dashboardDir = options.dashboard === false ? undefined : (options.dashboardDir ?? dashboardDist());
  const features = dashboardDir ? [dashboardFeature({ dir: dashboardDir })] : [];
  let hub: Hub;
  try {
    hub = createHub({ config, store, contracts, logger, cluster, features, ...(contractSource ? { contractSource } : {}), ...(tls ? { tls } : {}) });
  } catch (err) {
    await store.close().catch(() => {});
    await cluster?.close().catch(() => {});
    throw new StartHubError((err as Error).message, { cause: err });
  }
  let address: AddressInfo;
  try {
    address = await hub.listen(options.port, host);
  } catch (err) {
    await hub.close().catch(() => {});
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new StartHubError(`port ${options.port} on ${host} is already in use; pick another with --port (0 picks a free one)`, { cause: err });
    throw new StartHubError(`cannot listen on ${host}:${options.port}: ${(err as Error).message}`, { cause: err });
  }
  const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
  const banner =
    `Switchboard ${config.nodeId} listening on ${url} (WebSocket ${tls ? 'wss' : 'ws'}://${shownHost}:${address.port}/v1/ws)\n` +
    (tls ? `  tls: certificate ${resolve(options.tlsCert!)} (reloaded on SIGHUP)\n` : '') +
    `  store: ${storeLine}\n` +
    `  contracts: ${contractsDir ? `${contracts.channels().length} channel(s) from ${contractsDir}` : 'none'}\n` +
    `  auth: ${authLine(config)}\n` +
    `  dashboard: ${dashboardDir ? `${url}/${config.auth.dev ? '' : ' (asks for an admin token: switchboard token --admin)'}` : options.dashboard === false ? 'off (--no-dashboard)' : 'not installed'}\n`;
  return { hub, address, url, banner: banner + devWarning(config.auth.dev, host) };
}

/**
 * Reads the certificate and key files of `--tls-cert` / `--tls-key` (both or neither); undefined without them.
 * Throws a {@link StartHubError} naming the file that cannot be read.
 */
export function readTls(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new StartHubError('--tls-cert and --tls-key go together: give the certificate (PEM) and its private key (PEM)');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new StartHubError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  const tls = { cert: read(certFile, 'certificate (--tls-cert)'), key: read(keyFile, 'key (--tls-key)') };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new StartHubError(`the TLS certificate ${certFile} and key ${keyFile} cannot be used together: ${(err as Error).message}`, { cause: err });
  }
  return tls;
}

/** True for an address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The warning printed after the start-up lines in dev mode: one line on loopback, a banner elsewhere. */
function devWarning(dev: boolean, host: string): string {
  if (!dev) return '';
  if (isLoopback(host)) return '  warning: dev mode: no token needed, every client is trusted as the component it names; never use it in production\n';
  const bar = '!'.repeat(78);
  return (
    `${bar}\n` +
    `!! WARNING: dev mode on ${host} (--dev-allow-remote): ANY machine that reaches this address can connect\n` +
    `!! without a token, as any component, and use the admin API. Never do this in production: configure\n` +
    `!! --token-secret or --jwks and drop --dev.\n` +
    `${bar}\n`
  );
}

/** The auth line of the banner: dev mode, and which tokens are verified (never the secret itself). */
function authLine(config: HubConfig): string {
  const kinds = [
    ...(config.auth.hs256Secret ? ['HS256 tokens'] : []),
    ...(config.auth.jwks
      ? [`RS256/ES256/EdDSA tokens (JWKS ${typeof config.auth.jwks === 'string' ? config.auth.jwks : Object.values(config.auth.jwks).join(', ')})`]
      : []),
  ];
  if (config.auth.dev) return kinds.length ? `dev mode (no token needed; ${kinds.join(' and ')} checked when given)` : 'dev mode (no token needed)';
  return kinds.join(' and ');
}

/** Opens the JetStream store and the cluster bus on its connection. */
async function openJetStream(options: JetStreamOptions, config: HubConfig, logger: Logger): Promise<{ store: Store; cluster: Cluster }> {
  try {
    const { openJetStreamStore, createNatsCluster } = await import('@switchboard/hub/nats');
    const store = await openJetStreamStore({
      servers: options.servers,
      namespace: options.namespace ?? 'sb',
      replicas: options.replicas ?? 1,
      user: options.user,
      password: options.password,
      token: options.token,
      credsFile: options.credsFile,
      name: `switchboard ${config.nodeId}`,
      dedupeWindowMs: config.dedupeWindowMs,
      logger,
    });
    return { store, cluster: createNatsCluster(store.connection, store.names, logger, { nodeId: config.nodeId }) };
  } catch (err) {
    throw new StartHubError(`cannot open the JetStream store at ${options.servers.join(',')}: ${(err as Error).message}`, { cause: err });
  }
}
