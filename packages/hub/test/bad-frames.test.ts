import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient, type WireFrame } from '../../../test/support/raw-client.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import type { Envelope } from '@switchboard/protocol';

const MiB = 1024 * 1024;

describe('bad frames: each gets an err and the connection keeps working', () => {
  const fx = useHub();
  let c: RawClient;
  let published = 0;
  before(async () => {
    c = await fx.connect('fuzzer');
  });

  /** The connection is open and a publish on it still succeeds, with the next seq. */
  async function stillPublishes(client = c): Promise<void> {
    assert.equal(client.closed, undefined, 'the connection is still open');
    const ok = await client.call({ op: 'pub', ch: 'after.bad', type: 'probe', data: { n: published + 1 } });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    assert.equal(ok.seq, ++published);
  }

  /** Sends a raw frame (string, or an object that gets an id) and returns the err that answers it. */
  async function errFor(frame: string | Record<string, unknown>, id?: number | string): Promise<WireFrame> {
    if (typeof frame === 'string') {
      c.send(frame);
      return c.next((f) => f.op === 'err' && !('re' in f));
    }
    c.send(id === undefined ? frame : { ...frame, id });
    return c.next((f) => f.op === 'err' && (id === undefined ? !('re' in f) : f.re === id));
  }

  function assertErr(err: WireFrame, code: string, what: string): void {
    assert.equal(err.op, 'err', what);
    assert.equal(err.code, code, `${what}: ${JSON.stringify(err)}`);
    assert.equal(typeof err.message, 'string', what);
    assert.ok(err.message.length > 10, `${what}: the message says what to change`);
  }

  it('answers text that is not a JSON object with BAD_FRAME (no re)', async () => {
    for (const text of ['{not json', '', '[1,2]', '42', 'null', '"hello"', 'true', '{"op":"ping"']) {
      const err = await errFor(text);
      assertErr(err, 'BAD_FRAME', JSON.stringify(text));
      assert.equal('re' in err, false);
      await stillPublishes();
    }
  });

  it('answers a frame without op with BAD_FRAME and an unknown op with UNKNOWN_OP', async () => {
    assertErr(await errFor({ ch: 'x' }, 1), 'BAD_FRAME', 'missing op');
    await stillPublishes();
    assertErr(await errFor({ op: 42 }, 2), 'BAD_FRAME', 'numeric op');
    await stillPublishes();
    const unknown = await errFor({ op: 'frobnicate' }, 3);
    assertErr(unknown, 'UNKNOWN_OP', 'unknown op');
    assert.match(unknown.message, /frobnicate/);
    await stillPublishes();
    assertErr(await errFor({ op: 'welcome' }, 'w'), 'UNKNOWN_OP', 'a server-only op from a client');
    await stillPublishes();
  });

  it('refuses a hello whose version is not a string with BAD_FRAME', async () => {
    for (const version of [42, true, null, { v: 1 }]) {
      const fresh = await fx.open();
      const err = await fresh.call({ op: 'hello', component: 'versioned', version });
      assertErr(err, 'BAD_FRAME', `hello with version ${JSON.stringify(version)}`);
      assert.match(err.message, /version/);
    }
  });

  it('answers an id that is neither number nor string with BAD_FRAME', async () => {
    c.send({ op: 'ping', id: { nested: true } });
    assertErr(await c.next((f) => f.op === 'err' && !('re' in f)), 'BAD_FRAME', 'object id');
    await stillPublishes();
  });

  it('checks the fields of pub', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ op: 'pub', type: 't', data: {} }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 42, type: 't', data: {} }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'ok.ch', data: {} }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'ok.ch', type: 7, data: {} }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'ok.ch', type: '', data: {} }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'ok.ch', type: 't', data: {}, msg_id: 12 }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'ok.ch', type: 't', data: {}, meta: 'nope' }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'ok.ch', type: 't', data: {}, meta: { priority: 'urgent' } }, 'BAD_FRAME'],
      [{ op: 'pub', ch: 'bad..name', type: 't', data: {} }, 'UNKNOWN_CHANNEL'],
      [{ op: 'pub', ch: 'market.*', type: 't', data: {} }, 'UNKNOWN_CHANNEL'],
    ];
    let id = 10;
    for (const [frame, code] of cases) {
      assertErr(await errFor(frame, id++), code, JSON.stringify(frame));
      await stillPublishes();
    }
    const head = await c.call({ op: 'sub', ch: 'ok.ch', from: 'earliest' });
    assert.equal(head.head, 0, 'no refused pub was stored');
  });

  it('checks the fields of sub', async () => {
    const cases: Record<string, unknown>[] = [
      { op: 'sub' },
      { op: 'sub', ch: 5 },
      { op: 'sub', ch: 'x.y', from: 'yesterday' },
      { op: 'sub', ch: 'x.y', from: -1 },
      { op: 'sub', ch: 'x.y', from: 1.5 },
      { op: 'sub', ch: 'x.y', from: {} },
      { op: 'sub', ch: 'x.y', ack: 'sometimes' },
      { op: 'sub', ch: 'x.y', ack: true },
      { op: 'sub', ch: 'x.y', group: 42 },
      { op: 'sub', ch: 'x.y', group: '' },
      { op: 'sub', ch: 'x.y', group: 'has space' },
      { op: 'sub', ch: 'x.y', max_inflight: 0 },
    ];
    let id = 100;
    for (const frame of cases) {
      assertErr(await errFor(frame, id++), 'BAD_FRAME', JSON.stringify(frame));
      await stillPublishes();
    }
    assertErr(await errFor({ op: 'sub', ch: 'a.>.b' }, id++), 'UNKNOWN_CHANNEL', 'misplaced >');
    await stillPublishes();
  });

  it('checks ack, nack and unsub', async () => {
    const sub = await c.call({ op: 'sub', ch: 'acks.here', ack: 'manual' });
    assert.equal(sub.op, 'ok');
    const bad: Record<string, unknown>[] = [
      { op: 'ack', sub: sub.sub },
      { op: 'ack', sub: sub.sub, seq: '1' },
      { op: 'ack', sub: sub.sub, seq: 0 },
      { op: 'ack', sub: sub.sub, seq: -3 },
      { op: 'ack', sub: sub.sub, seq: 1.5 },
      { op: 'ack', seq: 1 },
      { op: 'ack', sub: 1, seq: 1 },
      { op: 'ack', sub: sub.sub, seq: 1, ch: 5 },
      { op: 'nack', sub: sub.sub, seq: 'x' },
      { op: 'nack', sub: sub.sub, seq: 1, delay_ms: -5 },
      { op: 'nack', sub: sub.sub, seq: 1, delay_ms: 'soon' },
      { op: 'unsub' },
    ];
    let id = 200;
    for (const frame of bad) {
      assertErr(await errFor(frame, id++), 'BAD_FRAME', JSON.stringify(frame));
      await stillPublishes();
    }
    for (const frame of [
      { op: 'ack', sub: 's999', seq: 1 },
      { op: 'nack', sub: 's999', seq: 1 },
      { op: 'unsub', sub: 's999' },
    ]) {
      const err = await errFor(frame, id++);
      assertErr(err, 'NOT_FOUND', JSON.stringify(frame));
      assert.match(err.message, /s999/);
      await stillPublishes();
    }
    // Without id, an ack refusal still comes back, naming the subscription.
    c.send({ op: 'ack', sub: 's998', seq: 1 });
    const noId = await c.next((f) => f.op === 'err' && f.sub === 's998');
    assertErr(noId, 'NOT_FOUND', 'ack without id');
    await stillPublishes();
  });

  it('checks req and reply', async () => {
    c.send({ op: 'req', to: 'someone', type: 'q', data: {} });
    assertErr(await c.next((f) => f.op === 'err' && !('re' in f)), 'BAD_FRAME', 'req without id');
    await stillPublishes();
    const cases: Record<string, unknown>[] = [
      { op: 'req', type: 'q' },
      { op: 'req', to: '', type: 'q' },
      { op: 'req', to: 9, type: 'q' },
      { op: 'req', to: 'someone' },
      { op: 'req', to: 'someone', type: 'q', timeout_ms: -1 },
      { op: 'req', to: 'someone', type: 'q', timeout_ms: 'long' },
      { op: 'reply', data: {} },
    ];
    let id = 300;
    for (const frame of cases) {
      assertErr(await errFor(frame, id++), 'BAD_FRAME', JSON.stringify(frame));
      await stillPublishes();
    }
    assertErr(await errFor({ op: 'reply', rid: 'r-none', data: {} }, id++), 'NOT_FOUND', 'reply to no request');
    await stillPublishes();
    for (const error of [42, 'broken', true, [1]]) {
      assertErr(await errFor({ op: 'reply', rid: 'r-none', error }, id++), 'BAD_FRAME', `reply with error ${JSON.stringify(error)}`);
      await stillPublishes();
    }
  });

  it('answers a binary frame and a text frame of invalid UTF-8 with BAD_FRAME', async () => {
    c.ws.send(Buffer.from(JSON.stringify({ op: 'ping', id: 'bin' })), { binary: true });
    const bin = await c.next((f) => f.op === 'err' && !('re' in f));
    assertErr(bin, 'BAD_FRAME', 'binary frame');
    assert.match(bin.message, /binary|text/i);
    assert.equal(
      c.frames.some((f) => f.op === 'pong'),
      false,
      'the binary frame was not executed',
    );
    await stillPublishes();

    c.ws.send(Buffer.from([0x7b, 0x22, 0x6f, 0x70, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    const utf = await c.next((f) => f.op === 'err' && !('re' in f));
    assertErr(utf, 'BAD_FRAME', 'invalid UTF-8');
    assert.match(utf.message, /UTF-8/);
    await stillPublishes();
  });

  it('answers a frame just over 1 MiB with TOO_LARGE and keeps the connection', async () => {
    const frame = { op: 'pub', id: 'big', ch: 'big.ch', type: 't', data: '' };
    const base = Buffer.byteLength(JSON.stringify(frame));
    frame.data = 'x'.repeat(MiB + 1 - base);
    const text = JSON.stringify(frame);
    assert.equal(Buffer.byteLength(text), MiB + 1);
    c.send(text);
    const err = await c.next((f) => f.op === 'err' && !('re' in f) && f.code === 'TOO_LARGE');
    assertErr(err, 'TOO_LARGE', 'frame over 1 MiB');
    await stillPublishes();
    // A frame of exactly the limit is accepted.
    frame.id = 'limit';
    frame.data = '';
    frame.data = 'x'.repeat(MiB - Buffer.byteLength(JSON.stringify(frame)));
    const exact = JSON.stringify(frame);
    assert.equal(Buffer.byteLength(exact), MiB);
    c.send(exact);
    const ok = await c.next((f) => f.re === 'limit');
    assert.equal(ok.op, 'ok');
    assert.equal(ok.seq, 1);
    await stillPublishes();
  });

  it('closes the socket with 1009 for a frame over 4 MiB', async () => {
    const { client: victim } = await RawClient.connect(fx.hub.wsUrl, 'huge-sender');
    const closed = new Promise<number>((resolve) => victim.ws.once('close', (code) => resolve(code)));
    victim.send(JSON.stringify({ op: 'pub', ch: 'huge.ch', type: 't', data: 'y'.repeat(4 * MiB + 10) }));
    assert.equal(await closed, 1009);
    // The hub itself is fine: this connection and a new one both publish.
    await stillPublishes();
    const { client: fresh } = await RawClient.connect(fx.hub.wsUrl, 'after-huge');
    const ok = await fresh.call({ op: 'pub', ch: 'huge.ch', type: 't', data: 'small' });
    assert.deepEqual([ok.op, ok.seq], ['ok', 1], 'the huge frame was not stored');
    await fresh.close();
  });

  it('answers data nested too deeply to store with BAD_FRAME', async () => {
    const depth = 100_000;
    c.send(`{"op":"pub","id":"deep","ch":"deep.ch","type":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const err = await c.next((f) => f.re === 'deep');
    assertErr(err, 'BAD_FRAME', 'deeply nested data');
    await stillPublishes();
    const h = await fx.historyPage('deep.ch');
    assert.deepEqual(h.messages, []);
  });

  it('stores and delivers __proto__ and constructor keys in data and meta verbatim', async () => {
    const sub = await c.call({ op: 'sub', ch: 'proto.keys', from: 'earliest' });
    const raw =
      '{"op":"pub","id":"pp","ch":"proto.keys","type":"t",' +
      '"data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"plain":1},' +
      '"meta":{"__proto__":{"isAdmin":true},"correlation_id":"c1"}}';
    c.send(raw);
    const ok = await c.next((f) => f.re === 'pp');
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    const [m] = await c.messages<Envelope<Record<string, unknown>>>(sub.sub, 1);
    const expectedData = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"plain":1}');
    assert.equal(Object.getPrototypeOf(m.msg.data), Object.prototype);
    assert.ok(Object.hasOwn(m.msg.data, '__proto__'), 'the __proto__ key is delivered as data');
    assert.deepEqual(m.msg.data['__proto__'], { polluted: true });
    assert.equal(JSON.stringify(m.msg.data), JSON.stringify(expectedData));
    assert.ok(Object.hasOwn(m.msg.meta!, '__proto__'));
    assert.equal(m.msg.meta!.correlation_id, 'c1');

    const res = await fetch(`${fx.hub.url}/v1/channels/proto.keys/messages`);
    const text = await res.text();
    assert.ok(text.includes('"__proto__":{"polluted":true}'), text);
    assert.ok(text.includes('"constructor":{"prototype":{"polluted":true}}'), text);

    // Nothing leaked into other messages.
    await c.call({ op: 'pub', ch: 'proto.keys', type: 't', data: {} });
    const [m2] = await c.messages(sub.sub, 1);
    assert.deepEqual(m2.msg.data, {});
    assert.equal(JSON.stringify(m2.msg.data), '{}');
    await stillPublishes();
  });
});
