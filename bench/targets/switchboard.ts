/**
 * Switchboard under test: the built CLI as a child process, driven with raw `ws` and the v1 wire protocol
 * (hello, pub with or without id, sub) — no SDK, so the generator adds as little as possible.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingRuntimes } from '../../examples/market-data/polyglot-parts.js';
import { PYTHON } from '../lib/polyglot.js';
import { spawnServer, type ServerHandle } from '../lib/proc.js';
import { switchboardDocuments } from './switchboard-doc.js';
import { RawConn } from './raw-conn.js';
import type { OnSample, Publisher, Session, Subscriber, Target } from './types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const CONTRACTS = join(ROOT, 'bench', 'contracts');
/**
 * The load generator publishes from one connection as fast as the hub takes it, past the default publish rate limit
 * (20,000/s per connection and component): the benchmarks measure the hub, not its limits, so they raise them.
 */
export const BENCH_LIMITS = 'limits: { publish_rate: 10000000, publish_burst: 10000000, http_rate: 1000000, http_burst: 1000000 }\n';
const CONFIG = 'channels:\n  "bench.eph.>": { mode: ephemeral }\n' + BENCH_LIMITS;

/**
 * Node flags for each hub process: `--cpu-prof` into $SWITCHBOARD_BENCH_CPU_PROF (set by `run.ts --cpu-prof <dir>`),
 * plus any in $SWITCHBOARD_BENCH_NODE_ARGS (space-separated, e.g. `--trace-gc` or `--require ./probe.cjs`).
 */
function profileArgs(): string[] {
  const dir = process.env.SWITCHBOARD_BENCH_CPU_PROF;
  const extra = (process.env.SWITCHBOARD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return dir ? [...extra, '--cpu-prof', '--cpu-prof-dir', dir] : extra;
}

/**
 * Starts `switchboard start --dev` on a free port with its data in `dataDir`, plus `args` (e.g. `--config FILE`), as a
 * child process with the Node flags of {@link profileArgs}; `cli` is the CLI to run (default: this checkout's build).
 */
export function spawnHub(dataDir: string, args: readonly string[], cli = CLI): Promise<ServerHandle> {
  return spawnServer({
    name: 'switchboard',
    cmd: process.execPath,
    args: [...profileArgs(), cli, 'start', '--port', '0', '--dev', '--data', dataDir, ...args],
    env: { SWITCHBOARD_LOG_LEVEL: 'warn' },
    ready: (out) => {
      const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
  });
}

/** One way of running the hub: its id and label in the tables, its contracts, and what else it needs to run here. */
interface HubVariant {
  id: string;
  label: string;
  /** publishers and subscribers use the durable, validated `bench.dur` (else the ephemeral `bench.eph.<topic>`) */
  durable: boolean;
  contracts: string;
  /** why a run with it cannot happen on this machine, besides the CLI (e.g. a missing runtime) */
  needs?: () => string | undefined;
  /** more switchboard.yaml, after the channels (e.g. a `metrics:` section) */
  config?: string;
}

function makeTarget({ id, label, durable, contracts, needs, config: extraConfig }: HubVariant): Target {
  return {
    id,
    label,
    isSwitchboard: true,
    acked: true,
    unavailable: () => (existsSync(CLI) ? needs?.() : `${CLI} missing: run \`npm run build\` first`),
    async start(tmp: string): Promise<Session> {
      const data = join(tmp, 'data');
      mkdirSync(data, { recursive: true });
      const config = join(tmp, 'switchboard.yaml');
      writeFileSync(config, CONFIG + (extraConfig ?? ''));
      const server = await spawnServer({
        name: 'switchboard',
        cmd: process.execPath,
        args: [
          ...profileArgs(),
          CLI,
          'start',
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--dev',
          '--data',
          data,
          '--config',
          config,
          '--contracts',
          contracts,
          '--log-level',
          'warn',
        ],
        ready: (out) => {
          const m = /listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
          return m ? Number(m[1]) : undefined;
        },
      });
      const url = `ws://127.0.0.1:${server.port}/v1/ws`;
      const errors: string[] = [];
      const onErr = (e: string) => {
        if (errors.length < 20) errors.push(e);
      };
      const conns: RawConn[] = [];
      const channel = (topic: string) => (durable ? 'bench.dur' : `bench.eph.${topic}`);
      let n = 0;
      return {
        server,
        errors: () => errors,
        documents: switchboardDocuments(
          server.port,
          async (component) => {
            const c = await RawConn.open(url, component, onErr);
            conns.push(c);
            return c;
          },
          onErr,
        ),
        async counters() {
          const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
          const out: Record<string, number> = {};
          for (const name of ['switchboard_ephemeral_dropped_total']) {
            let sum = 0;
            for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))) sum += Number(m[1]);
            out[name] = sum;
          }
          return out;
        },
        async publisher(topic: string): Promise<Publisher> {
          const c = await RawConn.open(url, `bench-pub-${n++}`, onErr);
          conns.push(c);
          const prefix = `{"op":"pub","ch":"${channel(topic)}","type":"b","data":`;
          return {
            send: (payload) => c.ws.send(prefix + payload + '}'),
            sendAcked: (payload, done) => c.requestCb(prefix + payload + `,"id":${c.id}}`, (r) => done(r.op === 'ok' ? undefined : `${r.code}: ${r.message}`)),
            close: () => c.close(),
          };
        },
        async subscriber(topic: string, on: OnSample): Promise<Subscriber> {
          const c = await RawConn.open(url, `bench-sub-${n++}`, onErr);
          conns.push(c);
          c.onMsg = (d) => on(d.n, d.t);
          const r = await c.request({ op: 'sub', ch: channel(topic), from: 'latest' });
          if (r.op !== 'ok') throw new Error(`sub refused: ${JSON.stringify(r)}`);
          return { close: () => c.close() };
        },
        async idle() {
          const c = await RawConn.open(url, `bench-idle-${n++}`, onErr);
          return () => c.ws.terminate();
        },
        async stop() {
          await Promise.all(conns.map((c) => c.close()));
          await server.stop();
        },
      };
    },
  };
}

export const switchboardEphemeral = makeTarget({ id: 'switchboard', label: 'Switchboard ephemeral', durable: false, contracts: CONTRACTS });
export const switchboardDurable = makeTarget({ id: 'switchboard-durable', label: 'Switchboard durable+validated', durable: true, contracts: CONTRACTS });
/**
 * The hub with the market-data example's contract (`market.ticks` durable and validated), for the `polyglot`
 * scenario: the example's Python bridge and Java engine are its clients, so it needs their runtimes.
 */
export const switchboardMarketData = makeTarget({
  id: 'switchboard-market-data',
  label: 'Switchboard durable+validated (market-data contract)',
  durable: true,
  contracts: join(ROOT, 'examples', 'market-data', 'contracts'),
  needs: () => missingRuntimes(PYTHON),
});

/** How a variant of {@link metricsVariants} sets up the per-channel metrics. */
export type MetricsMode = 'on' | 'unlabelled' | 'off';

const METRICS_CONFIG: Record<MetricsMode, string> = {
  on: '',
  unlabelled: 'metrics:\n  channel_labels: []\n',
  off: 'metrics:\n  enabled: false\n',
};

/**
 * The ephemeral and durable hubs with the per-channel metrics on (the default), unlabelled (every channel `other`)
 * and off (`metrics.enabled: false`), for `bench/metrics-cost.ts`. Ids `switchboard[-durable]-metrics-<mode>`.
 */
export function metricsVariants(durable: boolean): Record<MetricsMode, Target> {
  const base = durable ? 'switchboard-durable' : 'switchboard';
  const out = {} as Record<MetricsMode, Target>;
  for (const mode of ['on', 'unlabelled', 'off'] as const) {
    out[mode] = makeTarget({
      id: `${base}-metrics-${mode}`,
      label: `Switchboard ${durable ? 'durable+validated' : 'ephemeral'}, metrics ${mode}`,
      durable,
      contracts: CONTRACTS,
      config: METRICS_CONFIG[mode],
    });
  }
  return out;
}
