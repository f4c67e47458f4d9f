import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub, type HistoryPage } from '../../../test/support/hub-fixture.js';
import type { ErrorBody } from '../../../test/support/http-bodies.js';

describe('HS256 tokens (--token-secret)', () => {
  const SECRET = 'a-test-secret-of-reasonable-length-0123456789';
  const fx = useHub({ dev: false, tokenSecret: SECRET });
  async function sign(claims: Record<string, unknown>, secret = SECRET, exp: string | number = '5m'): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(secret));
  }

  it('accepts a valid token for sub "engine"', async () => {
    assert.match(fx.hub.output(), /HS256 tokens/);
    const c = await fx.open();
    const welcome = await c.call({ op: 'hello', component: 'engine', token: await sign({ sub: 'engine' }) });
    assert.equal(welcome.op, 'welcome', JSON.stringify(welcome));
    const s = await c.call({ op: 'sub', ch: 'auth.ch' });
    assert.equal((await c.call({ op: 'pub', ch: 'auth.ch', type: 't', data: 1 })).op, 'ok');
    const [m] = await c.messages(s.sub, 1);
    assert.equal(m.msg.source, 'engine');

    const noComponent = await fx.open();
    const w2 = await noComponent.call({ op: 'hello', token: await sign({ sub: 'engine' }) });
    assert.equal(w2.op, 'welcome', 'the token names the component');
  });

  it('refuses a missing, forged, malformed or expired token with UNAUTHENTICATED; the connection may retry', async () => {
    const c = await fx.open();
    const attempts: [string, Record<string, unknown>][] = [
      ['no token', { component: 'engine' }],
      ['forged', { component: 'engine', token: await sign({ sub: 'engine' }, 'another-secret-another-secret-0000') }],
      ['garbage', { component: 'engine', token: 'not.a.jwt' }],
      ['expired', { component: 'engine', token: await sign({ sub: 'engine' }, SECRET, Math.floor(Date.now() / 1000) - 60) }],
      ['no sub', { component: 'engine', token: await sign({}) }],
    ];
    for (const [what, hello] of attempts) {
      const err = await c.call({ op: 'hello', ...hello });
      assert.equal(err.op, 'err', what);
      assert.equal(err.code, 'UNAUTHENTICATED', what);
      assert.ok(err.message.length > 10, what);
      const pub = await c.call({ op: 'pub', ch: 'auth.ch', type: 't', data: 1 });
      assert.equal(pub.code, 'UNAUTHENTICATED', `${what}: still not authenticated`);
    }
    const welcome = await c.call({ op: 'hello', component: 'engine', token: await sign({ sub: 'engine' }) });
    assert.equal(welcome.op, 'welcome');
  });

  it('refuses a token for another component than hello.component with FORBIDDEN', async () => {
    const c = await fx.open();
    const err = await c.call({ op: 'hello', component: 'ui', token: await sign({ sub: 'engine' }) });
    assert.equal(err.op, 'err');
    assert.equal(err.code, 'FORBIDDEN');
    assert.match(err.message, /engine/);
  });

  it('answers a second hello sent before the first is verified with BAD_FRAME', async () => {
    const c = await fx.open();
    const token = await sign({ sub: 'engine' });
    // Both frames in one TCP segment, so that the second arrives while the first token is being verified.
    const socket = (c.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    socket.cork();
    c.send({ op: 'hello', id: 'h1', component: 'engine', token });
    c.send({ op: 'hello', id: 'h2', component: 'engine', token });
    socket.uncork();
    const first = await c.next((f) => f.re === 'h1');
    const second = await c.next((f) => f.re === 'h2', 2000);
    assert.equal(first.op, 'welcome');
    assert.equal(second.op, 'err');
    assert.equal(second.code, 'BAD_FRAME');
  });

  it('enforces sb.pub and sb.sub with FORBIDDEN', async () => {
    const c = await fx.open();
    await c.call({ op: 'hello', token: await sign({ sub: 'engine', 'sb.pub': ['orders.>'], 'sb.sub': ['quotes.*'] }) });
    assert.equal((await c.call({ op: 'pub', ch: 'orders.eu', type: 't', data: 1 })).op, 'ok');
    const pubErr = await c.call({ op: 'pub', ch: 'payments.eu', type: 't', data: 1 });
    assert.equal(pubErr.code, 'FORBIDDEN');
    assert.equal((await c.call({ op: 'sub', ch: 'quotes.eur' })).op, 'ok');
    assert.equal((await c.call({ op: 'sub', ch: 'orders.eu' })).code, 'FORBIDDEN');
  });

  it('checks tokens on HTTP too', async () => {
    const url = `${fx.hub.url}/v1/channels/auth.http/messages`;
    const body = JSON.stringify({ type: 't', data: 1 });
    const headers = { 'content-type': 'application/json' };
    const none = await fetch(url, { method: 'POST', headers, body });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as ErrorBody).code, 'UNAUTHENTICATED');
    const forged = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${await sign({ sub: 'engine' }, 'x'.repeat(40))}` },
      body,
    });
    assert.equal(forged.status, 401);
    const ok = await fetch(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${await sign({ sub: 'engine' })}` }, body });
    assert.equal(ok.status, 201);
    const other = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${await sign({ sub: 'engine' })}`, 'x-switchboard-component': 'ui' },
      body,
    });
    assert.equal(other.status, 403);
    assert.equal(((await other.json()) as ErrorBody).code, 'FORBIDDEN');
    const history = (await (await fetch(url, { headers: { authorization: `Bearer ${await sign({ sub: 'engine' })}` } })).json()) as HistoryPage;
    assert.deepEqual(
      history.messages.map((m) => m.source),
      ['engine'],
    );
  });
});
