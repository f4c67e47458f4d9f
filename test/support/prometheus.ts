// A real Prometheus server (Debian's `prometheus` package), started by a test on a free port with its own data
// directory, scraping the targets it is given; and `promtool`, its checker.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nats-server.js';
import { waitFor } from './util.js';

/** Where Debian's `prometheus` package installs the server; `PROMETHEUS` overrides it. */
export const PROMETHEUS_BIN = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
/** Where it installs `promtool`; `PROMTOOL` overrides it. */
export const PROMTOOL_BIN = process.env.PROMTOOL ?? '/usr/bin/promtool';

const INSTALL_HINT = 'apt-get install -y prometheus (bash scripts/test.sh installs it when missing)';

/** The `skip` option of a test that needs the Prometheus server: false when installed, else why and how to install it. */
export const NO_PROMETHEUS: false | string = existsSync(PROMETHEUS_BIN) ? false : `${PROMETHEUS_BIN} is not installed: ${INSTALL_HINT}`;
/** The `skip` option of a test that needs promtool. */
export const NO_PROMTOOL: false | string = existsSync(PROMTOOL_BIN) ? false : `${PROMTOOL_BIN} is not installed: ${INSTALL_HINT}`;

/** Runs `promtool` with `args` in `cwd`; resolves with its exit status and everything it printed. */
export function promtool(args: string[], cwd?: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL_BIN, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** One sample of an instant query: the series' labels and its value. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** A Prometheus server owned by a test. */
export interface PrometheusServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** An instant query (`/api/v1/query`) of a PromQL expression whose result is a vector. */
  query(expr: string): Promise<PromSample[]>;
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server and removes its data directory. */
  cleanup(): Promise<void>;
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** `host:port` of each target, scraped at `/metrics` as job `job`. */
  targets: string[];
  job?: string;
  /** Scrape (and rule evaluation) interval, in seconds (default 1). */
  intervalSeconds?: number;
}

/** Starts Prometheus on 127.0.0.1 and a free port, scraping `targets`; resolves once `/-/ready` answers 200. */
export async function startPrometheus(o: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-prometheus-'));
  const port = await freePort();
  const every = `${o.intervalSeconds ?? 1}s`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global: { scrape_interval: ${every}, evaluation_interval: ${every}, scrape_timeout: ${every} }\n` +
      `scrape_configs:\n  - job_name: ${o.job ?? 'switchboard'}\n    static_configs:\n      - targets: ${JSON.stringify(o.targets)}\n`,
  );
  let out = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${out}`);
        return (await fetch(`${url}/-/ready`)).status === 200;
      },
      () => `prometheus to be ready on ${url}; it printed:\n${out}`,
      { timeoutMs: 30_000, everyMs: 100 },
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    url,
    output: () => out,
    cleanup,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${expr}: ${body.error ?? JSON.stringify(body)}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  };
}
