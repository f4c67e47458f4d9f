import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient, WireFrame } from '../../../test/support/raw-client.js';
import { publishMany, useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import type { Envelope } from '@switchboard/protocol';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('publish and subscribe', () => {
  const fx = useHub();
  /** Publishes `count` messages of type `n` with data `{ i }`, i counting from `start`, one after the other. */
  const publish = (c: RawClient, ch: string, count: number, start = 1) => publishMany(c, ch, count, { window: 1, type: 'n', first: start });
  /** Proves that nothing more is queued for `sub`: a ping round-trip, then no msg frame waiting. */
  async function assertNoMore(c: RawClient, sub: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await c.call({ op: 'ping' })).op, 'pong');
    assert.deepEqual(
      c.drain((f) => f.op === 'msg' && f.sub === sub),
      [],
    );
  }

  it('fans every message out to three subscribers, each in seq order', async () => {
    const pub = await fx.connect('fan-pub');
    const subs = await Promise.all([fx.connect('fan-a'), fx.connect('fan-b'), fx.connect('fan-c')]);
    const ids: string[] = [];
    for (const s of subs) {
      const r = await s.call({ op: 'sub', ch: 'fan.out' });
      assert.equal(r.op, 'ok');
      assert.equal(r.head, 0);
      ids.push(r.sub);
    }
    const N = 30;
    for (let i = 1; i <= N; i++) pub.send({ op: 'pub', ch: 'fan.out', type: 'n', data: { i } });
    for (const [k, s] of subs.entries()) {
      const msgs = await s.messages<Envelope<{ i: number }>>(ids[k]!, N);
      assert.deepEqual(
        msgs.map((m) => m.msg.seq),
        range(1, N),
        `subscriber ${k}`,
      );
      assert.deepEqual(
        msgs.map((m) => m.msg.data.i),
        range(1, N),
        `subscriber ${k}`,
      );
    }
  });

  it('starts at "earliest", "latest" or after seq n, and reports the head', async () => {
    const pub = await fx.connect('from-pub');
    const c = await fx.connect('from-sub');
    await publish(pub, 'from.ch', 5);

    const earliest = await c.call({ op: 'sub', ch: 'from.ch', from: 'earliest' });
    const latest = await c.call({ op: 'sub', ch: 'from.ch', from: 'latest' });
    const dflt = await c.call({ op: 'sub', ch: 'from.ch' });
    const after3 = await c.call({ op: 'sub', ch: 'from.ch', from: 3 });
    const after0 = await c.call({ op: 'sub', ch: 'from.ch', from: 0 });
    const after5 = await c.call({ op: 'sub', ch: 'from.ch', from: 5 });
    for (const r of [earliest, latest, dflt, after3, after0, after5]) {
      assert.equal(r.op, 'ok');
      assert.equal(r.head, 5, 'head is the last seq of the channel');
    }
    await publish(pub, 'from.ch', 2, 6);

    assert.deepEqual(
      (await c.messages(earliest.sub, 7)).map((m) => m.msg.seq),
      range(1, 7),
    );
    assert.deepEqual(
      (await c.messages(latest.sub, 2)).map((m) => m.msg.seq),
      [6, 7],
    );
    assert.deepEqual(
      (await c.messages(dflt.sub, 2)).map((m) => m.msg.seq),
      [6, 7],
      'from defaults to latest',
    );
    assert.deepEqual(
      (await c.messages(after3.sub, 4)).map((m) => m.msg.seq),
      [4, 5, 6, 7],
    );
    assert.deepEqual(
      (await c.messages(after0.sub, 7)).map((m) => m.msg.seq),
      range(1, 7),
    );
    assert.deepEqual(
      (await c.messages(after5.sub, 2)).map((m) => m.msg.seq),
      [6, 7],
    );
    for (const r of [earliest, latest, dflt, after3, after0, after5]) await assertNoMore(c, r.sub);
  });

  it('sends the sub reply before any msg of that subscription', async () => {
    const pub = await fx.connect('order-pub');
    await publish(pub, 'reply.first', 20);
    const c = await fx.connect('order-sub');
    const order: WireFrame[] = [];
    c.ws.on('message', (raw) => order.push(JSON.parse(raw.toString())));
    const s = await c.call({ op: 'sub', ch: 'reply.first', from: 'earliest' });
    await c.messages(s.sub, 20);
    const okAt = order.findIndex((f) => f.op === 'ok' && f.sub === s.sub);
    const firstMsg = order.findIndex((f) => f.op === 'msg' && f.sub === s.sub);
    assert.ok(okAt >= 0 && okAt < firstMsg, `ok at ${okAt}, first msg at ${firstMsg}`);
  });

  it('ignores unknown fields in client frames and does not store them', async () => {
    const c = await fx.connect('unknown-fields');
    const s = await c.call({ op: 'sub', ch: 'extra.fields', future_option: { x: 1 } });
    assert.equal(s.op, 'ok');
    const ok = await c.call({ op: 'pub', ch: 'extra.fields', type: 't', data: 1, compression: 'none', seq: 999, source: 'spoofed', ts: 'yesterday' });
    assert.equal(ok.op, 'ok');
    assert.equal(ok.seq, 1, 'a client cannot choose its seq');
    const [m] = await c.messages(s.sub, 1);
    assert.deepEqual(Object.keys(m.msg).sort(), ['ch', 'data', 'id', 'seq', 'source', 'ts', 'type']);
    assert.equal(m.msg.source, 'unknown-fields', 'a client cannot choose its source');
    assert.notEqual(m.msg.ts, 'yesterday');
    assert.equal(m.msg.seq, 1);
  });

  it('reports head 0 for an empty channel', async () => {
    const c = await fx.connect('empty-sub');
    const r = await c.call({ op: 'sub', ch: 'never.used', from: 'earliest' });
    assert.equal(r.head, 0);
    await assertNoMore(c, r.sub);
  });

  it('stops delivery after unsub', async () => {
    const pub = await fx.connect('unsub-pub');
    const c = await fx.connect('unsub-sub');
    const witness = await fx.connect('unsub-witness');
    const s = await c.call({ op: 'sub', ch: 'unsub.ch' });
    const w = await witness.call({ op: 'sub', ch: 'unsub.ch' });
    await publish(pub, 'unsub.ch', 1);
    assert.equal((await c.messages(s.sub, 1))[0].msg.seq, 1);
    const ok = await c.call({ op: 'unsub', sub: s.sub });
    assert.equal(ok.op, 'ok');
    await publish(pub, 'unsub.ch', 3, 2);
    assert.deepEqual(
      (await witness.messages(w.sub, 4)).map((m) => m.msg.seq),
      [1, 2, 3, 4],
    );
    await assertNoMore(c, s.sub);
    const again = await c.call({ op: 'unsub', sub: s.sub });
    assert.equal(again.code, 'NOT_FOUND', 'the subscription is gone');
  });

  it('sends no ok for a pub without id, but an err without re carrying ch and msg_id when it is refused', async () => {
    const c = await fx.connect('ff-pub');
    const s = await c.call({ op: 'sub', ch: 'ff.ch' });
    c.send({ op: 'pub', ch: 'ff.ch', type: 'n', data: 1 });
    c.send({ op: 'pub', ch: 'ff.ch', type: 'n', data: 2, msg_id: 'ff-ok-1' });
    const msgs = await c.messages(s.sub, 2);
    assert.deepEqual(
      msgs.map((m) => m.msg.data),
      [1, 2],
    );
    await assertNoMore(c, s.sub);
    assert.deepEqual(
      c.drain((f) => f.op === 'ok' || f.op === 'err'),
      [],
      'no ok for fire-and-forget publishes',
    );

    c.send({ op: 'pub', ch: 'ff.ch', type: 42, data: 3, msg_id: 'ff-bad-1' });
    const err = await c.next((f) => f.op === 'err');
    assert.equal(err.code, 'BAD_FRAME');
    assert.equal('re' in err, false);
    assert.equal(err.ch, 'ff.ch');
    assert.equal(err.msg_id, 'ff-bad-1');
    assert.match(err.message, /type/);

    c.send({ op: 'pub', ch: '$reserved.ch', type: 'n', data: 4 });
    const err2 = await c.next((f) => f.op === 'err');
    assert.equal(err2.code, 'UNKNOWN_CHANNEL');
    assert.equal(err2.ch, '$reserved.ch');
    assert.equal('msg_id' in err2, false);
    assert.equal('re' in err2, false);
    await assertNoMore(c, s.sub);
  });

  it('delivers the full envelope: id, ch, type, source, ts, seq, data and meta', async () => {
    const pub = await fx.connect('envelope-source');
    const c = await fx.connect('envelope-sub');
    const s = await c.call({ op: 'sub', ch: 'env.ch' });
    const meta = {
      correlation_id: 'corr-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      priority: 'high',
      custom: { deep: [1, 2] },
    };
    const before = Date.now();
    const a = await pub.call({ op: 'pub', ch: 'env.ch', type: 'thing.created', data: { a: 1, s: 'é', arr: [true, null] }, meta });
    const b = await pub.call({ op: 'pub', ch: 'env.ch', type: 'thing.created', data: 'plain', msg_id: 'client-key-7' });
    const d = await pub.call({ op: 'pub', ch: 'env.ch', type: 'thing.created' });
    const after = Date.now();
    const [m1, m2, m3] = (await c.messages(s.sub, 3)).map((f) => f.msg);

    assert.deepEqual(Object.keys(m1).sort(), ['ch', 'data', 'id', 'meta', 'seq', 'source', 'ts', 'type']);
    assert.match(m1.id, UUID, 'hub-assigned id is a UUID');
    assert.equal(m1.ch, 'env.ch');
    assert.equal(m1.type, 'thing.created');
    assert.equal(m1.source, 'envelope-source', 'source is the publisher component');
    assert.equal(m1.seq, a.seq);
    assert.match(m1.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const ts = Date.parse(m1.ts);
    assert.ok(ts >= before - 1000 && ts <= after + 1000, `ts ${m1.ts} is the publish time`);
    assert.deepEqual(m1.data, { a: 1, s: 'é', arr: [true, null] });
    assert.deepEqual(m1.meta, meta, 'meta passes through unchanged');

    assert.equal(m2.id, 'client-key-7', 'a client msg_id becomes the id');
    assert.equal(m2.seq, b.seq);
    assert.equal(m2.data, 'plain');
    assert.equal('meta' in m2, false);

    assert.equal(m3.seq, d.seq);
    assert.equal(m3.data, null, 'a pub without data carries null');
    assert.notEqual(m3.id, m1.id);

    const stored = await fx.historyPage('env.ch');
    assert.deepEqual(stored.messages, [m1, m2, m3], 'the stored envelope is the delivered one');
  });
});
