// Slow consumers while 10k msg/s are published on a durable channel: eight subscribers whose sockets stop being
// read at all (the client pauses its socket) and a manual-ack subscriber that acknowledges 10 msg/s. The hub
// pauses each of them (at `max_buffered_bytes` of send buffer, or a full in-flight window) instead of buffering
// without bound: its RSS (VmRSS of the hub process) stays under a fixed bound that is well below what the
// stalled sockets were owed, and a fast subscriber on the same channel receives everything, in order, with
// its latency reported. At the end a stalled subscriber reads again and gets every message with no gap.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { RawClient } from '../support/raw-client.js';
import { subscribe } from '../support/hub-fixture.js';
import { bySoak, now, PacedPublisher, percentile, printCounts, processMemory, Receiver } from '../support/load.js';
import { waitFor, sleep } from '../support/util.js';

const CH = 'rel.slow';
const RATE = 10_000;
const RUN_MS = bySoak(8_000, 60_000);
/** Padding per message: big enough that unbounded buffering would show at once. */
const PAD = 3_000;
const STALLED = 8;
const MiB = 1024 * 1024;
const config = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'slow-consumer.yaml');
/**
 * Bound on the hub's RSS growth over its idle RSS: each stalled socket may hold `max_buffered_bytes` (2 MiB in
 * this test's config) in the hub, the manual-ack subscriber its window of 1,000 messages, plus the store's and
 * V8's working set under this load. It does not depend on the run's length; unbounded buffering grows with it.
 */
const RSS_GROWTH_BOUND = 160 * MiB;

/** Most a loopback socket pair may buffer in the kernel: the receiver's tcp_rmem max plus the sender's tcp_wmem max. */
function kernelSocketBufferMax(): number {
  const max = (file: string) => Number(readFileSync(`/proc/sys/net/ipv4/${file}`, 'utf8').trim().split(/\s+/)[2]);
  return max('tcp_rmem') + max('tcp_wmem');
}

describe('slow consumers', () => {
  let hub: HubProcess | undefined;
  after(async () => hub?.cleanup());

  it(`keep the hub's memory bounded and leave a fast subscriber unaffected at ${RATE} msg/s`, async () => {
    hub = await startHub({ config });
    const pid = hub.child.pid!;
    const clients: RawClient[] = [];

    const fast = new Receiver(0);
    const fastClient = (await RawClient.connect(hub.wsUrl, 'slow-test-fast')).client;
    fastClient.tap(
      (f) => f.op === 'msg',
      (f) => fast.onMessage(f.msg),
    );
    await subscribe(fastClient, { ch: CH, from: 0 });
    clients.push(fastClient);

    const stalled: { client: RawClient; rx: Receiver }[] = [];
    for (let i = 0; i < STALLED; i++) {
      const rx = new Receiver(0);
      const { client } = await RawClient.connect(hub.wsUrl, `slow-test-stalled-${i}`);
      client.tap(
        (f) => f.op === 'msg',
        (f) => rx.onMessage(f.msg),
      );
      await subscribe(client, { ch: CH, from: 0 });
      client.ws.pause();
      stalled.push({ client, rx });
    }

    // The 10 msg/s consumer: manual ack, one acknowledgement every 100 ms, in order.
    const slow = new Receiver(0);
    const slowClient = (await RawClient.connect(hub.wsUrl, 'slow-test-ten-per-second')).client;
    const toAck: { sub: string; seq: number }[] = [];
    slowClient.tap(
      (f) => f.op === 'msg',
      (f) => {
        slow.onMessage(f.msg);
        toAck.push({ sub: f.sub, seq: f.msg.seq });
      },
    );
    await subscribe(slowClient, { ch: CH, from: 0, ack: 'manual' });
    clients.push(slowClient);
    let slowAcked = 0;
    const acker = setInterval(() => {
      const next = toAck.shift();
      if (next) {
        slowClient.send({ op: 'ack', ...next });
        slowAcked++;
      }
    }, 100);

    await sleep(500);
    const idle = processMemory(pid).rss;
    let peak = idle;
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const { rss } = processMemory(pid);
      samples.push(rss);
      peak = Math.max(peak, rss);
    }, 200);

    const pubs = [1, 2, 3, 4].map(
      (p) => new PacedPublisher({ ch: CH, component: `slow-pub-${p}`, rate: RATE / 4, window: 128, msgId: (i) => `s${p}-${i}`, pad: PAD }),
    );
    await Promise.all(pubs.map((p) => p.connect(hub!.wsUrl)));
    await sleep(RUN_MS);
    await Promise.all(pubs.map((p) => p.finish()));
    const finishedAt = now();
    const published = pubs.reduce((n, p) => n + p.published, 0);
    const head = pubs.reduce((n, p) => n + p.acked.size, 0);
    const fastCaughtUp = await waitFor(() => fast.last >= head, 'the fast subscriber to catch up', { timeoutMs: 30_000, everyMs: 100 }).then(
      () => true,
      () => false,
    );
    const fastCatchUpMs = now() - finishedAt;
    clearInterval(sampler);
    clearInterval(acker);
    const owedBytes = published * (PAD + 200) * STALLED;
    // The kernel holds part of what a stalled socket is owed (its receive and send buffers), outside the hub's RSS.
    const kernelPerSocket = kernelSocketBufferMax();
    const discriminating = owedBytes / STALLED > kernelPerSocket + RSS_GROWTH_BOUND / STALLED;
    const lateHalf = samples.slice(Math.floor(samples.length / 2));

    // A stalled subscriber reads again: everything arrives, in order, from the log. A socket silent for longer than
    // 2 × heartbeat (30 s, the soak) has been dropped by the hub meanwhile: it reconnects from its last seq.
    const again = stalled[0]!;
    again.client.ws.resume();
    const resumedAt = now();
    await waitFor(() => again.rx.last >= head || again.client.closed !== undefined, 'the stalled subscriber to catch up or be dropped', {
      timeoutMs: 60_000,
      everyMs: 100,
    }).catch(() => {});
    const droppedWith = again.client.closed?.code;
    if (again.rx.last < head && droppedWith !== undefined) {
      const { client } = await RawClient.connect(hub.wsUrl, 'slow-test-stalled-0');
      client.tap(
        (f) => f.op === 'msg',
        (f) => again.rx.onMessage(f.msg),
      );
      await subscribe(client, { ch: CH, from: again.rx.last });
      clients.push(client);
    }
    const stalledCaughtUp = await waitFor(() => again.rx.last >= head, 'the stalled subscriber to catch up', { timeoutMs: 60_000, everyMs: 100 }).then(
      () => true,
      () => false,
    );
    const stalledCatchUpMs = now() - resumedAt;
    for (const c of clients) await c.close();
    // A paused socket never reads the close handshake: cut it off.
    for (const s of stalled) s.client.ws.terminate();

    const p50 = percentile(fast.latencies, 0.5);
    const p99 = percentile(fast.latencies, 0.99);
    const ackP99 = percentile(
      pubs.flatMap((p) => p.ackLatencies),
      0.99,
    );
    console.log(
      `hub RSS: idle ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB (growth ${((peak - idle) / MiB).toFixed(0)} MiB, bound ${RSS_GROWTH_BOUND / MiB} MiB); ` +
        `the stalled sockets were owed ${(owedBytes / MiB).toFixed(0)} MiB, of which the kernel may hold up to ${(kernelPerSocket / MiB).toFixed(0)} MiB each ` +
        `(${discriminating ? 'unbounded buffering would have broken the bound' : 'too slow a run for the bound to tell unbounded buffering apart: the soak does'}); fast subscriber latency p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms max ${percentile(fast.latencies, 1).toFixed(1)} ms ` +
        `(publish→ok p99 ${ackP99.toFixed(1)} ms)`,
    );
    printCounts('slow-consumer', {
      published,
      acknowledged: head,
      delivered: fast.delivered + slow.delivered + stalled.reduce((n, s) => n + s.rx.delivered, 0),
      lost: fast.missing + Math.max(0, head - fast.last) + stalled[0]!.rx.missing + Math.max(0, head - stalled[0]!.rx.last),
      duplicated: fast.duplicates + slow.duplicates + stalled[0]!.rx.duplicates,
      fast_delivered: fast.delivered,
      slow_delivered: slow.delivered,
      slow_acked: slowAcked,
      fast_behind_at_end_ms: Math.round(fastCatchUpMs),
      stalled_catch_up_ms: Math.round(stalledCatchUpMs),
      stalled_dropped_with: droppedWith ?? 'no',
      fast_p50_ms: p50,
      fast_p99_ms: p99,
      publish_ack_p99_ms: ackP99,
      hub_rss_idle_mib: idle / MiB,
      hub_rss_peak_mib: peak / MiB,
      hub_rss_late_half_max_mib: Math.max(...lateHalf) / MiB,
      owed_to_stalled_mib: owedBytes / MiB,
      kernel_buffer_per_socket_mib: kernelPerSocket / MiB,
      publish_rate: Math.round((published / RUN_MS) * 1000),
    });

    for (const p of pubs) assert.deepEqual(p.errors, [], 'no publish was refused');
    assert.equal(head, published);
    assert.ok(peak - idle <= RSS_GROWTH_BOUND, `hub RSS grew by ${((peak - idle) / MiB).toFixed(0)} MiB, over the bound of ${RSS_GROWTH_BOUND / MiB} MiB`);
    assert.ok(fastCaughtUp, `the fast subscriber received everything (at ${fast.last} of ${head})`);
    assert.deepEqual(fast.gaps, [], 'the fast subscriber saw no gap');
    assert.equal(fast.duplicates, 0);
    // Loose on purpose (a loaded machine slows everything): delivery to the fast subscriber may not lag far behind
    // the publishers' own acknowledgements, as it would if the slow subscribers held up the channel.
    assert.ok(
      p99 <= Math.max(1_000, 4 * ackP99),
      `the fast subscriber's p99 latency (${p99.toFixed(0)} ms) is not blown up by the slow ones (publish→ok p99 ${ackP99.toFixed(0)} ms)`,
    );
    // Redeliveries after the ack timeout (30 s) repeat messages of the window; distinct ones stay within it.
    const slowDistinct = slow.delivered - slow.duplicates;
    assert.ok(
      slowDistinct <= 1_000 + slowAcked,
      `the 10 msg/s consumer got at most its window ahead of its acks (${slowDistinct} distinct delivered, ${slowAcked} acked)`,
    );
    assert.deepEqual(slow.gaps, [], 'the 10 msg/s consumer saw no gap');
    assert.ok(stalledCaughtUp, `the stalled subscriber caught up once it read again (at ${stalled[0]!.rx.last} of ${head})`);
    assert.deepEqual(stalled[0]!.rx.gaps, [], 'the stalled subscriber saw no gap');
  });
});
