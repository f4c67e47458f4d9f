// The shared set-up of tests against a real hub: `useHub` starts one hub (in the test process) for a `describe`
// block and tracks the clients it opens; `useHubProcess` does the same with a `switchboard start` process, for
// tests that need one. The helpers below them only speak the wire protocol and the HTTP API, so that any test
// (also one that starts its hubs itself, such as a kill -9 or restart test) can use them.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startHubInProcess, type InProcessHub } from './hub-in-process.js';
import { startHub, type HubProcess, type HubProcessOptions } from './hub-process.js';
import type { TestHub, TestHubOptions } from './test-hub.js';
import type { Envelope, EnvelopeMeta, ViolationDetail } from '@switchboard/protocol';
import { RawClient, type WireFrame } from './raw-client.js';
import { sleep } from './util.js';

/** What {@link useHub} and {@link useHubProcess} return: the running hub plus clients that are closed for you. */
export interface HubFixture<H extends TestHub = InProcessHub> {
  /** The running hub (the restarted one after {@link HubFixture.restart}). Only valid inside hooks and tests. */
  readonly hub: H;
  /**
   * Opens a socket, says `hello` as `component` (with the `extraHello` fields, e.g. `{ resume }`), asserts the
   * answer is a `welcome` and resolves with the client. The client is closed after the block.
   */
  connect(component: string, extraHello?: Record<string, unknown>): Promise<RawClient>;
  /** Like {@link HubFixture.connect}, but resolves with the `welcome` frame too. */
  session(component: string, extraHello?: Record<string, unknown>): Promise<{ client: RawClient; welcome: WireFrame }>;
  /** Opens a socket without saying `hello` (optionally with other subprotocols). Closed after the block. */
  open(protocols?: string | string[]): Promise<RawClient>;
  /** Every retained message of `ch` after `from`, over HTTP; see {@link history}. */
  history<E extends Envelope = Envelope>(ch: string, from?: number): Promise<E[]>;
  /** One page of the history of `ch` over HTTP; see {@link historyPage}. */
  historyPage<E extends Envelope = Envelope>(ch: string, from?: number, limit?: number): Promise<HistoryPage<E>>;
  /** Closes every client opened through this fixture so far (e.g. before stopping the hub in a test). */
  closeClients(): Promise<void>;
  /** Restarts the hub on the same port and data directory (stopping it first if it runs); resolves with the new one. */
  restart(): Promise<H>;
  /** Runs `fn` in the `after` hook, before the clients are closed and the hub is removed. */
  onCleanup(fn: () => unknown): void;
}

/**
 * Starts a hub in the test process (see {@link startHubInProcess}) in a `before` hook of the enclosing `describe`
 * and registers an `after` hook that runs the {@link HubFixture.onCleanup} callbacks, closes the clients the
 * fixture opened and removes the hub with its temporary data directory.
 *
 * Pass a function to compute the options when the hook runs rather than when the block is declared.
 *
 * ```ts
 * describe('retention', () => {
 *   const fx = useHub({ config: fixture('retention.yaml') });
 *   it('keeps the newest 100', async () => {
 *     const publisher = await fx.connect('bridge');
 *     await publishMany(publisher, 'ret.count', 250);
 *     assert.equal((await fx.history('ret.count')).length, 100);
 *   });
 * });
 * ```
 */
export function useHub(options: TestHubOptions | (() => TestHubOptions) = {}): HubFixture<InProcessHub> {
  return useHubWith(startHubInProcess, options);
}

/**
 * Like {@link useHub}, with the hub as a `switchboard start` child process (see {@link startHub}): for tests that
 * need a process of its own (signals, kill -9, the CLI's output, the hub's memory).
 */
export function useHubProcess(options: HubProcessOptions | (() => HubProcessOptions) = {}): HubFixture<HubProcess> {
  return useHubWith(startHub, options);
}

function useHubWith<H extends TestHub, O>(start: (options: O) => Promise<H>, options: O | (() => O)): HubFixture<H> {
  let current: H | undefined;
  const clients: RawClient[] = [];
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    current = await start(typeof options === 'function' ? (options as () => O)() : options);
  });
  after(async () => {
    try {
      for (const fn of cleanups) await fn();
      await fx.closeClients();
    } finally {
      await current?.cleanup();
    }
  });

  const fx: HubFixture<H> = {
    get hub(): H {
      if (!current) throw new Error('useHub: the hub starts in a before() hook; use it inside hooks and tests only');
      return current;
    },
    async connect(component, extraHello) {
      return (await fx.session(component, extraHello)).client;
    },
    async session(component, extraHello = {}) {
      const r = await RawClient.connect(fx.hub.wsUrl, component, extraHello);
      clients.push(r.client);
      assert.equal(r.welcome.op, 'welcome', JSON.stringify(r.welcome));
      return r;
    },
    async open(protocols) {
      const client = await RawClient.open(fx.hub.wsUrl, protocols);
      clients.push(client);
      return client;
    },
    history: <E extends Envelope>(ch: string, from?: number) => history<E>(fx.hub.url, ch, from),
    historyPage: <E extends Envelope>(ch: string, from?: number, limit?: number) => historyPage<E>(fx.hub.url, ch, from, limit),
    async closeClients() {
      for (const c of clients.splice(0)) await c.close().catch(() => {});
    },
    async restart() {
      current = (await fx.hub.restart()) as H;
      return current;
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
  };
  return fx;
}

/** The body of `GET /v1/channels/{ch}/messages`: the messages (the envelopes `E` a test expects) and the next cursor. */
export interface HistoryPage<E extends Envelope = Envelope> {
  messages: E[];
  next: number;
}

/** What the hub adds to a message it keeps in `$dlq.<ch>`, as `meta.dlq`. */
export interface DeadLetterMeta {
  reason: string;
  code: string;
  original_ch: string;
  /** The contract violations of a refused message. */
  details?: ViolationDetail[];
  msg_id?: string;
  /** The seq of a message that was not acknowledged in time. */
  original_seq?: number;
  deliveries?: number;
}

/** A message of a dead-letter channel `$dlq.<ch>`. */
export type DeadLetter<D = unknown> = Envelope<D> & { meta: EnvelopeMeta & { dlq: DeadLetterMeta } };

/**
 * One page of `GET /v1/channels/{ch}/messages` on the hub at `url`; asserts status 200. `from` and `limit` are
 * only sent when given, so that the hub's defaults apply otherwise. `E` is the envelope expected (not checked).
 */
export async function historyPage<E extends Envelope = Envelope>(url: string, ch: string, from?: number, limit?: number): Promise<HistoryPage<E>> {
  const query = new URLSearchParams();
  if (from !== undefined) query.set('from', String(from));
  if (limit !== undefined) query.set('limit', String(limit));
  const qs = query.toString();
  const res = await fetch(`${url}/v1/channels/${encodeURIComponent(ch)}/messages${qs ? `?${qs}` : ''}`);
  assert.equal(res.status, 200, `history of ${ch}: HTTP ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as HistoryPage<E>;
}

/** Every retained message of `ch` after `from` on the hub at `url`, read `page` at a time, following `next`. */
export async function history<E extends Envelope = Envelope>(url: string, ch: string, from = 0, page = 1000): Promise<E[]> {
  const out: E[] = [];
  let cursor = from;
  for (;;) {
    const body = await historyPage<E>(url, ch, cursor, page);
    out.push(...body.messages);
    if (body.messages.length < page) return out;
    assert.ok(body.next > cursor, `history paging must advance (from=${cursor}, next=${body.next})`);
    cursor = body.next;
  }
}

/** Options of {@link publishMany}. */
export interface PublishManyOptions {
  /** When set, message `i` gets `msg_id` `${prefix}${i}`. */
  prefix?: string;
  /** At most this many publishes wait for their reply at once (default 100; 1 publishes one after the other). */
  window?: number;
  /** The message type (default `test`). */
  type?: string;
  /** The data of message `i` (default `{ i }`). */
  data?: (i: number) => unknown;
  /** The number `i` of the first message (default 0); the next ones count up from it. */
  first?: number;
}

/**
 * Publishes `n` messages to `ch`, keeping at most `window` unanswered; resolves with the seq of each, in publish
 * order. Any `err` reply fails the test.
 */
export async function publishMany(client: RawClient, ch: string, n: number, opts: PublishManyOptions = {}): Promise<number[]> {
  const window = opts.window ?? 100;
  const first = opts.first ?? 0;
  const seqs: number[] = new Array(n);
  let nextIndex = 0;
  async function worker(): Promise<void> {
    while (nextIndex < n) {
      const k = nextIndex++;
      const i = first + k;
      const frame: Record<string, unknown> = { op: 'pub', ch, type: opts.type ?? 'test', data: opts.data ? opts.data(i) : { i } };
      if (opts.prefix !== undefined) frame.msg_id = `${opts.prefix}${i}`;
      const reply = await client.call(frame, 15_000);
      assert.equal(reply.op, 'ok', `publish #${i} to ${ch}: ${JSON.stringify(reply)}`);
      seqs[k] = reply.seq;
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, n) }, () => worker()));
  return seqs;
}

/** Subscribes and asserts the reply is ok; resolves with the reply (`sub`, `head`). */
export async function subscribe(client: RawClient, frame: Record<string, unknown>): Promise<{ sub: string; head: number }> {
  const reply = await client.call({ op: 'sub', ...frame });
  assert.equal(reply.op, 'ok', `sub ${JSON.stringify(frame)}: ${JSON.stringify(reply)}`);
  assert.equal(typeof reply.sub, 'string');
  return reply;
}

/** Waits `ms` and returns the `msg` frames of `sub` that arrived meanwhile (removed from the queue). */
export async function quietFor(client: RawClient, sub: string, ms: number): Promise<WireFrame[]> {
  await sleep(ms);
  return client.drain((f) => f.op === 'msg' && f.sub === sub);
}

/** Asserts `seqs` are exactly from+1, from+2, … (in order, no gap, no duplicate). */
export function assertContiguous(seqs: number[], from: number, what: string): void {
  for (let i = 0; i < seqs.length; i++) {
    if (seqs[i] !== from + 1 + i)
      assert.fail(
        `${what}: expected seq ${from + 1 + i} at position ${i}, got ${seqs[i]} (sequence starts ${JSON.stringify(seqs.slice(Math.max(0, i - 3), i + 3))})`,
      );
  }
}
