// A hub for the rollout tests, in the test process, with the rollouts feature on a clock the test moves (its holds
// and windows pass in an instant) and a fast tick; group members of two versions that ack, nack or hold what they get.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createHub, createSqliteStore, defaultConfig, rolloutsFeature, type Cluster, type Hub, type HubConfig, type Store } from '@switchboard/hub';
import { RawClient, type WireFrame } from './raw-client.js';
import { manualClock, waitFor, type ManualClock } from './util.js';

/** A hub with a test clock for its rollouts. */
export interface RolloutHub {
  readonly hub: Hub;
  readonly url: string;
  readonly ws: string;
  readonly clock: ManualClock;
  /** Stops the hub and starts a new one on the same store (SQLite file, or what `openStore` opens again). */
  restart(): Promise<RolloutHub>;
  stop(): Promise<void>;
}

/** Options of {@link startRolloutHub}. */
export interface RolloutHubOptions {
  /** Opens the store, and the cluster bus beside it (default: a SQLite file in a temp directory kept across restarts). */
  openStore?: () => Promise<{ store: Store; cluster?: Cluster }>;
  /** Changes to the default config (dev mode on). */
  config?: (c: HubConfig) => HubConfig;
  clock?: ManualClock;
  nodeId?: string;
}

/** Starts a hub whose rollouts tick every 50 ms on `clock`; the temp directory goes when the last one stops. */
export async function startRolloutHub(options: RolloutHubOptions = {}): Promise<RolloutHub> {
  const dir = options.openStore ? undefined : mkdtempSync(join(tmpdir(), 'sb-rollout-'));
  const open: () => Promise<{ store: Store; cluster?: Cluster }> =
    options.openStore ?? (async () => ({ store: await createSqliteStore({ path: join(dir!, 'store.db') }) }));
  const clock = options.clock ?? manualClock();
  let port = 0;
  const launch = async (): Promise<RolloutHub> => {
    const base = { ...defaultConfig(), auth: { dev: true } };
    if (options.nodeId) base.nodeId = options.nodeId;
    const config = options.config ? options.config(base) : base;
    const { store, cluster } = await open();
    const hub = createHub({
      config,
      store,
      ...(cluster ? { cluster } : {}),
      logger: pino({ level: 'silent' }),
      features: [rolloutsFeature({ now: clock.now, tickMs: 50 })],
    });
    port = (await hub.listen(port)).port;
    return {
      hub,
      url: `http://127.0.0.1:${port}`,
      ws: `ws://127.0.0.1:${port}/v1/ws`,
      clock,
      async restart() {
        await hub.close();
        return launch();
      },
      async stop() {
        await hub.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  };
  return launch();
}

/** What a member does with a delivery. */
export type Behaviour = (f: WireFrame) => 'ack' | 'nack' | 'hold';

/** A group member with manual ack, of one version, recording what it got and did. */
export interface Member {
  readonly client: RawClient;
  readonly sub: string;
  /** Every delivery, in order. */
  readonly got: WireFrame[];
  /** Seq → the envelope text (as received) of each delivery it acked. */
  readonly acked: Map<number, string>;
  readonly nacked: number[];
  close(): Promise<void>;
}

/** Connects `component` with `hello.version` = `version` and joins `group` on `ch` (manual ack), answering by `behave`. */
export async function joinGroup(
  ws: string,
  component: string,
  version: string,
  ch: string,
  group: string,
  behave: Behaviour = () => 'ack',
  nackDelayMs = 0,
): Promise<Member> {
  const { client, welcome } = await RawClient.connect(ws, component, { version });
  assert.equal(welcome.op, 'welcome', JSON.stringify(welcome));
  const reply = await client.call({ op: 'sub', ch, group, ack: 'manual', max_inflight: 50 });
  assert.equal(reply.op, 'ok', JSON.stringify(reply));
  const sub = reply.sub as string;
  const got: WireFrame[] = [];
  const acked = new Map<number, string>();
  const nacked: number[] = [];
  client.tap(
    (f) => f.op === 'msg' && f.sub === sub,
    (f) => {
      got.push(f);
      const what = behave(f);
      if (what === 'ack') {
        acked.set(f.msg.seq, JSON.stringify(f.msg));
        client.send({ op: 'ack', sub, seq: f.msg.seq });
      } else if (what === 'nack') {
        nacked.push(f.msg.seq);
        client.send({ op: 'nack', sub, seq: f.msg.seq, delay_ms: nackDelayMs });
      }
    },
  );
  return { client, sub, got, acked, nacked, close: () => client.close() };
}

/** Calls the admin API; resolves with the status and the JSON body. */
export async function admin<T = Record<string, unknown>>(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** The fields of a rollout's status the tests read. */
export interface RolloutStatus {
  id: string;
  state: string;
  step: number;
  weight: number;
  reason?: string;
  canary: { delivered: number; errors: number; error_rate: number; latency_p95_ms: number | null };
  stable: { delivered: number; errors: number; error_rate: number; latency_p95_ms: number | null };
  history: { event: string; step: number; weight: number }[];
}

/** Starts a rollout (asserting 201). */
export async function startRollout(url: string, body: Record<string, unknown>): Promise<RolloutStatus> {
  const r = await admin<RolloutStatus>(url, 'POST', '/v1/admin/rollouts', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/** Waits until the rollout's status passes `check`; resolves with it. */
export async function waitForRollout(url: string, id: string, check: (s: RolloutStatus) => boolean, what: string, timeoutMs = 10_000): Promise<RolloutStatus> {
  let last: RolloutStatus | undefined;
  await waitFor(
    async () => {
      last = (await admin<RolloutStatus>(url, 'GET', `/v1/admin/rollouts/${id}`)).body;
      return check(last);
    },
    () => `${what}; the rollout is ${JSON.stringify(last)}`,
    { timeoutMs, everyMs: 20 },
  );
  return last!;
}

/** Publishes messages `first … first + n − 1` to `ch`, message `i` with `data {i}` and `meta.key` from `keyOf`. */
export async function publishKeyed(client: RawClient, ch: string, first: number, n: number, keyOf: (i: number) => string = (i) => `k${i}`): Promise<number[]> {
  const seqs: number[] = [];
  const window = 50;
  let next = first;
  const worker = async (): Promise<void> => {
    while (next < first + n) {
      const i = next++;
      const r = await client.call({ op: 'pub', ch, type: 'order', data: { i }, meta: { key: keyOf(i) } }, 15_000);
      assert.equal(r.op, 'ok', JSON.stringify(r));
      seqs.push(r.seq);
    }
  };
  await Promise.all(Array.from({ length: window }, () => worker()));
  return seqs.sort((a, b) => a - b);
}
