import { readFile } from 'node:fs/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { SwitchboardError } from '@switchboard/protocol';

/** How to reach and authenticate to NATS (the options shared by the JetStream store and the cluster bus). */
export interface NatsConnectOptions {
  /** One or more `nats://HOST:PORT` URLs of the same NATS cluster. */
  servers: string | string[];
  /** User and password authentication. */
  user?: string;
  password?: string;
  /** Token authentication. */
  token?: string;
  /** Path of a `.creds` file (JWT + NKey seed) for decentralised authentication. */
  credsFile?: string;
  /** Connection name shown by the NATS server (`connz`). */
  name?: string;
  /** Timeout of each request to NATS, in ms (default 5000). */
  timeoutMs?: number;
}

/** A NATS connection that knows whether it is currently connected. */
export interface TrackedConnection {
  readonly nc: NatsConnection;
  readonly servers: string;
  /** False between a disconnect and the next reconnect, and after close. */
  connected(): boolean;
  /** Calls `fn` with `true` on every reconnect and `false` on every disconnect; returns a remover. */
  onChange(fn: (connected: boolean) => void): () => void;
  /** An `UNAVAILABLE` error that says NATS cannot be reached, for `action`. */
  unavailable(action: string, cause?: unknown): SwitchboardError;
  close(): Promise<void>;
}

/**
 * Connects to NATS (rejecting with `UNAVAILABLE` when no server answers) and reconnects for ever after a
 * drop. Publishes are never buffered for a later reconnect by callers of this module: they check
 * {@link TrackedConnection.connected} first and reject instead.
 */
export async function connectNats(options: NatsConnectOptions): Promise<TrackedConnection> {
  const list = (Array.isArray(options.servers) ? options.servers : options.servers.split(',')).map((s) => s.trim()).filter(Boolean);
  const servers = list.join(',');
  if (list.length === 0) throw new SwitchboardError('UNAVAILABLE', 'No NATS server given; pass --store nats://HOST:PORT (several separated by commas).');
  let authenticator;
  if (options.credsFile) {
    try {
      authenticator = credsAuthenticator(await readFile(options.credsFile));
    } catch (err) {
      throw new SwitchboardError(
        'UNAVAILABLE',
        `Cannot read the NATS credentials file ${options.credsFile}: ${(err as Error).message}; check the path given to --nats-creds.`,
        undefined,
        { cause: err },
      );
    }
  }
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: list,
      user: options.user,
      pass: options.password,
      token: options.token,
      authenticator,
      name: options.name ?? 'switchboard-hub',
      timeout: options.timeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 5000,
      maxPingOut: 2,
      // An Error with a stack per request costs more CPU than the rest of a publish; errors keep their cause.
      noAsyncTraces: true,
    });
  } catch (err) {
    throw new SwitchboardError(
      'UNAVAILABLE',
      `Cannot connect to NATS at ${servers}: ${(err as Error).message}; start nats-server with JetStream (-js) or fix --store and the credentials.`,
      undefined,
      { cause: err },
    );
  }
  let up = true;
  const listeners = new Set<(connected: boolean) => void>();
  const set = (next: boolean): void => {
    if (up === next) return;
    up = next;
    for (const fn of listeners) fn(next);
  };
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'staleConnection') set(false);
      else if (s.type === 'reconnect') set(true);
    }
  })().catch(() => undefined);
  void nc.closed().then(() => set(false));
  return {
    nc,
    servers,
    connected: () => up && !nc.isClosed(),
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    unavailable(action, cause) {
      const why = cause instanceof Error ? ` (${cause.message})` : '';
      return new SwitchboardError(
        'UNAVAILABLE',
        `NATS at ${servers} is not reachable, so the hub cannot ${action}${why}; retry once NATS is back.`,
        undefined,
        { cause },
      );
    },
    async close() {
      listeners.clear();
      if (!nc.isClosed()) await nc.close().catch(() => undefined);
    },
  };
}
