// A Switchboard cluster for tests: one real nats-server (JetStream, temp store dir, free port) and N real hub
// processes started through the CLI with `--store nats://…`.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type HubProcess } from './hub-process.js';
import type { TestHubOptions } from './test-hub.js';
import { startNatsServer, type NatsServer } from './nats-server.js';
import { RawClient, type WireFrame } from './raw-client.js';
import { TcpProxy } from './tcp-proxy.js';
import { waitFor } from './util.js';

export interface TestCluster {
  readonly nats: NatsServer;
  /** The hub nodes, `node-1` … `node-N`. */
  readonly nodes: HubProcess[];
  /** Node index → the TCP proxy it reaches NATS through (only the nodes named in `options.proxied`). */
  readonly proxies: Map<number, TcpProxy>;
  /** WebSocket URLs of every node, starting with node `first` (index) and going round. */
  wsUrls(first: number): string[];
  /** Resolves once every running node answers `/readyz` with `status` (200 ready, 503 not ready). */
  waitReady(status: 200 | 503, timeoutMs?: number, nodes?: HubProcess[]): Promise<void>;
  /** Stops every node and the NATS server and removes their directories. */
  cleanup(): Promise<void>;
}

/**
 * Starts NATS and `count` hub nodes sharing it; `config` (YAML text) is given to every node. The nodes whose indices
 * are in `options.proxied` reach NATS through a {@link TcpProxy}, so a test can take one node off NATS alone;
 * `options.env` is added to every node's environment (e.g. `OTEL_*`).
 */
export async function startCluster(
  count: number,
  config?: string,
  options: { proxied?: number[]; logLevel?: TestHubOptions['logLevel']; env?: Record<string, string> } = {},
): Promise<TestCluster> {
  const nats = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), 'sb-cluster-'));
  const nodes: HubProcess[] = [];
  const proxies = new Map<number, TcpProxy>();
  const closeProxies = async () => {
    for (const p of proxies.values()) await p.close();
  };
  try {
    for (const i of options.proxied ?? []) proxies.set(i, await TcpProxy.start(nats.port));
    let configFile: string | undefined;
    if (config !== undefined) {
      configFile = join(dir, 'switchboard.yaml');
      writeFileSync(configFile, config);
    }
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startHub({
          config: configFile,
          logLevel: options.logLevel,
          env: options.env,
          args: ['--store', proxies.get(i)?.url ?? nats.url, '--node-id', `node-${i + 1}`],
        }),
      ),
    );
    nodes.push(...started);
  } catch (err) {
    for (const n of nodes) await n.cleanup();
    await closeProxies();
    await nats.cleanup();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    nats,
    nodes,
    proxies,
    wsUrls: (first) => nodes.map((_, i) => nodes[(first + i) % nodes.length]!.wsUrl),
    async waitReady(status, timeoutMs = 20_000, only = nodes) {
      await waitFor(
        async () => {
          for (const n of only) {
            const res = await fetch(`${n.url}/readyz`).catch(() => undefined);
            if (res?.status !== status) return false;
          }
          return true;
        },
        `the nodes to all answer /readyz with ${status}`,
        { timeoutMs, everyMs: 50 },
      );
    },
    async cleanup() {
      for (const n of nodes) await n.cleanup();
      await closeProxies();
      await nats.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cluster for one `describe`, started in `before` and stopped (with every client it connected) in `after`. */
export interface ClusterFixture {
  readonly cluster: TestCluster;
  /** A raw client of node `node` (index), closed after the suite; the `welcome` is checked. */
  session(node: number, component: string, extraHello?: Record<string, unknown>): Promise<{ client: RawClient; welcome: WireFrame }>;
}

/** Registers `before`/`after` hooks that run {@link startCluster} with these arguments and clean up. */
export function useCluster(
  count: number,
  config?: string,
  options?: { proxied?: number[]; logLevel?: TestHubOptions['logLevel']; env?: Record<string, string> | (() => Record<string, string>) },
): ClusterFixture {
  let current: TestCluster | undefined;
  const clients: RawClient[] = [];
  before(async () => {
    const env = typeof options?.env === 'function' ? options.env() : options?.env;
    current = await startCluster(count, config, { ...options, env });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await current?.cleanup();
  });
  const fx: ClusterFixture = {
    get cluster(): TestCluster {
      if (!current) throw new Error('useCluster: the cluster starts in a before() hook; use it inside hooks and tests only');
      return current;
    },
    async session(node, component, extraHello = {}) {
      const r = await RawClient.connect(fx.cluster.nodes[node]!.wsUrl, component, extraHello);
      clients.push(r.client);
      assert.equal(r.welcome.op, 'welcome', JSON.stringify(r.welcome));
      return r;
    },
  };
  return fx;
}
