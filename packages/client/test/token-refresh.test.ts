import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionState } from '../src/index.js';
import { tokenExpiry } from '../src/token-refresh.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { signToken, Wire } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const SECRET = 'client-sdk-refresh-secret-that-is-long-enough-0123';

test('tokenExpiry reads exp from a JWT, and nothing from what is not one', () => {
  assert.equal(tokenExpiry(signToken(SECRET, { sub: 'a', exp: 1767225600 })), 1767225600);
  assert.equal(tokenExpiry(signToken(SECRET, { sub: 'a' })), undefined);
  assert.equal(tokenExpiry('not-a-jwt'), undefined);
  assert.equal(tokenExpiry('a.%%%.c'), undefined);
});

test('with getToken, the SDK refreshes the token on the open connection ahead of expiry: no 4401, no reconnect', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { dev: false, tokenSecret: SECRET });
  const wire = new Wire();
  const issued: string[] = [];
  // every token lives 3 s: without refreshes the hub would close the connection after 3 s
  const getToken = () => {
    const jwt = signToken(SECRET, { sub: 'sdk-refresh', exp: Math.floor(Date.now() / 1000) + 3, n: issued.length });
    issued.push(jwt);
    return jwt;
  };
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-refresh', getToken, refreshAheadMs: 1500, WebSocket: wire.WebSocket }));
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  await sleep(5000);
  assert.deepEqual(states, [], 'never disconnected');
  const refreshes = wire.frames('refresh');
  assert.ok(refreshes.length >= 2, `refreshed at least twice in 5 s (${refreshes.length})`);
  assert.deepEqual(
    refreshes.map((f) => f.token),
    issued.slice(1, refreshes.length + 1),
    'each refresh sends a token of getToken',
  );
  assert.equal(wire.frames('hello').length, 1);
  assert.equal((await c.publish('refresh.ch', 't', 1)).seq, 1);
});

test('a refused refresh is reported as an error event and tried again; the next good token is taken without a reconnect', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { dev: false, tokenSecret: SECRET });
  let calls = 0;
  // the second token (the first refresh) names another component: the hub refuses it with FORBIDDEN
  const getToken = () => {
    calls++;
    return signToken(SECRET, { sub: calls === 2 ? 'someone-else' : 'sdk-refused', exp: Math.floor(Date.now() / 1000) + (calls === 1 ? 2 : 3600) });
  };
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-refused', getToken, refreshAheadMs: 1500 }));
  const errors: string[] = [];
  const states: ConnectionState[] = [];
  c.on('error', (e) => errors.push((e as { code?: string }).code ?? String(e)));
  c.on('state', (s) => states.push(s));
  await waitFor(() => calls >= 3, 'a second refresh after the refused one', 4000);
  await sleep(2500);
  assert.deepEqual(errors, ['FORBIDDEN']);
  assert.deepEqual(states, [], 'the retried refresh kept the connection');
  assert.equal((await c.publish('refused.ch', 't', 1)).seq, 1);
});

test('when getToken fails until expiry, the hub closes with 4401 and the SDK reconnects with a new token', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { dev: false, tokenSecret: SECRET });
  const firstExp = Math.floor(Date.now() / 1000) + 2;
  let calls = 0;
  const getToken = () => {
    calls++;
    if (calls > 1 && Date.now() < firstExp * 1000 + 1000) throw new Error('identity provider down');
    return signToken(SECRET, { sub: 'sdk-failing', exp: calls === 1 ? firstExp : Math.floor(Date.now() / 1000) + 3600 });
  };
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-failing', getToken, refreshAheadMs: 1500, reconnect: { initialDelayMs: 20 } }));
  const errors: string[] = [];
  const states: ConnectionState[] = [];
  c.on('error', (e) => errors.push((e as Error).message));
  c.on('state', (s) => states.push(s));
  await waitFor(
    () => states.includes('connected'),
    () => `the reconnect after 4401 (states ${states.join()}; errors ${errors.join('; ')}; calls ${calls})`,
    6000,
  );
  assert.deepEqual(states, ['reconnecting', 'connected']);
  assert.ok(
    errors.some((m) => /the token function failed: identity provider down/.test(m)),
    errors.join('; '),
  );
  assert.equal((await c.publish('failing.ch', 't', 1)).seq, 1);
});
