// A storm of connects and disconnects (2,000 per second for 10 s in the soak; 3 s in the short form) of every
// kind: hello then close, hello + subscribe + publish then close (the session is parked for `session_ttl`),
// hello then an abrupt drop, no hello at all, and a TCP connection cut in the middle of the WebSocket handshake.
// Afterwards nothing has leaked: the hub's `switchboard_connections` gauge is back to its baseline, its open file
// descriptors (/proc/<pid>/fd) are back near theirs, and its V8 heap after a full GC (forced through the
// inspector, no hook in the hub) is within 10 % of the heap after GC before the storm.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { RawClient } from '../support/raw-client.js';
import { history } from '../support/hub-fixture.js';
import { bySoak, HubInspector, now, openFds, printCounts, processMemory, scrapeMetrics } from '../support/load.js';
import { waitFor, sleep } from '../support/util.js';

const RATE = 2_000;
const STORM_MS = bySoak(3_000, 10_000);
const CONCURRENCY = 64;
const CH = 'rel.storm';
const MiB = 1024 * 1024;
/** session_ttl 1s: parked sessions of the storm expire soon after it. */
const config = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'connect-storm.yaml');

type Kind = 'hello-close' | 'sub-pub-close' | 'hello-drop' | 'no-hello' | 'handshake-cut';
const KINDS: Kind[] = ['hello-close', 'sub-pub-close', 'hello-drop', 'no-hello', 'handshake-cut', 'hello-close', 'sub-pub-close', 'hello-drop'];

/** What the storm did. */
interface StormStats {
  byKind: Map<Kind, number>;
  failures: string[];
  published: number;
  acknowledged: number;
  delivered: number;
}

/** One connection's life, of the given kind. */
async function lifecycle(hub: HubProcess, kind: Kind, n: number, stats: StormStats): Promise<void> {
  if (kind === 'handshake-cut') {
    await new Promise<void>((resolve) => {
      const s = tcpConnect(hub.port, '127.0.0.1', () => {
        s.write(`GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
        setImmediate(() => s.destroy());
      });
      s.on('close', () => resolve());
      s.on('error', () => {});
    });
    return;
  }
  const client = await RawClient.open(hub.wsUrl);
  if (kind === 'no-hello') return client.close();
  const welcome = await client.call({ op: 'hello', component: `storm-${kind}` }, 15_000);
  if (welcome.op !== 'welcome') stats.failures.push(`hello: ${JSON.stringify(welcome)}`);
  if (kind === 'hello-drop') {
    client.ws.terminate();
    return;
  }
  if (kind === 'sub-pub-close') {
    const sub = await client.call({ op: 'sub', ch: CH, from: 'latest' }, 15_000);
    if (sub.op !== 'ok') stats.failures.push(`sub: ${JSON.stringify(sub)}`);
    stats.published++;
    const ok = await client.call({ op: 'pub', ch: CH, type: 'storm', msg_id: `storm-${n}`, data: { n } }, 15_000);
    if (ok.op === 'ok') stats.acknowledged++;
    else stats.failures.push(`pub: ${JSON.stringify(ok)}`);
    await client
      .next((f) => f.op === 'msg' && f.msg.id === `storm-${n}`, 15_000)
      .then(
        () => stats.delivered++,
        (e) => stats.failures.push(`own message: ${(e as Error).message.slice(0, 200)}`),
      );
  }
  await client.close();
}

/** Runs lifecycles at `rate` per second for `ms`, at most {@link CONCURRENCY} at once; resolves with how many ran. */
async function storm(hub: HubProcess, rate: number, ms: number, stats: StormStats, first = 0): Promise<number> {
  const start = now();
  let launched = 0;
  let active = 0;
  let wake: (() => void) | undefined;
  while (now() - start < ms) {
    const due = Math.floor(((now() - start) * rate) / 1000);
    while (launched < due && active < CONCURRENCY) {
      const kind = KINDS[launched % KINDS.length]!;
      active++;
      stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
      void lifecycle(hub, kind, first + launched++, stats)
        .catch((err) => {
          stats.failures.push(`${kind}: ${(err as Error).message.slice(0, 200)}`);
        })
        .finally(() => {
          active--;
          wake?.();
        });
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 2);
    });
  }
  await waitFor(() => active === 0, 'every storm connection to end', { timeoutMs: 60_000, everyMs: 20 }).catch(() => {});
  return launched;
}

describe('a storm of connects and disconnects', () => {
  let hub: HubProcess | undefined;
  let inspector: HubInspector | undefined;
  after(async () => {
    inspector?.close();
    await hub?.cleanup();
  });

  it(`leaks no sockets and no memory after ${STORM_MS / 1000} s at ${RATE} connects/s`, async () => {
    hub = await startHub({ config, nodeArgs: ['--inspect=127.0.0.1:0'] });
    inspector = await HubInspector.attach(hub);
    const pid = hub.child.pid!;
    const connections = async () => (await scrapeMetrics(hub!.url)).get('switchboard_connections') ?? NaN;

    // Warm up (code paths compiled, pools allocated), let the parked sessions expire, then take the baseline.
    const warm: StormStats = { byKind: new Map(), failures: [], published: 0, acknowledged: 0, delivered: 0 };
    await storm(hub, 500, 1_000, warm, 1_000_000);
    await sleep(2_500);
    const baseConnections = await connections();
    const baseFds = openFds(pid);
    const baseHeap = await inspector.heapAfterGc();
    const baseRss = processMemory(pid).rss;

    const stats: StormStats = { byKind: new Map(), failures: [], published: 0, acknowledged: 0, delivered: 0 };
    let peakFds = baseFds;
    const fdSampler = setInterval(() => {
      peakFds = Math.max(peakFds, openFds(pid));
    }, 100);
    const t0 = now();
    const total = await storm(hub, RATE, STORM_MS, stats);
    const stormMs = now() - t0;
    clearInterval(fdSampler);
    const peakConnections = await connections();

    // Back to baseline: connections at once (eventually), fds near it, heap within 10 % once parked sessions expired.
    const connectionsBack = await waitFor(async () => (await connections()) === baseConnections, 'connections back', { timeoutMs: 15_000, everyMs: 100 }).then(
      () => true,
      () => false,
    );
    const fdsBack = await waitFor(() => openFds(pid) <= baseFds + 5, 'fds back', { timeoutMs: 15_000, everyMs: 100 }).then(
      () => true,
      () => false,
    );
    await sleep(1_500);
    let heap = Infinity;
    const heapBack = await waitFor(async () => (heap = await inspector!.heapAfterGc()) <= baseHeap * 1.1, 'heap back', {
      timeoutMs: 15_000,
      everyMs: 1_000,
    }).then(
      () => true,
      () => false,
    );
    const afterConnections = await connections();
    const afterFds = openFds(pid);
    const rss = processMemory(pid).rss;
    const stored = await history(hub.url, CH);
    const storedIds = new Set(stored.map((m) => m.id));
    const stormIds = stored.filter((m) => /^storm-\d+$/.test(m.id) && Number(m.id.slice(6)) < 1_000_000);

    for (const f of stats.failures.slice(0, 10)) console.log(`failure: ${f}`);
    printCounts('connect-storm', {
      published: stats.published,
      acknowledged: stats.acknowledged,
      delivered: stats.delivered,
      lost: stats.acknowledged - stormIds.length,
      duplicated: stored.length - storedIds.size,
      connects: total,
      connect_rate: Math.round((total / stormMs) * 1000),
      ...Object.fromEntries([...stats.byKind].map(([k, v]) => [k.replace(/-/g, '_'), v])),
      failures: stats.failures.length,
      connections_base: baseConnections,
      connections_right_after: peakConnections,
      connections_after: afterConnections,
      fds_base: baseFds,
      fds_peak: peakFds,
      fds_after: afterFds,
      heap_base_mib: baseHeap / MiB,
      heap_after_mib: heap / MiB,
      rss_base_mib: baseRss / MiB,
      rss_after_mib: rss / MiB,
    });

    assert.ok(hub.child.exitCode === null && hub.child.signalCode === null, 'the hub is still running');
    assert.deepEqual(stats.failures, [], 'every connection that said hello was welcomed and served');
    assert.ok(connectionsBack, `switchboard_connections back to ${baseConnections} (it is ${afterConnections})`);
    assert.ok(fdsBack, `open fds back near ${baseFds} (they are ${afterFds})`);
    assert.ok(heapBack, `heap after GC ${(heap / MiB).toFixed(1)} MiB is within 10 % of ${(baseHeap / MiB).toFixed(1)} MiB`);
    assert.equal(stormIds.length, stats.acknowledged, 'every acknowledged publish of the storm is stored');
    assert.equal(stored.length, storedIds.size, 'nothing stored twice');
  });
});
