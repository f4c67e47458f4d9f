import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { emptyContracts, type CheckedContracts, type ContractSet } from '@switchboard/contracts';
import { createAuthenticator } from './auth/authenticator.js';
import { ChannelTable } from './channels/channel-table.js';
import { createLocalCluster, type Cluster } from './cluster/cluster.js';
import { createContractReloader, type ReloadResult } from './contracts/contract-reload.js';
import { createCatchUp } from './cluster/catch-up.js';
import { assertRunnable, type HubConfig } from './config/config.js';
import { GroupTable } from './delivery/group-dispatcher.js';
import { createMetrics, type HubMetrics } from './metrics/metrics.js';
import { RequestRouter } from './requests/request-router.js';
import { Router } from './publish/router.js';
import { createSharedState } from './shared-state/shared-state.js';
import { Connection, ParkedSessions, type ConnectionDeps } from './connection/connection.js';
import type { Store } from './store/store.js';
import { createHttpHandler } from './transport/http-transport.js';
import { attachWebSocket } from './transport/ws-transport.js';

/** What a hub is made of; every part is injected. */
export interface HubOptions {
  config: HubConfig;
  /** The durable store (the hub closes it on `close()`). */
  store: Store;
  /** Contracts validated at runtime; none when omitted. */
  contracts?: ContractSet;
  logger?: Logger;
  metrics?: HubMetrics;
  /** How this node reaches the other nodes of a cluster (the hub closes it on `close()`); one node when omitted. */
  cluster?: Cluster;
  /** Loads and checks the contracts again, for {@link Hub.reloadContracts}; without it there is nothing to reload. */
  contractSource?: () => Promise<CheckedContracts>;
}

/** A running (or ready to run) hub node. */
export interface Hub {
  /** Starts listening; resolves with the bound address. Port 0 picks a free port. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** The bound address, once listening. */
  address(): AddressInfo | undefined;
  /** Swaps the contracts in one step: every message after the swap is checked against the new set only. */
  setContracts(contracts: ContractSet): void;
  contracts(): ContractSet;
  /**
   * Loads the contracts again from `contractSource` and swaps them in one step; rejects with `CONTRACT_VIOLATION`
   * (the current contracts stay) when they fail the checks, `NOT_FOUND` without a source. `trigger` is logged.
   */
  reloadContracts(trigger: string): Promise<ReloadResult>;
  /** Open connections. */
  connectionCount(): number;
  /** Stops accepting, closes connections, flushes and closes the store. */
  close(): Promise<void>;
  readonly metrics: HubMetrics;
  readonly router: Router;
}

/** Creates a hub node from its parts. */
/** Close code of a connection whose session was resumed on another one. */
const TAKEN_OVER = 4409;

export function createHub(options: HubOptions): Hub {
  const { config, store } = options;
  assertRunnable(config);
  const log = options.logger ?? pino({ level: process.env.SWITCHBOARD_LOG_LEVEL ?? 'info' });
  const metrics = options.metrics ?? createMetrics();
  let contracts = options.contracts ?? emptyContracts();
  let closing = false;

  const cluster = options.cluster ?? createLocalCluster();
  const channels = new ChannelTable({ store, config, contracts: () => contracts });
  const router = new Router({ store, channels, config, metrics, validate: (ch, type, data) => contracts.validate(ch, type, data), announce: (m) => cluster.announce(m) });
  const groups = new GroupTable({ store, router, metrics });
  const requests = new RequestRouter(config, cluster);
  const shared = createSharedState({ store, config, cluster, contracts: () => contracts });
  cluster.onAnnounce((m) => {
    if (shared.onAnnounce(m)) return;
    const ch = channels.peek(m.ch);
    if (ch) ch.deliver(m);
    else void channels.get(m.ch).then((c) => c.deliver(m), () => undefined);
  });
  const catchUp = createCatchUp(store, () => channels.opened());
  cluster.onResync(() => {
    void catchUp();
    shared.documents.resync();
  });
  const parked = new ParkedSessions(config.sessionTtlMs, config.limits.maxParkedSessions);
  const auth = createAuthenticator(config);
  const connections = new Set<Connection>();
  /** Forgets a connection and ends its session (parked for resume); once per connection. */
  const drop = (conn: Connection, code: number | undefined): boolean => {
    if (!connections.delete(conn)) return false;
    metrics.connections.dec();
    void conn.close(code).catch((err) => log.warn({ err }, 'error while closing a connection'));
    return true;
  };
  const connDeps: ConnectionDeps = {
    config,
    router,
    requests,
    metrics,
    auth,
    parked,
    shared,
    log,
    closing: () => closing,
    subscriptions: { store, channels, router, metrics, config, groups },
    takeOver(session, component) {
      for (const c of connections) {
        if (c.state !== 'ready' || c.sessionId !== session || c.component !== component) continue;
        // close() parks the session's subscriptions, documents and presence before its first await
        if (drop(c, TAKEN_OVER)) c.peer.close(TAKEN_OVER, 'session resumed on another connection');
      }
    },
  };

  const subscribers = () => [...connections].flatMap((c) => c.subscriptionList());
  const reloadContracts = createContractReloader({ source: options.contractSource, apply: (next) => { contracts = next; }, log });
  const server: Server = createServer(createHttpHandler({ config, router, store, auth, metrics, log, closing: () => closing, subscribers, reloadContracts, documents: shared.documents }));
  server.keepAliveTimeout = 5_000;
  const ws = attachWebSocket(
    server,
    {
      open(peer) {
        const conn = new Connection(peer, connDeps);
        connections.add(conn);
        metrics.connections.inc();
        return {
          text: (text, bytes) => conn.onText(text, bytes),
          bad: (message) => conn.onBadFrame(message),
          pong: () => conn.touch(),
          close: (code) => {
            drop(conn, code);
          },
        };
      },
    },
    { hardMaxPayload: config.limits.maxFrameBytes * 4 },
  );

  // Heartbeat: WebSocket pings keep browsers' sockets visibly alive; a client silent for 2 × heartbeat is dropped.
  const beat = setInterval(() => {
    const now = Date.now();
    for (const c of ws.clients()) if (c.readyState === c.OPEN) c.ping();
    for (const conn of connections) {
      if (now - conn.lastSeen > 2 * config.heartbeatMs) conn.peer.close(4408, 'heartbeat timeout: no frame for 2 × heartbeat_ms');
    }
  }, Math.max(50, Math.floor(config.heartbeatMs / 2)));
  beat.unref();

  return {
    metrics,
    router,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    address: () => (server.listening ? (server.address() as AddressInfo) : undefined),
    setContracts(next) {
      contracts = next;
    },
    contracts: () => contracts,
    reloadContracts,
    connectionCount: () => connections.size,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(beat);
      // Let publishes already accepted reach the store and their ok reach the client (at most 5 s).
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([router.idle(), new Promise<void>((r) => { drainTimer = setTimeout(r, 5_000); })]);
      clearTimeout(drainTimer);
      await new Promise<void>((r) => setImmediate(r));
      requests.close();
      parked.clear();
      shared.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await ws.close();
      for (const conn of connections) await conn.close().catch(() => {});
      connections.clear();
      server.closeAllConnections?.();
      await closed;
      await cluster.close();
      await store.close();
    },
  };
}
