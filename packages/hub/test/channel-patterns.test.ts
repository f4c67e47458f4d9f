import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient, WireFrame } from '../../../test/support/raw-client.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';

describe('channel patterns', () => {
  const fx = useHub({ config: fixture('short-ack-timeout.yaml') });
  async function pub(c: RawClient, ch: string, data: unknown): Promise<number> {
    const ok = await c.call({ op: 'pub', ch, type: 't', data });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    return ok.seq;
  }
  async function quiet(c: RawClient, sub: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    await c.call({ op: 'ping' });
    assert.deepEqual(
      c.drain((f) => f.op === 'msg' && f.sub === sub).map((f) => `${f.msg.ch}#${f.msg.seq}`),
      [],
    );
  }

  it('market.* and market.> receive from existing channels and channels created after subscribing', async () => {
    const p = await fx.connect('pattern-pub');
    const c = await fx.connect('pattern-sub');
    await pub(p, 'market.ticks', 'before-sub');

    const star = await c.call({ op: 'sub', ch: 'market.*' });
    const rest = await c.call({ op: 'sub', ch: 'market.>' });
    const starEarliest = await c.call({ op: 'sub', ch: 'market.*', from: 'earliest' });
    assert.equal(star.op, 'ok');
    assert.equal(rest.op, 'ok');
    assert.equal(star.head, 1);

    await pub(p, 'market.ticks', 'ticks-2');
    await pub(p, 'market.news', 'news-1'); // a channel that did not exist when subscribing
    await pub(p, 'market.fx.eur', 'fx-1'); // two segments after market
    await pub(p, 'other.ticks', 'other-1'); // another prefix
    await pub(p, 'market', 'bare'); // the prefix alone
    await pub(p, 'markets.ticks', 'near-miss');
    await pub(p, 'market.news', 'news-2');

    const byChannel = (frames: WireFrame[]) => frames.map((f) => `${f.msg.ch}#${f.msg.seq}:${f.msg.data}`).sort();
    assert.deepEqual(byChannel(await c.messages(star.sub, 3)), ['market.news#1:news-1', 'market.news#2:news-2', 'market.ticks#2:ticks-2']);
    assert.deepEqual(byChannel(await c.messages(rest.sub, 4)), [
      'market.fx.eur#1:fx-1',
      'market.news#1:news-1',
      'market.news#2:news-2',
      'market.ticks#2:ticks-2',
    ]);
    assert.deepEqual(byChannel(await c.messages(starEarliest.sub, 4)), [
      'market.news#1:news-1',
      'market.news#2:news-2',
      'market.ticks#1:before-sub',
      'market.ticks#2:ticks-2',
    ]);
    await quiet(c, star.sub);
    await quiet(c, rest.sub);
    await quiet(c, starEarliest.sub);
  });

  it('delivers in seq order per channel on a pattern subscription', async () => {
    const p = await fx.connect('order-pub');
    const c = await fx.connect('order-sub');
    const s = await c.call({ op: 'sub', ch: 'orders.>' });
    for (let i = 0; i < 10; i++) {
      p.send({ op: 'pub', ch: 'orders.eu', type: 't', data: i });
      p.send({ op: 'pub', ch: 'orders.us.east', type: 't', data: i });
    }
    const frames = await c.messages(s.sub, 20);
    for (const ch of ['orders.eu', 'orders.us.east']) {
      assert.deepEqual(
        frames.filter((f) => f.msg.ch === ch).map((f) => f.msg.seq),
        range(1, 10),
        ch,
      );
    }
  });

  it('* matches exactly one segment', async () => {
    const p = await fx.connect('star-pub');
    const c = await fx.connect('star-sub');
    const mid = await c.call({ op: 'sub', ch: 'room.*.chat' });
    await pub(p, 'room.a.b.chat', 'two-segments');
    await pub(p, 'room.chat', 'zero-segments');
    await pub(p, 'room.lobby.chat', 'one-segment');
    const [m] = await c.messages(mid.sub, 1);
    assert.equal(m.msg.ch, 'room.lobby.chat');
    await quiet(c, mid.sub);
  });

  it('acknowledges on a pattern subscription by seq and ch', async () => {
    const p = await fx.connect('ack-pub');
    const c = await fx.connect('ack-sub');
    const s = await c.call({ op: 'sub', ch: 'acks.*', ack: 'manual' });
    await pub(p, 'acks.a', 'a1');
    await pub(p, 'acks.b', 'b1');
    const first = await c.messages(s.sub, 2);
    assert.deepEqual(
      first.map((f) => f.msg.seq),
      [1, 1],
      'both channels start at seq 1',
    );

    const ambiguous = await c.call({ op: 'ack', sub: s.sub, seq: 1 });
    assert.equal(ambiguous.op, 'err');
    assert.equal(ambiguous.code, 'BAD_FRAME');
    assert.match(ambiguous.message, /"ch"/);

    const ok = await c.call({ op: 'ack', sub: s.sub, seq: 1, ch: 'acks.a' });
    assert.equal(ok.op, 'ok');

    // Only the unacknowledged one (acks.b) comes back after the 300 ms ack timeout.
    const again = await c.next((f) => f.op === 'msg' && f.sub === s.sub, 3000);
    assert.equal(again.msg.ch, 'acks.b');
    assert.equal(again.msg.seq, 1);
    assert.equal(again.redelivered, 1);
    assert.equal((await c.call({ op: 'ack', sub: s.sub, seq: 1, ch: 'acks.b' })).op, 'ok');
    await new Promise((r) => setTimeout(r, 500));
    await quiet(c, s.sub);
  });
});
