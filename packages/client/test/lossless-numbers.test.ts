// The `parse` and `stringify` options keep numbers a double cannot hold: a client using lossless-json publishes
// a 64-bit id, a nanosecond timestamp and an 18-digit price, and another client (and a raw socket) gets every
// digit back, live, from the log and through request/reply. Without the options numbers are plain doubles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSafeNumber, LosslessNumber, parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { connect, type ConnectOptions } from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { captureText } from '../../../test/support/exact-json.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { closing } from './support/closing.js';

/** Safe numbers as plain numbers, the others as LosslessNumber (their text). */
const parse = (text: string) => losslessParse(text, null, (n) => (isSafeNumber(n) ? Number(n) : new LosslessNumber(n)));
const stringify = (value: unknown) => losslessStringify(value)!;
const LOSSLESS: Pick<ConnectOptions, 'parse' | 'stringify'> = { parse, stringify };

const ORDER_TEXT = '{"id":1764749280343123457,"ts_ns":1764749280343123457,"price":1.08410000000000001,"qty":3}';
const order = () => parse(ORDER_TEXT) as { id: LosslessNumber; ts_ns: LosslessNumber; price: LosslessNumber; qty: number };

test('a lossless publisher and subscriber exchange 64-bit integers and long decimals exactly', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const publisher = await closing(t, connect({ url: hub.wsUrl, component: 'py-like-bridge', ...LOSSLESS }));
  const subscriber = await closing(t, connect({ url: hub.wsUrl, component: 'java-like-engine', ...LOSSLESS }));
  const raw = (await RawClient.connect(hub.wsUrl, 'raw-watcher')).client;
  t.after(() => raw.close());
  const rawTexts = captureText(raw);
  assert.equal((await raw.call({ op: 'sub', ch: 'sdk.exact' })).op, 'ok');

  const live = await subscriber.subscribe('sdk.exact');
  const { seq } = await publisher.publish('sdk.exact', 'order', order(), { meta: { trace_seq: new LosslessNumber('9007199254740993') } as never });
  assert.equal(seq, 1, 'the SDK still reads seq as a number');

  const it = live[Symbol.asyncIterator]();
  const m = (await it.next()).value!;
  assert.equal(losslessStringify(m.data), ORDER_TEXT, 'the subscriber holds every digit');
  assert.ok((m.data as { id: unknown }).id instanceof LosslessNumber);
  assert.equal((m.data as { qty: unknown }).qty, 3, 'safe numbers stay numbers');
  assert.equal(String((m.envelope.meta as { trace_seq: unknown }).trace_seq), '9007199254740993');
  const text = await rawTexts.next((x) => x.startsWith('{"op":"msg"'));
  assert.ok(text.includes('"data":' + ORDER_TEXT), `the wire carries the publisher's text: ${text}`);

  const replay = await subscriber.subscribe('sdk.exact', { from: 0 });
  const again = (await replay[Symbol.asyncIterator]().next()).value!;
  assert.equal(losslessStringify(again.data), ORDER_TEXT, 'and so does a replay from the log');
});

test('request/reply carries lossless payloads both ways', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const engine = await closing(t, connect({ url: hub.wsUrl, component: 'quote-engine', ...LOSSLESS }));
  const asker = await closing(t, connect({ url: hub.wsUrl, component: 'asker', ...LOSSLESS }));
  let seen = '';
  engine.onRequest((req) => {
    seen = losslessStringify(req.data)!;
    return parse('{"bid":1.08410000000000001,"order_id":1764749280343123457}');
  });
  const reply = await asker.request('quote-engine', 'quote', order());
  assert.equal(seen, ORDER_TEXT);
  assert.equal(losslessStringify(reply), '{"bid":1.08410000000000001,"order_id":1764749280343123457}');
});

test('without the options numbers are JavaScript doubles, as before', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'plain' }));
  const sub = await c.subscribe('sdk.plain', { from: 0 });
  const raw = (await RawClient.connect(hub.wsUrl, 'raw-bridge')).client;
  t.after(() => raw.close());
  raw.send('{"op":"pub","id":1,"ch":"sdk.plain","type":"order","data":' + ORDER_TEXT + '}');
  const m = (await sub[Symbol.asyncIterator]().next()).value!;
  assert.deepEqual(m.data, JSON.parse(ORDER_TEXT));
  assert.equal(typeof (m.data as { id: unknown }).id, 'number');
});
