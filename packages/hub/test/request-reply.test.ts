import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../../test/support/raw-client.js';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';

describe('request / reply', () => {
  const fx = useHub();
  const incoming = (c: RawClient, timeoutMs = 5000) => c.next((f) => f.op === 'req' && typeof f.rid === 'string', timeoutMs);

  it('routes a req to the connected component and returns its reply data', async () => {
    const engine = await fx.connect('core-engine');
    const bridge = await fx.connect('data-bridge');
    const pending = bridge.call({
      op: 'req',
      to: 'core-engine',
      type: 'quote.request',
      data: { symbol: 'EURUSD' },
      timeout_ms: 2000,
      meta: { correlation_id: 'q-1' },
    });
    const req = await incoming(engine);
    assert.equal(req.from, 'data-bridge');
    assert.equal(req.type, 'quote.request');
    assert.deepEqual(req.data, { symbol: 'EURUSD' });
    assert.equal(req.meta?.correlation_id, 'q-1');
    assert.equal('id' in req || 're' in req, false, 'the requester id is not leaked to the responder');
    const ack = await engine.call({ op: 'reply', rid: req.rid, data: { bid: 1.0841, ask: 1.0843 } });
    assert.equal(ack.op, 'ok');
    const res = await pending;
    assert.equal(res.op, 'ok');
    assert.deepEqual(res.data, { bid: 1.0841, ask: 1.0843 });

    const again = await engine.call({ op: 'reply', rid: req.rid, data: {} });
    assert.equal(again.code, 'NOT_FOUND', 'a request is answered once');
  });

  it('passes a protocol error code through, and maps a custom code to INTERNAL with details.code', async () => {
    const engine = await fx.connect('err-engine');
    const asker = await fx.connect('err-asker');

    const p1 = asker.call({ op: 'req', to: 'err-engine', type: 'quote.request', data: { symbol: 'XXXYYY' } });
    const r1 = await incoming(engine);
    engine.send({ op: 'reply', rid: r1.rid, error: { code: 'NOT_FOUND', message: 'no quote for XXXYYY', details: { symbol: 'XXXYYY' } } });
    const e1 = await p1;
    assert.equal(e1.op, 'err');
    assert.equal(e1.code, 'NOT_FOUND');
    assert.equal(e1.message, 'no quote for XXXYYY');
    assert.deepEqual(e1.details, { symbol: 'XXXYYY' });

    const p2 = asker.call({ op: 'req', to: 'err-engine', type: 'quote.request', data: {} });
    const r2 = await incoming(engine);
    engine.send({ op: 'reply', rid: r2.rid, error: { code: 'QUOTE_STALE', message: 'the last quote is 5 s old' } });
    const e2 = await p2;
    assert.equal(e2.op, 'err');
    assert.equal(e2.code, 'INTERNAL');
    assert.equal(e2.message, 'the last quote is 5 s old');
    assert.equal((e2.details as { code: string }).code, 'QUOTE_STALE');
  });

  it('answers TIMEOUT after timeout_ms when the component does not reply', async () => {
    const slow = await fx.connect('slow-engine');
    const asker = await fx.connect('timeout-asker');
    const started = Date.now();
    const pending = asker.call({ op: 'req', to: 'slow-engine', type: 'quote.request', data: {}, timeout_ms: 300 });
    const req = await incoming(slow);
    const res = await pending;
    const took = Date.now() - started;
    assert.equal(res.op, 'err');
    assert.equal(res.code, 'TIMEOUT');
    assert.ok(took >= 280 && took < 3000, `timed out after ${took} ms`);
    const late = await slow.call({ op: 'reply', rid: req.rid, data: 'too late' });
    assert.equal(late.code, 'NOT_FOUND');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      asker.drain((f) => f.op === 'ok' || f.op === 'err'),
      [],
      'the late reply reaches nobody',
    );
  });

  it('answers UNAVAILABLE when no such component is connected', async () => {
    const asker = await fx.connect('lonely-asker');
    const started = Date.now();
    const res = await asker.call({ op: 'req', to: 'nobody-home', type: 'x', data: {}, timeout_ms: 5000 });
    assert.equal(res.op, 'err');
    assert.equal(res.code, 'UNAVAILABLE');
    assert.match(res.message, /nobody-home/);
    assert.ok(Date.now() - started < 1000, 'at once, not after the timeout');
  });

  it('answers UNAVAILABLE when the responder disconnects before replying', async () => {
    const { client: leaving } = await RawClient.connect(fx.hub.wsUrl, 'leaving-engine');
    const asker = await fx.connect('abandoned-asker');
    const started = Date.now();
    const pending = asker.call({ op: 'req', to: 'leaving-engine', type: 'x', data: {}, timeout_ms: 5000 });
    await incoming(leaving);
    await leaving.close();
    const res = await pending;
    assert.equal(res.op, 'err');
    assert.equal(res.code, 'UNAVAILABLE');
    assert.ok(Date.now() - started < 2000, 'at once, not after the timeout');
    const after = await asker.call({ op: 'req', to: 'leaving-engine', type: 'x', data: {} });
    assert.equal(after.code, 'UNAVAILABLE', 'the component is gone');
  });

  it('refuses a reply from a connection the request was not sent to', async () => {
    const engine = await fx.connect('owner-engine');
    const intruder = await fx.connect('intruder');
    const asker = await fx.connect('owner-asker');
    const pending = asker.call({ op: 'req', to: 'owner-engine', type: 'x', data: {}, timeout_ms: 2000 });
    const req = await incoming(engine);
    const stolen = await intruder.call({ op: 'reply', rid: req.rid, data: 'forged' });
    assert.equal(stolen.code, 'NOT_FOUND');
    engine.send({ op: 'reply', rid: req.rid, data: 'genuine' });
    assert.equal((await pending).data, 'genuine');
  });

  it('spreads requests across the connections of one component', async () => {
    const a = await fx.connect('pool-engine');
    const b = await fx.connect('pool-engine');
    const asker = await fx.connect('pool-asker');
    let servedA = 0;
    let servedB = 0;
    /** What a pool member answers: who served the request, and its `n`. */
    type Work = { by: string; n: number };
    const serve = (c: RawClient, name: string, count: () => void) => {
      c.ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString());
        if (f.op === 'req' && f.rid) {
          count();
          c.send({ op: 'reply', rid: f.rid, data: { by: name, n: f.data.n } });
        }
      });
    };
    serve(a, 'a', () => servedA++);
    serve(b, 'b', () => servedB++);
    const N = 10;
    const replies = await Promise.all(Array.from({ length: N }, (_, n) => asker.call({ op: 'req', to: 'pool-engine', type: 'work', data: { n } })));
    assert.deepEqual(
      replies.map((r) => r.op),
      Array(N).fill('ok'),
    );
    assert.deepEqual(
      replies.map((r) => (r.data as Work).n),
      range(0, N - 1),
      'each reply answers its own request',
    );
    assert.equal(servedA + servedB, N);
    assert.ok(servedA > 0 && servedB > 0, `both connections served (a=${servedA}, b=${servedB})`);
    assert.deepEqual(new Set(replies.map((r) => (r.data as Work).by)), new Set(['a', 'b']));
  });
});
