import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../../../test/support/raw-client.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import { fixture } from './fixtures/delivery-support.js';
import type { ErrorBody } from '../../../test/support/http-bodies.js';

describe('switchboard.yaml: ephemeral channels and strict_channels', () => {
  const fx = useHub({ config: fixture('strict-channels.yaml'), contracts: fixture('contracts-market') });
  let c: RawClient;
  before(async () => {
    c = await fx.connect('config-user');
  });

  it('refuses a channel that neither config nor contract declares with UNKNOWN_CHANNEL', async () => {
    const err = await c.call({ op: 'pub', ch: 'random.stuff', type: 't', data: 1 });
    assert.equal(err.op, 'err');
    assert.equal(err.code, 'UNKNOWN_CHANNEL');
    assert.match(err.message, /strict_channels/);
    assert.match(err.message, /random\.stuff/);

    c.send({ op: 'pub', ch: 'telemetry', type: 't', data: 1, msg_id: 'strict-ff' });
    const ff = await c.next((f) => f.op === 'err' && f.msg_id === 'strict-ff');
    assert.equal(ff.code, 'UNKNOWN_CHANNEL', '"telemetry.*" does not declare "telemetry"');
    assert.equal(ff.ch, 'telemetry');

    const res = await fetch(`${fx.hub.url}/v1/channels/random.stuff/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"t","data":1}',
    });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as ErrorBody).code, 'UNKNOWN_CHANNEL');
    assert.deepEqual((await fx.historyPage('random.stuff')).messages, []);
  });

  it('refuses a subscription to an undeclared channel, but not to declared channels, patterns or dead letters', async () => {
    const err = await c.call({ op: 'sub', ch: 'random.typo' });
    assert.equal(err.code, 'UNKNOWN_CHANNEL');
    assert.match(err.message, /strict_channels/);
    for (const ch of ['orders.eu', 'market.ticks', 'random.*', '$dlq.market.ticks']) {
      const ok = await c.call({ op: 'sub', ch });
      assert.equal(ok.op, 'ok', `${ch}: ${JSON.stringify(ok)}`);
      await c.call({ op: 'unsub', sub: ok.sub });
    }
  });

  it('accepts channels declared by a config pattern or by a contract', async () => {
    assert.equal((await c.call({ op: 'pub', ch: 'orders.eu.paris', type: 'order', data: 1 })).op, 'ok');
    const tick = await c.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: { symbol: 'EURUSD', bid: 1, ask: 2 } });
    assert.equal(tick.op, 'ok', JSON.stringify(tick));
    assert.equal((await fx.historyPage('orders.eu.paris')).messages.length, 1, 'orders.> is durable');
  });

  it('delivers an ephemeral channel live but never stores it', async () => {
    const s = await c.call({ op: 'sub', ch: 'telemetry.cpu' });
    assert.equal(s.op, 'ok');
    const a = await c.call({ op: 'pub', ch: 'telemetry.cpu', type: 'load', data: 0.5 });
    const b = await c.call({ op: 'pub', ch: 'telemetry.cpu', type: 'load', data: 0.7 });
    assert.deepEqual([a.op, b.op], ['ok', 'ok']);
    assert.ok(b.seq > a.seq);
    const msgs = await c.messages(s.sub, 2);
    assert.deepEqual(
      msgs.map((m) => m.msg.data),
      [0.5, 0.7],
    );
    assert.deepEqual((await fx.historyPage('telemetry.cpu')).messages, [], 'nothing is kept');

    const late = await c.call({ op: 'sub', ch: 'telemetry.cpu', from: 'earliest' });
    await c.call({ op: 'ping' });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      c.drain((f) => f.op === 'msg' && f.sub === late.sub),
      [],
      'a late subscriber gets no history',
    );
  });
});

describe('switchboard.yaml: limits', () => {
  const fx = useHub({ config: fixture('small-limits.yaml') });

  it('announces the configured limits and node id in the welcome', async () => {
    const { welcome } = await fx.session('limits-welcome');
    assert.equal(welcome.node, 'limits-node');
    assert.equal(welcome.limits.max_frame_bytes, 4096);
    assert.equal(welcome.limits.max_inflight, 5);
  });

  it('answers a frame over max_frame_bytes with TOO_LARGE and closes with 1009 above 4 × the limit', async () => {
    const { client } = await fx.session('limits-frames');
    client.send({ op: 'pub', id: 1, ch: 'lim.ch', type: 't', data: 'x'.repeat(5000) });
    const err = await client.next((f) => f.op === 'err');
    assert.equal(err.code, 'TOO_LARGE');
    assert.match(err.message, /4096/);
    assert.equal((await client.call({ op: 'pub', ch: 'lim.ch', type: 't', data: 'small' })).seq, 1);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    client.send({ op: 'pub', id: 2, ch: 'lim.ch', type: 't', data: 'x'.repeat(4 * 4096 + 100) });
    assert.equal(await closed, 1009);
    const body = JSON.stringify({ type: 't', data: 'x'.repeat(5000) });
    const res = await fetch(`${fx.hub.url}/v1/channels/lim.ch/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 413, 'the HTTP body limit is the same');
  });

  it('answers a subscription over max_subscriptions with RATE_LIMITED; unsub makes room', async () => {
    const { client } = await fx.session('limits-subs');
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(await client.call({ op: 'sub', ch: `lim.s${i}` }));
    assert.deepEqual(
      subs.map((s) => s.op),
      ['ok', 'ok', 'ok'],
    );
    const fourth = await client.call({ op: 'sub', ch: 'lim.s3' });
    assert.equal(fourth.code, 'RATE_LIMITED');
    assert.match(fourth.message, /max_subscriptions/);
    await client.call({ op: 'unsub', sub: subs[0].sub });
    assert.equal((await client.call({ op: 'sub', ch: 'lim.s3' })).op, 'ok');
  });

  it('answers a request over max_pending_requests with RATE_LIMITED', async () => {
    const { client: responder } = await fx.session('limits-responder');
    const { client: asker } = await fx.session('limits-asker');
    const first = asker.call({ op: 'req', to: 'limits-responder', type: 'slow', data: {}, timeout_ms: 3000 });
    const req = await responder.next((f) => f.op === 'req');
    const second = await asker.call({ op: 'req', to: 'limits-responder', type: 'slow', data: {} });
    assert.equal(second.code, 'RATE_LIMITED');
    assert.match(second.message, /max_pending_requests/);
    responder.send({ op: 'reply', rid: req.rid, data: 'done' });
    assert.equal((await first).data, 'done');
  });
});
