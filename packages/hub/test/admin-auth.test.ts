// Who may use the admin API and the $sys.* events: dev mode, or a token with "sb.admin": true; 401 without a
// token, 403 with one that lacks the claim, each saying what to change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { RawClient } from '../../../test/support/raw-client.js';
import { useHub } from '../../../test/support/hub-fixture.js';

const SECRET = 'an-admin-test-secret-of-reasonable-length-42';
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));

const ROUTES: [string, string, unknown?][] = [
  ['GET', '/v1/admin/status'],
  ['GET', '/v1/admin/map'],
  ['GET', '/v1/admin/dlq'],
  ['GET', '/v1/admin/history'],
  ['GET', '/v1/admin/history?ch=market.ticks'],
  ['GET', '/v1/admin/docs'],
  ['GET', '/v1/admin/channels/market.ticks'],
  ['GET', '/v1/admin/dlq/market.ticks'],
  ['POST', '/v1/admin/dlq/market.ticks/replay', { all: true }],
  ['POST', '/v1/admin/dlq/market.ticks/purge', { up_to_seq: 1 }],
];

async function call(
  url: string,
  method: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: { code: string; message: string } }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: await res.json() };
}

describe('admin API with tokens', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET });

  it('answers 401 without a token, 403 without "sb.admin": true, 200 with it', async () => {
    const plain = await sign({ sub: 'dashboard' });
    const admin = await sign({ sub: 'ops', 'sb.admin': true });
    for (const [method, path, body] of ROUTES) {
      const none = await call(fx.hub.url, method, path, body);
      assert.equal(none.status, 401, `${method} ${path}`);
      assert.equal(none.body.code, 'UNAUTHENTICATED');
      assert.match(none.body.message, /Authorization: Bearer <JWT>/);
      const refused = await call(fx.hub.url, method, path, body, plain);
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.code, 'FORBIDDEN');
      assert.match(refused.body.message, /^component "dashboard" may not .*"sb\.admin": true \(switchboard token --admin\)/);
      const ok = await call(fx.hub.url, method, path, body, admin);
      assert.equal(ok.status, 200, `${method} ${path}: ${JSON.stringify(ok.body)}`);
    }
  });

  it('lets only an admin subscribe to $sys.* channels', async () => {
    const plain = await RawClient.open(fx.hub.wsUrl);
    assert.equal((await plain.call({ op: 'hello', token: await sign({ sub: 'dashboard' }) })).op, 'welcome');
    for (const ch of ['$sys.components', '$sys.>', '$sys.alerts']) {
      const refused = await plain.call({ op: 'sub', ch });
      assert.equal(refused.code, 'FORBIDDEN', ch);
      assert.match(refused.message, /\$sys\.\* events are for admins; use a token with the claim "sb\.admin": true/);
    }
    assert.equal((await plain.call({ op: 'sub', ch: 'market.ticks' })).op, 'ok', 'other channels as before');
    const narrow = await RawClient.open(fx.hub.wsUrl);
    await narrow.call({ op: 'hello', token: await sign({ sub: 'narrow', 'sb.sub': ['$sys.>'] }) });
    assert.equal((await narrow.call({ op: 'sub', ch: '$sys.alerts' })).code, 'FORBIDDEN', 'sb.sub alone is not enough');
    const admin = await RawClient.open(fx.hub.wsUrl);
    await admin.call({ op: 'hello', token: await sign({ sub: 'ops', 'sb.admin': true }) });
    assert.equal((await admin.call({ op: 'sub', ch: '$sys.>' })).op, 'ok');
    for (const c of [plain, narrow, admin]) await c.close();
  });

  it('never lets a client publish to a $sys.* channel, admin or not', async () => {
    const admin = await RawClient.open(fx.hub.wsUrl);
    await admin.call({ op: 'hello', token: await sign({ sub: 'ops', 'sb.admin': true }) });
    const refused = await admin.call({ op: 'pub', ch: '$sys.alerts', type: 'alert', data: {} });
    assert.equal(refused.code, 'UNKNOWN_CHANNEL');
    assert.match(refused.message, /reserved for the hub/);
    await admin.close();
  });
});

describe('admin API in dev mode', () => {
  const fx = useHub();

  it('is open to any caller', async () => {
    for (const [method, path, body] of ROUTES) assert.equal((await call(fx.hub.url, method, path, body)).status, 200, `${method} ${path}`);
    const c = await fx.connect('anyone');
    assert.equal((await c.call({ op: 'sub', ch: '$sys.components' })).op, 'ok');
  });

  it('answers 405 with the allowed method', async () => {
    const res = await fetch(`${fx.hub.url}/v1/admin/dlq/market.ticks/replay`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});
