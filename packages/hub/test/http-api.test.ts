import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { RawClient } from '../../../test/support/raw-client.js';
import { useHub, type HistoryPage, type DeadLetter } from '../../../test/support/hub-fixture.js';
import { fixture } from './fixtures/delivery-support.js';
import type { ErrorBody, ViolationBody } from '../../../test/support/http-bodies.js';
import type { Envelope, PubResult } from '@switchboard/protocol';

const MiB = 1024 * 1024;

describe('HTTP API', () => {
  const fx = useHub({ contracts: fixture('contracts-market') });
  let ws: RawClient;
  before(async () => {
    ws = await fx.connect('ws-side');
  });

  function post(ch: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${fx.hub.url}/v1/channels/${encodeURIComponent(ch)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
  /** `GET` of the history of `ch`; `B` is the body expected (a page, or an `ErrorBody` for a refused query). */
  async function history<B = HistoryPage>(ch: string, query = ''): Promise<{ status: number; body: B }> {
    const res = await fetch(`${fx.hub.url}/v1/channels/${encodeURIComponent(ch)}/messages${query}`);
    return { status: res.status, body: (await res.json()) as B };
  }

  it('publishes with POST: 201 {seq}', async () => {
    const res = await post('http.basic', { type: 'note', data: { text: 'hi' } });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { seq: 1 });
    const res2 = await post('http.basic', { type: 'note', data: { text: 'again' } });
    assert.deepEqual([res2.status, await res2.json()], [201, { seq: 2 }]);
  });

  it('takes the same path as the socket: a socket subscriber receives HTTP publishes, in one seq order', async () => {
    const s = await ws.call({ op: 'sub', ch: 'http.shared' });
    const a = await post('http.shared', { type: 'note', data: 'from-http', meta: { correlation_id: 'h-1' } });
    assert.equal(a.status, 201);
    const b = await ws.call({ op: 'pub', ch: 'http.shared', type: 'note', data: 'from-ws' });
    const c = await post('http.shared', { type: 'note', data: 'named' }, { 'X-Switchboard-Component': 'billing-service' });
    assert.deepEqual([((await a.json()) as PubResult).seq, b.seq, ((await c.json()) as PubResult).seq], [1, 2, 3]);
    const msgs = (await ws.messages(s.sub, 3)).map((f) => f.msg);
    assert.deepEqual(
      msgs.map((m) => [m.seq, m.data]),
      [
        [1, 'from-http'],
        [2, 'from-ws'],
        [3, 'named'],
      ],
    );
    assert.equal(msgs[0].meta!.correlation_id, 'h-1');
    assert.equal(msgs[0].type, 'note');
    assert.equal(msgs[1].source, 'ws-side');
    assert.equal(msgs[2].source, 'billing-service', 'dev mode: X-Switchboard-Component names the caller');
    assert.equal(typeof msgs[0].source, 'string');
  });

  it('validates HTTP publishes against the contract: 422 with code, message, details; the message is dead-lettered', async () => {
    const s = await ws.call({ op: 'sub', ch: 'market.ticks' });
    const bad = { symbol: 'EURUSD', bid: 'cheap', ask: 1.1 };
    const res = await post('market.ticks', { type: 'tick', data: bad, msg_id: 'http-bad-1' });
    assert.equal(res.status, 422);
    const body = (await res.json()) as ViolationBody;
    assert.equal(body.code, 'CONTRACT_VIOLATION');
    assert.match(body.message, /\/bid/);
    assert.equal(body.details[0].path, '/bid');
    assert.equal(body.details[0].rule, 'type');
    assert.equal(body.details[0].expected, 'number');

    const good = await post('market.ticks', { type: 'tick', data: { symbol: 'EURUSD', bid: 1, ask: 1.1 } });
    assert.equal(good.status, 201);
    const [m] = await ws.messages<Envelope<{ bid: number }>>(s.sub, 1);
    assert.equal(m.msg.data.bid, 1, 'only the valid message is delivered');

    const dlq = await history<HistoryPage<DeadLetter>>('$dlq.market.ticks');
    assert.equal(dlq.status, 200);
    assert.equal(dlq.body.messages.length, 1);
    assert.deepEqual(dlq.body.messages[0].data, bad);
    assert.equal(dlq.body.messages[0].meta.dlq.code, 'CONTRACT_VIOLATION');
    assert.equal(dlq.body.messages[0].meta.dlq.msg_id, 'http-bad-1');
  });

  it('stores a duplicate msg_id once: the second POST answers the first seq', async () => {
    const first = await post('http.dedupe', { type: 'note', data: 1, msg_id: 'same-key' });
    assert.deepEqual([first.status, await first.json()], [201, { seq: 1 }]);
    const dup = await post('http.dedupe', { type: 'note', data: 1, msg_id: 'same-key' });
    assert.deepEqual([dup.status, await dup.json()], [200, { seq: 1, duplicate: true }]);
    const other = await post('http.dedupe', { type: 'note', data: 2, msg_id: 'other-key' });
    assert.deepEqual(await other.json(), { seq: 2 });
    const h = await history('http.dedupe');
    assert.deepEqual(
      h.body.messages.map((m) => m.id),
      ['same-key', 'other-key'],
    );
  });

  it('pages through history with from, limit and next', async () => {
    for (let i = 1; i <= 7; i++) assert.equal((await post('http.history', { type: 'n', data: i })).status, 201);
    const all = await history('http.history');
    assert.deepEqual(
      all.body.messages.map((m) => m.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(all.body.next, 7);

    const seen: number[] = [];
    let from = 0;
    for (let page = 0; page < 10; page++) {
      const { status, body } = await history('http.history', `?from=${from}&limit=3`);
      assert.equal(status, 200);
      if (body.messages.length === 0) {
        assert.equal(body.next, from, 'an empty page keeps next at from');
        break;
      }
      assert.ok(body.messages.length <= 3);
      for (const m of body.messages) {
        assert.ok(m.seq > from, 'every message has seq > from');
        seen.push(m.seq);
      }
      assert.equal(body.next, body.messages.at(-1)!.seq);
      from = body.next;
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
    const mid = await history('http.history', '?from=5');
    assert.deepEqual(
      mid.body.messages.map((m) => m.data),
      [6, 7],
    );
    const empty = await history('http.never-written');
    assert.deepEqual([empty.status, empty.body], [200, { messages: [], next: 0 }]);
    for (const q of ['?limit=0', '?limit=abc', '?from=-1', '?limit=1001']) {
      const r = await history<ErrorBody>('http.history', q);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.code, 'BAD_FRAME', q);
    }
  });

  it('answers a body that is not JSON, not UTF-8 or not an object, with 400 BAD_FRAME', async () => {
    for (const body of ['{"type":', 'not json', '[1]', '"text"', 'null']) {
      const res = await post('http.bad', body);
      assert.equal(res.status, 400, body);
      const e = (await res.json()) as ErrorBody;
      assert.equal(e.code, 'BAD_FRAME', body);
      assert.equal(typeof e.message, 'string');
    }
    // Invalid UTF-8 is refused as on the socket, not stored with replacement characters.
    const bytes = Buffer.concat([Buffer.from('{"type":"t","data":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const notUtf8 = await fetch(`${fx.hub.url}/v1/channels/http.bad/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });
    assert.equal(notUtf8.status, 400);
    const utfErr = (await notUtf8.json()) as ErrorBody;
    assert.equal(utfErr.code, 'BAD_FRAME');
    assert.match(utfErr.message, /UTF-8/);
    const noType = await post('http.bad', { data: 1 });
    assert.equal(noType.status, 400);
    assert.equal(((await noType.json()) as ErrorBody).code, 'BAD_FRAME');
    assert.deepEqual((await history('http.bad')).body.messages, []);
  });

  it('answers a body over 1 MiB with 413 TOO_LARGE, declared or streamed', async () => {
    const big = JSON.stringify({ type: 'n', data: 'z'.repeat(MiB + 10) });
    const res = await post('http.big', big);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as ErrorBody).code, 'TOO_LARGE');

    // Chunked, without a content-length: the hub counts as it reads.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${fx.hub.url}/v1/channels/http.big/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let text = '';
        r.on('data', (c) => (text += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      const chunk = 'z'.repeat(64 * 1024);
      req.write('{"type":"n","data":"');
      for (let i = 0; i < 20; i++) req.write(chunk);
      req.end('"}');
    });
    assert.equal(streamed.status, 413);
    assert.equal(JSON.parse(streamed.body).code, 'TOO_LARGE');
    assert.deepEqual((await history('http.big')).body.messages, []);
    assert.equal((await fetch(`${fx.hub.url}/healthz`)).status, 200, 'the hub is still up');
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const health = await fetch(`${fx.hub.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${fx.hub.url}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await fetch(`${fx.hub.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    const text = await metrics.text();
    assert.match(text, /# TYPE switchboard_messages_published_total counter/);
    // one series per channel: their sum counts every publish so far
    const series = [...text.matchAll(/^switchboard_messages_published_total\{channel="[^"]*"\} (\d+)$/gm)].map((m) => Number(m[1]));
    assert.ok(series.length > 0, text.slice(0, 500));
    const total = series.reduce((a, b) => a + b, 0);
    assert.ok(total >= 10, `published total ${total} counts the publishes so far`);
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    for (const path of ['/nope', '/v1/chanels', '/v1/contracts', '/v1/channels/a/b/messages', '/v2/channels/x/messages']) {
      const res = await fetch(`${fx.hub.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as ErrorBody;
      assert.equal(body.code, 'NOT_FOUND', path);
      assert.equal(typeof body.message, 'string');
    }
  });
});
