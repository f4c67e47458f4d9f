import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import pino, { type Logger } from 'pino';
import { emptyContracts, type CheckedContracts, type ContractSet } from '@switchboard/contracts';
import { CloseCodes } from '@switchboard/protocol';
import { createAuthenticator } from './auth/authenticator.js';
import { ChannelTable } from './channels/channel-table.js';
import { createLocalCluster, type Cluster } from './cluster/cluster.js';
import { createContractReloader, type ReloadResult } from './contracts/contract-reload.js';
import { createCatchUp } from './cluster/catch-up.js';
import { assertRunnable, type HubConfig } from './config/config.js';
import { GroupTable, type GroupDispatcher } from './delivery/group-dispatcher.js';
import { createMetrics, type HubMetrics } from './metrics/metrics.js';
import { RequestRouter } from './requests/request-router.js';
import { Router } from './publish/router.js';
import { sharedStateFeature } from './shared-state/shared-state.js';
import { adminFeature } from './admin/admin.js';
import { metricsFeature } from './metrics/metrics-feature.js';
import { Connection } from './connection/connection.js';
import { CORE_OPS, type ConnectionDeps } from './connection/connection-deps.js';
import { ParkedSessions } from './connection/parked-sessions.js';
import type { HubFeature } from './features/feature.js';
import { FeatureRegistry } from './features/feature-registry.js';
import { HubEvents } from './features/hub-events.js';
import type { HubInspector } from './features/hub-inspector.js';
import type { Store } from './store/store.js';
import { createHttpHandler, isHubPath } from './transport/http-transport.js';
import { attachWebSocket } from './transport/ws-transport.js';
import { connectionLogFeature } from './logging/connection-log.js';
import { RefusalLog } from './logging/refusal-log.js';
import { tracingFeature } from './tracing/tracing.js';
import { webhooksFeature } from './webhooks/webhooks.js';
import { tokenRefreshFeature } from './auth/token-refresh.js';
import { createAudit } from './audit/audit.js';
import { auditFeature } from './audit/audit-feature.js';
import { limitsFeature } from './limits/limits-feature.js';
import { rolloutsFeature } from './rollouts/rollouts.js';
import { flagsFeature } from './flags/flags.js';
import type { TracingSettings } from './tracing/tracing-settings.js';

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
  /**
   * Parts of the hub that register themselves through the feature seam, after the built-in ones (documents and
   * presence, the admin API). One named as a built-in one (`rollouts`, say, with a test clock) replaces it.
   * See {@link HubFeature}.
   */
  features?: HubFeature[];
  /**
   * An HTTP server of your own to attach to (like `ws`'s `server` option): the hub answers `/v1/…`, `/ofrep/…`, `/healthz`,
   * `/readyz` and `/metrics` on it and the WebSocket upgrade at `/v1/ws`, and leaves every other request to your
   * handlers. You listen and close it; `listen()` then only reports its address, and `close()` leaves it open.
   */
  server?: Server;
  /**
   * OpenTelemetry traces of the publish and delivery paths: settings, `false` (off), or when omitted the standard
   * `OTEL_EXPORTER_OTLP_*` environment variables (off when they name no endpoint). See docs/reference/tracing.md.
   */
  tracing?: TracingSettings | false;
  /**
   * Serve `https://` and `wss://` with this certificate and key (PEM: the certificate chain, and its private key);
   * plain HTTP when omitted. Swap them at run time with {@link Hub.setTls}. Not with `server` (that one is yours).
   */
  tls?: TlsFiles;
}

/** A certificate chain and its private key, PEM. */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
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
   * (the current contracts stay) when they fail the checks, `NOT_FOUND` without a source. `trigger` is logged; the
   * reload is audited (`contracts.reload`) as done by component `by`, when given.
   */
  reloadContracts(trigger: string, by?: string): Promise<ReloadResult>;
  /** Open connections. */
  connectionCount(): number;
  /** Swaps the TLS certificate and key for new connections (a renewed certificate); throws when the hub serves plain HTTP or they do not match. */
  setTls(tls: TlsFiles): void;
  /** Whether the hub serves `https://` and `wss://`. */
  readonly tls: boolean;
  /** Stops accepting, closes connections, flushes and closes the store. */
  close(): Promise<void>;
  readonly metrics: HubMetrics;
  readonly router: Router;
}

/** Creates a hub node from its parts. */
export function createHub(options: HubOptions): Hub {
  const { config, store } = options;
  assertRunnable(config);
  const log = options.logger ?? pino({ level: process.env.SWITCHBOARD_LOG_LEVEL ?? 'info' });
  const metrics = options.metrics ?? createMetrics();
  let contracts = options.contracts ?? emptyContracts();
  let closing = false;

  const cluster = options.cluster ?? createLocalCluster(config.nodeId);
  const channels = new ChannelTable({ store, config, contracts: () => contracts });
  const events = new HubEvents();
  const router = new Router({
    events,
    store,
    channels,
    config,
    metrics,
    validate: (ch, type, data) => contracts.validate(ch, type, data),
    announce: (m) => cluster.announce(m),
  });
  const groups = new GroupTable({ store, router, metrics, events, clustered: cluster.kind !== 'local' });
  const requests = new RequestRouter(config, cluster);
  const auth = createAuthenticator(config);
  const connections = new Set<Connection>();
  const audit = createAudit({ log, router, nodeId: config.nodeId, now: Date.now });
  const inspect: HubInspector = {
    connections: () => [...connections].flatMap((c) => c.snapshot() ?? []),
    channels: () => [...channels.opened()].map((c) => ({ ch: c.name, head: c.head, durable: c.durable, settings: c.settings })),
    groups: () => groups.list().map((g) => g.snapshot()),
  };
  const given = options.features ?? [];
  const builtIn = [
    sharedStateFeature(),
    connectionLogFeature(),
    adminFeature(),
    ...(config.metrics.enabled ? [metricsFeature()] : []),
    tracingFeature(options.tracing),
    webhooksFeature(),
    tokenRefreshFeature(),
    limitsFeature(),
    auditFeature(),
    rolloutsFeature(),
    flagsFeature(),
  ].filter((f) => !given.some((g) => g.name === f.name));
  const groupControl = {
    reclaim: async (ch: string, group: string, which: Parameters<GroupDispatcher['reclaim']>[0]) => (await groups.find(ch, group)?.reclaim(which)) ?? 0,
  };
  const features = new FeatureRegistry(
    [...builtIn, ...given],
    { config, store, cluster, router, metrics, log, auth, contracts: () => contracts, inspect, audit, groups: groupControl },
    CORE_OPS,
    events,
  );
  cluster.onAnnounce((m) => {
    if (features.announce(m)) return;
    const ch = channels.peek(m.ch);
    if (ch) ch.deliver(m);
    else
      void channels.get(m.ch).then(
        (c) => c.deliver(m),
        () => undefined,
      );
  });
  const catchUp = createCatchUp(store, () => channels.opened());
  cluster.onResync(() => {
    void catchUp();
    features.resync();
  });
  const refusals = new RefusalLog({ log });
  const parked = new ParkedSessions(config.sessionTtlMs, config.limits.maxParkedSessions);
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
    features,
    knownOps: new Set<string>([...CORE_OPS, ...features.ops.keys()]),
    log,
    refusals,
    closing: () => closing,
    subscriptions: { store, channels, router, metrics, config, groups, events },
    events,
    takeOver(session, component) {
      for (const c of connections) {
        if (c.state !== 'ready' || c.sessionId !== session || c.component !== component) continue;
        // close() parks the session's subscriptions, documents and presence before its first await
        const { code, reason } = CloseCodes.SESSION_TAKEN_OVER;
        if (drop(c, code)) c.peer.close(code, reason);
      }
    },
  };

  const subscribers = () => [...connections].flatMap((c) => c.subscriptionList());
  const reloader = createContractReloader({
    source: options.contractSource,
    apply: (next) => {
      contracts = next;
    },
    log,
  });
  const reloadContracts = async (trigger: string, by?: string): Promise<ReloadResult> => {
    const who = by !== undefined ? { component: by } : {};
    try {
      const result = await reloader(trigger);
      audit({ action: 'contracts.reload', outcome: 'ok', ...who, details: { trigger, channels: result.channels } });
      return result;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      audit({ action: 'contracts.reload', outcome: 'failed', ...who, code: e.code, reason: e.message, details: { trigger } });
      throw err;
    }
  };
  const handler = createHttpHandler({
    config,
    router,
    store,
    auth,
    metrics,
    log,
    closing: () => closing,
    subscribers,
    reloadContracts,
    routes: features.routes,
    refusals,
    httpGuards: features.httpGuards,
    publishGuards: features.publishGuards,
    events,
  });
  const attached = options.server !== undefined;
  if (attached && options.tls) throw new Error('tls and server cannot be given together: set up TLS on your own server');
  const secure = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : undefined;
  const server: Server = options.server ?? (secure as unknown as Server | undefined) ?? createServer(handler);
  const onSharedRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (isHubPath(new URL(req.url ?? '/', 'http://hub').pathname)) handler(req, res);
  };
  if (attached) server.on('request', onSharedRequest);
  else server.keepAliveTimeout = 5_000;
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
          oversize: () => metrics.limitRefused('frame_bytes'),
          close: (code) => {
            drop(conn, code);
          },
        };
      },
    },
    { hardMaxPayload: config.limits.maxFrameBytes * 4, shared: attached, compression: config.compression },
  );

  // Heartbeat: WebSocket pings keep browsers' sockets visibly alive; a client silent for 2 × heartbeat is dropped.
  const beat = setInterval(
    () => {
      const now = Date.now();
      for (const c of ws.clients()) if (c.readyState === c.OPEN) c.ping();
      for (const conn of connections) {
        if (now - conn.lastSeen > 2 * config.heartbeatMs) conn.peer.close(CloseCodes.HEARTBEAT_TIMEOUT.code, CloseCodes.HEARTBEAT_TIMEOUT.reason);
      }
    },
    Math.max(50, Math.floor(config.heartbeatMs / 2)),
  );
  beat.unref();

  return {
    metrics,
    router,
    async listen(port, host = '127.0.0.1') {
      await features.start();
      if (attached) {
        if (!server.listening) throw new Error('this hub is attached to an HTTP server of yours: call listen() on that server');
        return server.address() as AddressInfo;
      }
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
    tls: secure !== undefined,
    setTls(tls) {
      if (!secure) throw new Error('this hub serves plain HTTP: start it with a certificate (tls) to swap one');
      (secure as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key });
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(beat);
      // Let publishes already accepted reach the store and their ok reach the client (at most 5 s).
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        router.idle(),
        new Promise<void>((r) => {
          drainTimer = setTimeout(r, 5_000);
        }),
      ]);
      clearTimeout(drainTimer);
      await new Promise<void>((r) => setImmediate(r));
      requests.close();
      parked.clear();
      if (attached) server.off('request', onSharedRequest);
      const closed = attached ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
      await ws.close();
      for (const conn of connections) await conn.close().catch(() => {});
      connections.clear();
      await features.close();
      refusals.flush();
      if (!attached) server.closeAllConnections?.();
      await closed;
      await cluster.close();
      await store.close();
    },
  };
}
