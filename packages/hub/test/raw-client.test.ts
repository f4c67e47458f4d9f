// A client written from the protocol doc (docs/reference/protocol-v1.md) alone, the way a Python or Java author would: one WebSocket, JSON text
// frames, an id counter and a table of waiting replies. No SDK and no test helper for the wire.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { useHub } from '../../../test/support/hub-fixture.js';

/** A frame as the doc describes it, with the fields this client reads (each only on the ops that carry it). */
interface Frame {
  op: string;
  /** The id of the frame answered: this client's ids are numbers. */
  re?: number;
  session: string;
  sub: string;
  head: number;
  seq: number;
  msg: { ch: string; seq: number; type: string; source: string; data: { n: number } };
  redelivered?: number;
  [k: string]: unknown;
}

/** ~40 lines: connect, hello, call-with-id, and an inbox for msg frames. */
async function connectPlain(url: string, component: string) {
  const ws = new WebSocket(url, 'switchboard.v1');
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  const waiting = new Map<number, (f: Frame) => void>();
  const inbox: Frame[] = [];
  const others: Frame[] = [];
  let onMsg: (() => void) | undefined;
  let nextId = 1;
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as Frame;
    if (f.re !== undefined && waiting.has(f.re)) {
      waiting.get(f.re)!(f);
      waiting.delete(f.re);
    } else if (f.op === 'msg') {
      inbox.push(f);
      onMsg?.();
    } else others.push(f);
  });
  const call = (frame: Record<string, unknown>): Promise<Frame> => {
    const id = nextId++;
    ws.send(JSON.stringify({ ...frame, id }));
    return new Promise((resolve) => waiting.set(id, resolve));
  };
  const receive = async (n: number, timeoutMs = 5000): Promise<Frame[]> => {
    const deadline = Date.now() + timeoutMs;
    while (inbox.length < n) {
      if (Date.now() > deadline) throw new Error(`got ${inbox.length} of ${n} messages`);
      await new Promise<void>((resolve) => {
        onMsg = resolve;
        setTimeout(resolve, 50);
      });
    }
    return inbox.splice(0, n);
  };
  const welcome = await call({ op: 'hello', component, version: '0.0.1' });
  return { ws, call, receive, welcome, others, send: (f: object) => ws.send(JSON.stringify(f)) };
}

describe('a client written with only ws and JSON', () => {
  const fx = useHub();

  it('says hello, publishes, subscribes, acknowledges and receives every message with gap-free seq from 1', async () => {
    const consumer = await connectPlain(fx.hub.wsUrl, 'python-consumer');
    const producer = await connectPlain(fx.hub.wsUrl, 'java-producer');
    try {
      assert.equal(consumer.welcome.op, 'welcome');
      assert.equal(typeof consumer.welcome.session, 'string');

      const sub = await consumer.call({ op: 'sub', ch: 'orders.created', from: 0, ack: 'manual' });
      assert.equal(sub.op, 'ok');
      assert.equal(sub.head, 0);
      assert.match(sub.sub, /.+/);

      const N = 25;
      for (let i = 1; i <= N; i++) {
        if (i % 2) {
          const ok = await producer.call({ op: 'pub', ch: 'orders.created', type: 'order', data: { n: i } });
          assert.deepEqual(ok, { op: 'ok', re: ok.re, seq: i });
        } else {
          producer.send({ op: 'pub', ch: 'orders.created', type: 'order', data: { n: i } }); // fire-and-forget
        }
      }

      const msgs = await consumer.receive(N);
      assert.deepEqual(
        msgs.map((m) => m.msg.seq),
        Array.from({ length: N }, (_, i) => i + 1),
      );
      assert.deepEqual(
        msgs.map((m) => m.msg.data.n),
        Array.from({ length: N }, (_, i) => i + 1),
      );
      for (const m of msgs) {
        assert.equal(m.sub, sub.sub);
        assert.equal(m.msg.ch, 'orders.created');
        assert.equal(m.msg.type, 'order');
        assert.equal(m.msg.source, 'java-producer');
        const ack = await consumer.call({ op: 'ack', sub: sub.sub, seq: m.msg.seq });
        assert.equal(ack.op, 'ok');
      }

      // After acknowledging, nothing comes again and no error was sent to either side.
      producer.send({ op: 'pub', ch: 'orders.created', type: 'order', data: { n: N + 1 } });
      const [last] = await consumer.receive(1);
      assert.equal(last!.msg.seq, N + 1);
      assert.equal(last!.redelivered, undefined);
      assert.deepEqual(consumer.others, []);
      assert.deepEqual(producer.others, []);

      const unsub = await consumer.call({ op: 'unsub', sub: sub.sub });
      assert.equal(unsub.op, 'ok');
      const pong = await consumer.call({ op: 'ping' });
      assert.equal(pong.op, 'pong');
    } finally {
      consumer.ws.close();
      producer.ws.close();
    }
  });
});
