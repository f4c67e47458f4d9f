// The in-flight window: a manual-ack subscriber gets at most `max_inflight` unacknowledged messages and then
// is paused, not buffered; a slow subscriber does not hold back a fast one; a paused subscriber with 20k
// unread messages does not make the hub's memory balloon, and gets every message once it reads again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { assertContiguous, publishMany, quietFor, subscribe, useHub, useHubProcess } from '../../../test/support/hub-fixture.js';
import { range, sleep, withTimeout } from '../../../test/support/util.js';
import { fixture, rssMb } from './fixtures/delivery-support.js';

/** ws keeps the TCP socket of a WebSocket in `_socket` (not in its types); pausing it stops reading. */
interface WsInternals {
  _socket: Socket;
}

describe('in-flight window', () => {
  // The cap test starts a second hub of its own, with another config.
  const fx = useHub();

  it('delivers exactly max_inflight (10) unacknowledged messages, then continues in order as acks come', async () => {
    const ch = 'win.ten';
    const c = await fx.connect('engine');
    const { sub } = await subscribe(c, { ch, ack: 'manual', max_inflight: 10 });
    const publisher = await fx.connect('bridge');
    await publishMany(publisher, ch, 40, { window: 10 });

    const first = await c.messages(sub, 10);
    assertContiguous(
      first.map((f) => f.msg.seq),
      0,
      'first window',
    );
    assert.deepEqual(await quietFor(c, sub, 500), [], 'no 11th message before an ack');

    // Acking 3 opens room for exactly 3 more.
    for (const seq of [1, 2, 3]) c.send({ op: 'ack', sub, seq });
    const next = await c.messages(sub, 3);
    assert.deepEqual(
      next.map((f) => f.msg.seq),
      [11, 12, 13],
    );
    assert.deepEqual(await quietFor(c, sub, 400), [], 'still a window of 10');

    // Ack as messages come: the rest arrives in order, with no gap and no repeat.
    const seqs = [...first, ...next].map((f) => f.msg.seq);
    for (const seq of seqs.slice(3)) c.send({ op: 'ack', sub, seq });
    while (seqs.length < 40) {
      const [m] = await c.messages(sub, 1);
      seqs.push(m.msg.seq);
      c.send({ op: 'ack', sub, seq: m.msg.seq });
    }
    assertContiguous(seqs, 0, 'all 40 deliveries');
    assert.deepEqual(await quietFor(c, sub, 300), []);

    // Live messages after the backlog respect the window too.
    await publishMany(publisher, ch, 15, { window: 15 });
    const live = await c.messages(sub, 10);
    assertContiguous(
      live.map((f) => f.msg.seq),
      40,
      'live window',
    );
    assert.deepEqual(await quietFor(c, sub, 400), [], 'live delivery stops at the window as well');
    for (const f of live) c.send({ op: 'ack', sub, seq: f.msg.seq });
    const tail = await c.messages(sub, 5);
    assertContiguous(
      tail.map((f) => f.msg.seq),
      50,
      'live tail',
    );
  });

  it("caps a subscription's window at the hub's max_inflight, for plain subscribers and group members", async () => {
    const capped = await startHubInProcess({ config: fixture('inflight-cap.yaml') });
    const local: RawClient[] = [];
    try {
      const open = async (component: string) => {
        const r = await RawClient.connect(capped.wsUrl, component);
        local.push(r.client);
        return r;
      };
      const { client: c, welcome } = await open('engine');
      assert.equal(welcome.limits.max_inflight, 20, 'welcome announces the hub limit');
      const asked = await subscribe(c, { ch: 'win.cap', ack: 'manual', max_inflight: 1000, from: 0 });
      const unset = await subscribe(c, { ch: 'win.cap', ack: 'manual', from: 0 });
      const { client: g } = await open('worker');
      const member = await subscribe(g, { ch: 'win.cap', group: 'workers', ack: 'manual', max_inflight: 7, from: 0 });
      const { client: p } = await open('bridge');
      await publishMany(p, 'win.cap', 50, { window: 25 });
      const a = await c.messages(asked.sub, 20);
      const b = await c.messages(unset.sub, 20);
      const m = await g.messages(member.sub, 7);
      assertContiguous(
        a.map((f) => f.msg.seq),
        0,
        'max_inflight 1000 capped to 20',
      );
      assertContiguous(
        b.map((f) => f.msg.seq),
        0,
        'no max_inflight: the hub limit',
      );
      assertContiguous(
        m.map((f) => f.msg.seq),
        0,
        'group member with max_inflight 7',
      );
      assert.deepEqual(await quietFor(c, asked.sub, 400), []);
      assert.deepEqual(
        c.drain((f) => f.op === 'msg'),
        [],
        'neither plain subscription goes past 20',
      );
      assert.deepEqual(
        g.drain((f) => f.op === 'msg'),
        [],
        'the group member stays at 7',
      );
      g.send({ op: 'ack', sub: member.sub, seq: 1 });
      const [eighth] = await g.messages(member.sub, 1);
      assert.equal(eighth.msg.seq, 8, 'an ack lets the group member take the next one');
    } finally {
      for (const x of local) await x.close().catch(() => {});
      await capped.cleanup();
    }
  });

  it('does not let a slow subscriber hold back a fast one on the same channel', async () => {
    const ch = 'win.slowfast';
    const slow = await fx.connect('slow');
    const fast = await fx.connect('fast');
    const slowSub = (await subscribe(slow, { ch, ack: 'manual', max_inflight: 5 })).sub;
    const fastSub = (await subscribe(fast, { ch, ack: 'manual', max_inflight: 50 })).sub;
    const publisher = await fx.connect('bridge');
    const publishing = publishMany(publisher, ch, 1000, { window: 50 });
    const got: number[] = [];
    while (got.length < 1000) {
      const [m] = await fast.messages(fastSub, 1, 10_000);
      got.push(m.msg.seq);
      fast.send({ op: 'ack', sub: fastSub, seq: m.msg.seq });
    }
    await publishing;
    assertContiguous(got, 0, 'fast subscriber');
    const slowGot = await quietFor(slow, slowSub, 200);
    assert.deepEqual(
      slowGot.map((f) => f.msg.seq),
      [1, 2, 3, 4, 5],
      'the slow one sits at its window of 5 meanwhile',
    );
  });
});

describe('in-flight window: memory of the hub', () => {
  // RSS is measured on a hub process of its own: in this process it would count the test's clients too.
  const fx = useHubProcess();

  it('keeps hub memory bounded while paused subscribers have 20,000 unread messages, then delivers them all', async () => {
    const ch = 'win.paused';
    const pid = fx.hub.child.pid!;
    const baseline = rssMb(pid);
    // A reader that stops reading its socket (TCP backpressure) and a manual-ack subscriber that never acks.
    const stalled = await fx.connect('stalled');
    const stalledSub = (await subscribe(stalled, { ch, from: 0 })).sub;
    const lazy = await fx.connect('lazy');
    const lazySub = (await subscribe(lazy, { ch, ack: 'manual', max_inflight: 10 })).sub;
    (stalled.ws as unknown as WsInternals)._socket.pause();

    const publisher = await fx.connect('bridge');
    const blob = 'x'.repeat(8 * 1024); // 20k × 8 KiB ≈ 160 MiB: buffering it would show plainly
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
    }, 50);
    try {
      await publishMany(publisher, ch, 20_000, { window: 100, data: (i) => ({ i, blob }) });
      await sleep(500);
      peak = Math.max(peak, rssMb(pid));
    } finally {
      clearInterval(sampler);
    }
    console.log(`hub RSS: baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB while publishing 20,000 × 8 KiB to paused subscribers`);
    assert.ok(peak < 300, `hub RSS reached ${peak.toFixed(0)} MB (baseline ${baseline.toFixed(0)} MB): paused subscribers are being buffered`);
    assert.ok(peak - baseline < 150, `hub RSS grew by ${(peak - baseline).toFixed(0)} MB`);
    assert.ok(fx.hub.child.exitCode === null, 'hub still running');

    // The never-acking subscriber got exactly its window.
    const lazyGot = lazy.drain((f) => f.op === 'msg' && f.sub === lazySub);
    assert.deepEqual(
      lazyGot.map((f) => f.msg.seq),
      range(1, 10),
    );

    // The stalled reader reads again and receives all 20,000 in order, no gap.
    let count = 0;
    let last = 0;
    let bad = '';
    const done = new Promise<void>((resolve) => {
      stalled.ws.on('message', (data) => {
        const text = data.toString();
        if (!text.startsWith('{"op":"msg"')) return;
        const f = JSON.parse(text);
        if (f.sub !== stalledSub) return;
        if (f.msg.seq !== last + 1 && !bad) bad = `after seq ${last} came ${f.msg.seq}`;
        last = f.msg.seq;
        stalled.frames.length = 0;
        if (++count === 20_000) resolve();
      });
    });
    const early = stalled.drain((f) => f.op === 'msg' && f.sub === stalledSub).map((f) => f.msg.seq);
    assertContiguous(early, 0, 'messages read before pausing');
    last = early.length;
    count = early.length;
    (stalled.ws as unknown as WsInternals)._socket.resume();
    await withTimeout(done, 60_000, () => `only ${count} of 20000 arrived after resuming`);
    assert.equal(bad, '', `in order with no gap: ${bad}`);
    assert.equal(last, 20_000);
  });
});
