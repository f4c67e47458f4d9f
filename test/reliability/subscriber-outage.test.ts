// A durable subscriber down for a while (10 s in the issue, 60 s in the soak; the short form takes 5 s to keep
// the suite quick) while publishers keep 5k msg/s flowing: when it comes back it receives every message it
// missed, in seq order, with no gap, then keeps up with the live stream. Three ways of coming back:
// - follower: auto ack, subscribes again with `from: <last seq it saw>` (the position kept by the client);
// - session: manual ack, dropped abruptly (socket terminated), reconnects with `hello.resume` and the hub
//   restores the subscription at its acknowledged position (unacknowledged deliveries come again: counted);
// - group: the only member of a consumer group (manual ack); the group's position is kept by the hub.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { RawClient } from '../support/raw-client.js';
import { bySoak, now, PacedPublisher, percentile, printCounts, Receiver } from '../support/load.js';
import { waitFor, sleep } from '../support/util.js';

const CH = 'rel.outage';
const RATE = 5_000;
const DOWN_MS = bySoak(5_000, 60_000);
const BEFORE_MS = 1_500;
const AFTER_MS = bySoak(1_500, 5_000);

type Kind = 'follower' | 'session' | 'group';

/** One subscriber that can go down and come back, with its bookkeeping. */
interface Sub {
  kind: Kind;
  rx: Receiver;
  client?: RawClient;
  sub: string;
  session: string;
  /** Time (ms) from coming back until it had caught up with the head at that moment. */
  catchUpMs?: number;
}

describe('a durable subscriber comes back after an outage', () => {
  let hub: HubProcess | undefined;
  after(async () => hub?.cleanup());

  it(`receives everything it missed, with no gap, after ${DOWN_MS / 1000} s down at ${RATE} msg/s`, async () => {
    hub = await startHub();
    const wsUrl = hub.wsUrl;
    const subs: Sub[] = (['follower', 'session', 'group'] as Kind[]).map((kind) => ({ kind, rx: new Receiver(0), sub: '', session: '' }));

    /** Opens the subscriber's connection and (re)subscribes the way its kind does. */
    async function up(s: Sub, again: boolean): Promise<void> {
      const extra = again && s.kind === 'session' ? { resume: s.session } : {};
      const client = await RawClient.open(wsUrl);
      const manual = s.kind !== 'follower';
      // Tapped before hello: a resumed session's messages may follow the welcome in the same packet.
      client.tap(
        (f) => f.op === 'msg',
        (f) => {
          s.rx.onMessage(f.msg);
          if (manual) client.send(`{"op":"ack","sub":"${f.sub}","seq":${f.msg.seq}}`);
        },
      );
      const welcome = await client.call({ op: 'hello', component: `outage-${s.kind}`, ...extra }, 30_000);
      assert.equal(welcome.op, 'welcome', JSON.stringify(welcome));
      s.client = client;
      s.session = welcome.session;
      if (s.kind === 'session' && again) {
        assert.equal(welcome.resumed, true, `the session was resumed: ${JSON.stringify(welcome)}`);
        s.sub = welcome.subs[0].sub;
      } else {
        const frame = s.kind === 'group' ? { ch: CH, group: 'outage', ack: 'manual', from: 0 } : { ch: CH, from: s.rx.last, ack: manual ? 'manual' : 'auto' };
        const reply = await client.call({ op: 'sub', ...frame }, 30_000);
        assert.equal(reply.op, 'ok', JSON.stringify(reply));
        s.sub = reply.sub;
      }
    }

    for (const s of subs) await up(s, false);
    const pubs = [1, 2].map(
      (p) => new PacedPublisher({ ch: CH, component: `outage-pub-${p}`, rate: RATE / 2, window: 128, msgId: (i) => `o${p}-${i}`, pad: 32 }),
    );
    await Promise.all(pubs.map((p) => p.connect(wsUrl)));
    const acked = () => pubs.reduce((n, p) => n + p.acked.size, 0);

    // A bystander pings every 20 ms throughout: catching up must not stall the hub for everyone else.
    const bystander = (await RawClient.connect(wsUrl, 'outage-bystander')).client;
    const pings: number[] = [];
    let pinging = true;
    const pingLoop = (async () => {
      while (pinging) {
        const t = now();
        await bystander.call({ op: 'ping' }, 60_000);
        pings.push(now() - t);
        await sleep(20);
      }
    })();

    await sleep(BEFORE_MS);
    // Down: the follower closes cleanly, the session is cut off abruptly, the group member closes.
    await subs[0]!.client!.close();
    subs[1]!.client!.ws.terminate();
    await subs[2]!.client!.close();
    const lastBeforeDown = subs.map((s) => s.rx.last);
    const downAt = acked();
    await sleep(DOWN_MS);
    const missedWhileDown = acked() - downAt;

    // Back up: each catches up with what it missed while the publishers keep going.
    const pingsBefore = pings.length;
    await Promise.all(
      subs.map(async (s) => {
        const backAt = now();
        s.rx.liveFrom = Infinity;
        await up(s, true);
        const target = acked();
        await waitFor(() => s.rx.last >= target, 'the subscriber to catch up', { timeoutMs: 120_000, everyMs: 20 }).catch(() => {});
        s.catchUpMs = now() - backAt;
        s.rx.liveFrom = s.rx.last;
      }),
    );
    const catchUpPings = pings.slice(pingsBefore);
    await sleep(AFTER_MS);
    pinging = false;
    await pingLoop;
    await bystander.close();
    await Promise.all(pubs.map((p) => p.finish()));
    const published = pubs.reduce((n, p) => n + p.published, 0);
    const head = acked();
    const caughtUp = await waitFor(() => subs.every((s) => s.rx.last >= head), 'every subscriber to catch up', { timeoutMs: 60_000, everyMs: 100 }).then(
      () => true,
      () => false,
    );
    for (const s of subs) await s.client!.close();

    for (const [i, s] of subs.entries()) {
      console.log(
        `${s.kind}: last seq before the outage ${lastBeforeDown[i]}, delivered ${s.rx.delivered}, duplicates ${s.rx.duplicates}, gaps ${s.rx.gaps.length}, ` +
          `caught up ${Math.round(s.catchUpMs ?? -1)} ms after coming back, live p99 ${percentile(s.rx.latencies, 0.99).toFixed(1)} ms`,
      );
    }
    printCounts('subscriber-outage', {
      published,
      acknowledged: head,
      delivered: subs.reduce((n, s) => n + s.rx.delivered, 0),
      lost: subs.reduce((n, s) => n + s.rx.missing + Math.max(0, head - s.rx.last), 0),
      duplicated: subs.reduce((n, s) => n + s.rx.duplicates, 0),
      down_ms: DOWN_MS,
      missed_while_down: missedWhileDown,
      catch_up_ms_max: Math.round(Math.max(...subs.map((s) => s.catchUpMs ?? 0))),
      bystander_ping_p99_ms: percentile(catchUpPings, 0.99),
      bystander_ping_max_ms: percentile(catchUpPings, 1),
      publish_rate: Math.round(published / ((BEFORE_MS + DOWN_MS + AFTER_MS) / 1000)),
    });

    for (const p of pubs) assert.deepEqual(p.errors, [], 'no publish was refused');
    assert.equal(head, published, 'every publish was acknowledged');
    assert.ok(missedWhileDown >= 100, `messages flowed during the outage (${missedWhileDown})`);
    assert.ok(caughtUp, `every subscriber reached the head ${head}: ${subs.map((s) => `${s.kind}=${s.rx.last}`).join(' ')}`);
    for (const s of subs) {
      assert.deepEqual(s.rx.gaps, [], `${s.kind}: no gap`);
      assert.equal(s.rx.last, head, `${s.kind}: received up to the head`);
    }
    assert.equal(subs[0]!.rx.duplicates, 0, 'the follower resuming from its last seq repeats nothing');
    // Loose on purpose: a catch-up that held the event loop would stall a ping for the whole catch-up.
    assert.ok(percentile(catchUpPings, 1) < 5_000, `a bystander's ping waited ${percentile(catchUpPings, 1).toFixed(0)} ms during the catch-up`);
  });
});
