import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';

describe('session: hello, welcome, ping and correlation', () => {
  const fx = useHub();

  it('answers hello with a welcome carrying session, node, heartbeat_ms and limits', async () => {
    const c = await fx.open();
    c.send({ op: 'hello', id: 1, component: 'core-engine', version: '1.4.0' });
    const welcome = await c.next((f) => f.re === 1);
    assert.equal(welcome.op, 'welcome');
    assert.equal(typeof welcome.session, 'string');
    assert.ok(welcome.session.length > 0);
    assert.equal(welcome.node, 'hub-1');
    assert.equal(welcome.heartbeat_ms, 15000);
    assert.equal(welcome.limits.max_frame_bytes, 1048576);
    assert.equal(welcome.limits.max_inflight, 1000);
    assert.equal('resumed' in welcome, false, 'resumed is only present after a resume');

    const other = await fx.open();
    other.send({ op: 'hello', id: 1, component: 'core-engine' });
    const second = await other.next((f) => f.re === 1);
    assert.notEqual(second.session, welcome.session, 'each connection gets its own session');
  });

  it('echoes numeric and string ids as re, and replies to frames without id without re', async () => {
    const c = await fx.open();
    c.send({ op: 'hello', id: 'hello-α', component: 'corr' });
    const welcome = await c.next((f) => f.op === 'welcome');
    assert.equal(welcome.re, 'hello-α');

    c.send({ op: 'pub', id: 7, ch: 'corr.test', type: 't', data: 1 });
    c.send({ op: 'pub', id: 'p-8', ch: 'corr.test', type: 't', data: 2 });
    c.send({ op: 'pub', id: 0, ch: 'corr.test', type: 't', data: 3 });
    const okNum = await c.next((f) => f.re === 7);
    const okStr = await c.next((f) => f.re === 'p-8');
    const okZero = await c.next((f) => f.re === 0);
    assert.deepEqual([okNum.op, okStr.op, okZero.op], ['ok', 'ok', 'ok']);
    assert.deepEqual([okNum.seq, okStr.seq, okZero.seq], [1, 2, 3]);

    c.send({ op: 'ping', id: 99 });
    c.send({ op: 'ping', id: 'x' });
    assert.deepEqual(await c.next((f) => f.op === 'pong' && f.re === 99), { op: 'pong', re: 99 });
    assert.deepEqual(await c.next((f) => f.op === 'pong' && f.re === 'x'), { op: 'pong', re: 'x' });
    c.send({ op: 'ping' });
    const bare = await c.next((f) => f.op === 'pong');
    assert.equal('re' in bare, false);
  });

  it('answers ping before hello, and after it', async () => {
    const c = await fx.open();
    c.send({ op: 'ping', id: 1 });
    assert.deepEqual(await c.next((f) => f.re === 1), { op: 'pong', re: 1 });
    c.send({ op: 'hello', id: 2, component: 'pinger' });
    assert.equal((await c.next((f) => f.re === 2)).op, 'welcome');
    c.send({ op: 'ping', id: 3 });
    assert.deepEqual(await c.next((f) => f.re === 3), { op: 'pong', re: 3 });
  });

  it('refuses every other op before hello with UNAUTHENTICATED and keeps the connection usable', async () => {
    const c = await fx.open();
    const before = [
      { op: 'pub', ch: 'early.ch', type: 't', data: {} },
      { op: 'sub', ch: 'early.ch' },
      { op: 'ack', sub: 's1', seq: 1 },
      { op: 'nack', sub: 's1', seq: 1 },
      { op: 'unsub', sub: 's1' },
      { op: 'req', to: 'x', type: 't' },
      { op: 'reply', rid: 'r1', data: {} },
    ];
    let id = 100;
    for (const frame of before) {
      const myId = id++;
      c.send({ ...frame, id: myId });
      const err = await c.next((f) => f.re === myId);
      assert.equal(err.op, 'err', `${frame.op} before hello`);
      assert.equal(err.code, 'UNAUTHENTICATED', `${frame.op} before hello`);
      assert.match(err.message, /hello/);
    }
    assert.equal(c.closed, undefined);
    const welcome = await c.call({ op: 'hello', component: 'late-greeter' });
    assert.equal(welcome.op, 'welcome');
    const ok = await c.call({ op: 'pub', ch: 'early.ch', type: 't', data: {} });
    assert.equal(ok.op, 'ok');
    assert.equal(ok.seq, 1, 'nothing was published before hello');
  });

  it('refuses a second hello with BAD_FRAME and keeps the first identity', async () => {
    const c = await fx.open();
    const welcome = await c.call({ op: 'hello', component: 'first-name' });
    const again = await c.call({ op: 'hello', component: 'second-name' });
    assert.equal(again.op, 'err');
    assert.equal(again.code, 'BAD_FRAME');
    assert.equal(c.closed, undefined);

    const sub = await c.call({ op: 'sub', ch: 'who.am.i', from: 'latest' });
    assert.equal(sub.op, 'ok');
    await c.call({ op: 'pub', ch: 'who.am.i', type: 't', data: {} });
    const [m] = await c.messages(sub.sub, 1);
    assert.equal(m.msg.source, 'first-name');
    const pong = await c.call({ op: 'ping' });
    assert.equal(pong.op, 'pong');
    assert.ok(welcome.session);
  });

  it('refuses a hello without a valid component with BAD_FRAME; a later hello succeeds', async () => {
    const c = await fx.open();
    for (const bad of [{}, { component: '' }, { component: 42 }, { component: 'has space' }]) {
      const err = await c.call({ op: 'hello', ...bad });
      assert.equal(err.op, 'err', JSON.stringify(bad));
      assert.equal(err.code, 'BAD_FRAME', JSON.stringify(bad));
      assert.match(err.message, /component/);
    }
    const welcome = await c.call({ op: 'hello', component: 'fixed' });
    assert.equal(welcome.op, 'welcome');
  });

  it('accepts subprotocol switchboard.v1, and a client that names no subprotocol', async () => {
    const withProto = await fx.open('switchboard.v1');
    assert.equal(withProto.ws.protocol, 'switchboard.v1');
    assert.equal((await withProto.call({ op: 'hello', component: 'proto' })).op, 'welcome');

    const none = await fx.open([]);
    assert.equal(none.ws.protocol, '');
    assert.equal((await none.call({ op: 'hello', component: 'no-proto' })).op, 'welcome');
    assert.equal((await none.call({ op: 'pub', ch: 'proto.none', type: 't', data: 1 })).op, 'ok');
  });
});
