// Consumer groups: each message to one member, round-robin, with a shared position that survives members
// leaving, every member disconnecting and a hub restart; `from` only counts when the group is created.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient, WireFrame } from '../../../test/support/raw-client.js';
import { publishMany, quietFor, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { range, sleep, waitFor } from '../../../test/support/util.js';

describe('consumer groups', () => {
  const fx = useHub();

  /** Drains, acks (manual) and records the messages of each member until `total` arrived in all, then a quiet spell. */
  async function collect(members: { client: RawClient; sub: string; manual: boolean }[], total: number, timeoutMs = 15_000): Promise<number[][]> {
    const got: number[][] = members.map(() => []);
    const pull = () => {
      members.forEach((m, i) => {
        for (const f of m.client.drain((x) => x.op === 'msg' && x.sub === m.sub)) {
          got[i]!.push(f.msg.seq);
          if (m.manual) m.client.send({ op: 'ack', sub: m.sub, seq: f.msg.seq });
        }
      });
      return got.reduce((n, g) => n + g.length, 0);
    };
    await waitFor(
      () => pull() >= total,
      () => `${total} messages to reach the group: only ${pull()} did`,
      { timeoutMs, everyMs: 20 },
    );
    await sleep(400); // anything delivered twice would show up now
    pull();
    return got;
  }

  it('hands each of 300 messages to exactly one of 3 members, spread round-robin', async () => {
    const ch = 'cg.work';
    const members = [];
    for (const name of ['engine-a', 'engine-b', 'engine-c']) {
      const client = await fx.connect(name);
      const { sub } = await subscribe(client, { ch, group: 'engine', ack: 'manual' });
      members.push({ client, sub, manual: true });
    }
    const publisher = await fx.connect('bridge');
    const seqs = await publishMany(publisher, ch, 300, { window: 20 });
    const got = await collect(members, 300);
    const all = got.flat().sort((a, b) => a - b);
    assert.deepEqual(
      all,
      [...seqs].sort((a, b) => a - b),
      'union of the members = every published seq, each once',
    );
    assert.equal(new Set(all).size, 300, 'no message handed out twice');
    for (const [i, g] of got.entries()) {
      assert.ok(g.length >= 50, `member ${i} got ${g.length} of 300; round-robin should give each about 100 (got ${got.map((x) => x.length)})`);
    }
  });

  it('hands the unacknowledged messages of a member that leaves to the others', async () => {
    const ch = 'cg.leave';
    const a = await fx.connect('leave-a');
    const b = await fx.connect('leave-b');
    const subA = (await subscribe(a, { ch, group: 'engine', ack: 'manual' })).sub;
    const subB = (await subscribe(b, { ch, group: 'engine', ack: 'manual' })).sub;
    const publisher = await fx.connect('bridge');
    await publishMany(publisher, ch, 20, { window: 1 });
    // B acks what it gets; A holds its share without acking.
    const fromB: WireFrame[] = [];
    const drainB = () => {
      for (const f of b.drain((x) => x.op === 'msg' && x.sub === subB)) {
        fromB.push(f);
        b.send({ op: 'ack', sub: subB, seq: f.msg.seq });
      }
    };
    let held: number[] = [];
    await waitFor(
      () => {
        drainB();
        held = a.frames.filter((x) => x.op === 'msg' && x.sub === subA).map((x) => x.msg.seq);
        return held.length + fromB.length >= 20;
      },
      () => `all 20 to reach A or B: A held ${held.length}, B got ${fromB.length}`,
      { timeoutMs: 2000, everyMs: 20 },
    );
    assert.equal(held.length + fromB.length, 20, `A held ${held.length}, B got ${fromB.length}`);
    assert.ok(held.length > 0, 'A got a share before leaving');
    assert.ok(
      fromB.every((f) => f.redelivered === undefined),
      'first deliveries carry no "redelivered"',
    );

    await a.close(); // A leaves with its messages unacknowledged
    const before = fromB.length;
    await waitFor(
      () => {
        drainB();
        return fromB.length >= before + held.length;
      },
      () => `what A held (${held.length}) to reach B: B got ${fromB.length - before}`,
      { timeoutMs: 5000, everyMs: 20 },
    );
    const handedOver = fromB.slice(before);
    assert.deepEqual(
      handedOver.map((f) => f.msg.seq).sort((x, y) => x - y),
      [...held].sort((x, y) => x - y),
      'what A held goes to B',
    );
    for (const f of handedOver) assert.equal(f.redelivered, 1, `seq ${f.msg.seq} is a redelivery: ${JSON.stringify(f)}`);
    const union = fromB.map((f) => f.msg.seq).sort((x, y) => x - y);
    assert.deepEqual(union, range(1, 20), 'B now handled all 20, each once');
  });

  it('keeps the group position across every member disconnecting and a hub restart', async () => {
    const ch = 'cg.persist';
    const a = await fx.connect('persist-a');
    const subA = (await subscribe(a, { ch, group: 'engine', ack: 'manual', from: 'earliest' })).sub;
    const publisher = await fx.connect('bridge');
    await publishMany(publisher, ch, 50, { window: 10 });
    const got = await a.messages(subA, 50);
    assert.deepEqual(
      got.map((f) => f.msg.seq),
      range(1, 50),
    );
    for (let seq = 1; seq <= 30; seq++) await a.call({ op: 'ack', sub: subA, seq });
    await a.close();

    // A new member continues after the acked ones: 31..50 again (they were never acked), not 1..30.
    const b = await fx.connect('persist-b');
    const subB = (await subscribe(b, { ch, group: 'engine', ack: 'manual', from: 'earliest' })).sub;
    const again = await b.messages(subB, 20);
    assert.deepEqual(
      again.map((f) => f.msg.seq).sort((x, y) => x - y),
      range(31, 50),
    );
    assert.deepEqual(await quietFor(b, subB, 300), [], 'nothing acked by the group comes again');
    for (let seq = 31; seq <= 40; seq++) await b.call({ op: 'ack', sub: subB, seq });
    await b.close();
    await publisher.close();

    const code = await fx.hub.stop();
    assert.equal(code, 0, `hub stops cleanly; output:\n${fx.hub.output()}`);
    await fx.restart();

    const p2 = await fx.connect('bridge');
    const more = await publishMany(p2, ch, 10, { window: 10 });
    assert.deepEqual(more, range(51, 60), 'seqs continue after the restart');
    const c = await fx.connect('persist-c');
    const subC = (await subscribe(c, { ch, group: 'engine', ack: 'manual', from: 'earliest' })).sub;
    const rest = await c.messages(subC, 20);
    assert.deepEqual(
      rest.map((f) => f.msg.seq).sort((x, y) => x - y),
      range(41, 60),
      'after the restart the group continues after seq 40',
    );
    assert.deepEqual(await quietFor(c, subC, 300), [], 'nothing the group acknowledged before the restart is delivered again');
  });

  it('applies "from" only when the group is first created', async () => {
    const ch = 'cg.from';
    const publisher = await fx.connect('bridge');
    await publishMany(publisher, ch, 10, { window: 10 });

    const a = await fx.connect('from-a');
    const subA = (await subscribe(a, { ch, group: 'g-from', from: 5 })).sub;
    const firstA = await a.messages(subA, 5);
    assert.deepEqual(
      firstA.map((f) => f.msg.seq),
      [6, 7, 8, 9, 10],
      'a new group starts after "from"',
    );
    assert.deepEqual(await quietFor(a, subA, 300), []);
    await a.close();

    const b = await fx.connect('from-b');
    const subB = (await subscribe(b, { ch, group: 'g-from', from: 'earliest' })).sub;
    assert.deepEqual(await quietFor(b, subB, 400), [], 'a later member joins the shared position; its "from" is ignored');
    const [seq11] = await publishMany(publisher, ch, 1);
    const [m] = await b.messages(subB, 1);
    assert.equal(m.msg.seq, seq11);

    // A different group on the same channel is new, so its "from" applies.
    const c = await fx.connect('from-c');
    const subC = (await subscribe(c, { ch, group: 'g-other', from: 'earliest' })).sub;
    const all = await c.messages(subC, 11);
    assert.deepEqual(
      all.map((f) => f.msg.seq),
      range(1, 11),
    );
  });
});
