// The refresh op: a connection swaps its token for a new one of the same component before the old one expires.
// Without a refresh the hub closes the connection with 4401 at expiry; a refused refresh changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { waitFor, sleep } from '../../../test/support/util.js';

const SECRET = 'refresh-test-secret-0123456789-abcdef';
const sign = (claims: Record<string, unknown>, expInSeconds: number, secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expInSeconds)
    .sign(new TextEncoder().encode(secret));

describe('token refresh', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });

  it('closes a connection with 4401 when its token expires and nothing refreshed it', async () => {
    const c = await fx.open();
    assert.equal((await c.call({ op: 'hello', token: await sign({ sub: 'short' }, 2) })).op, 'welcome');
    await waitFor(() => c.closed !== undefined, 'the close at expiry', 4000);
    assert.deepEqual(c.closed, { code: 4401, reason: 'token expired' });
  });

  it('keeps the connection past the old expiry after a refresh; the new permissions apply from the next op', async () => {
    const c = await fx.open();
    assert.equal((await c.call({ op: 'hello', token: await sign({ sub: 'svc' }, 2) })).op, 'welcome');
    assert.equal((await c.call({ op: 'pub', ch: 'orders.a', type: 't', data: 1 })).op, 'ok', 'the first token allows any channel');
    const fresh = await sign({ sub: 'svc', 'sb.pub': ['quotes.>'] }, 3600);
    const ok = await c.call({ op: 'refresh', token: fresh });
    assert.equal(ok.op, 'ok', JSON.stringify(ok));
    assert.equal(typeof ok.exp, 'number');
    const refused = await c.call({ op: 'pub', ch: 'orders.a', type: 't', data: 2 });
    assert.equal(refused.code, 'FORBIDDEN', 'the refreshed token no longer allows orders.*');
    assert.equal((await c.call({ op: 'pub', ch: 'quotes.a', type: 't', data: 3 })).op, 'ok');
    await sleep(2600);
    assert.equal(c.closed, undefined, 'not closed at the old expiry');
    assert.equal((await c.call({ op: 'ping' })).op, 'pong');
  });

  it('refuses a token for another component with FORBIDDEN; the old token stays and still expires', async () => {
    const c = await fx.open();
    assert.equal((await c.call({ op: 'hello', token: await sign({ sub: 'svc-a' }, 2) })).op, 'welcome');
    const other = await c.call({ op: 'refresh', token: await sign({ sub: 'svc-b' }, 3600) });
    assert.equal(other.code, 'FORBIDDEN');
    assert.match(other.message, /a refresh keeps the component: this connection is "svc-a"/);
    const forged = await c.call({ op: 'refresh', token: await sign({ sub: 'svc-a' }, 3600, 'another-secret-0123456789-0123456789') });
    assert.equal(forged.code, 'UNAUTHENTICATED');
    const expired = await c.call({ op: 'refresh', token: await sign({ sub: 'svc-a' }, -120) });
    assert.equal(expired.code, 'UNAUTHENTICATED');
    assert.equal((await c.call({ op: 'refresh' })).code, 'BAD_FRAME');
    assert.equal((await c.call({ op: 'pub', ch: 'x', type: 't', data: 1 })).op, 'ok', 'the connection still works with its token');
    await waitFor(() => c.closed !== undefined, 'the close at expiry', 4000);
    assert.equal(c.closed?.code, 4401);
  });

  it('is refused before hello', async () => {
    const c = await fx.open();
    assert.equal((await c.call({ op: 'refresh', token: await sign({ sub: 'svc' }, 60) })).code, 'UNAUTHENTICATED');
  });
});
