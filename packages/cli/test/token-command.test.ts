import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { runCli } from './support/cli.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { writeConfig } from '../../../test/support/jwks.js';

const SECRET = 'test-secret-for-token-command';
// No clock skew allowance, so that a token a second past its exp is refused at once.
const hub = await startHubInProcess({ dev: false, tokenSecret: SECRET, config: writeConfig('auth: { clock_skew: 0s }\n') });
after(() => hub.cleanup());

function token(...args: string[]): string {
  const r = runCli(['token', ...args], { SWITCHBOARD_TOKEN_SECRET: SECRET });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('a token from `switchboard token` is accepted by a hub with the same secret', async () => {
  const { client, welcome } = await RawClient.connect(hub.wsUrl, 'engine', { token: token('--component', 'engine') });
  assert.equal(welcome.op, 'welcome');
  const ok = await client.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: {} });
  assert.equal(ok.op, 'ok');
  await client.close();
});

test('--pub limits where the component may publish; elsewhere it gets FORBIDDEN', async () => {
  const client = await RawClient.open(hub.wsUrl);
  const welcome = await client.call({ op: 'hello', token: token('--component', 'bridge', '--pub', 'market.>') });
  assert.equal(welcome.op, 'welcome');
  assert.equal((await client.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: {} })).op, 'ok');
  const refused = await client.call({ op: 'pub', ch: 'orders.new', type: 'order', data: {} });
  assert.equal(refused.code, 'FORBIDDEN');
  assert.match(refused.message, /market\.>/);
  await client.close();
});

test('an expired token is refused with UNAUTHENTICATED', async () => {
  const t = token('--component', 'engine', '--ttl', '1ms');
  await new Promise((r) => setTimeout(r, 1100));
  const client = await RawClient.open(hub.wsUrl);
  const reply = await client.call({ op: 'hello', token: t });
  assert.equal(reply.code, 'UNAUTHENTICATED');
  assert.match(reply.message, /expired/);
  await client.close();
});

test('token without --component or secret exits 2 and says what is missing; --help exits 0', () => {
  const r = runCli(['token'], { SWITCHBOARD_TOKEN_SECRET: '' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--component is required/);
  const r2 = runCli(['token', '--component', 'x'], { SWITCHBOARD_TOKEN_SECRET: '' });
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--secret/);
  const h = runCli(['token', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: switchboard token/);
});

test('--admin adds "sb.admin": true, which a contract reload asks for', async () => {
  const reload = (t: string) => fetch(`${hub.url}/v1/contracts/reload`, { method: 'POST', headers: { authorization: `Bearer ${t}` } }).then((r) => r.status);
  assert.equal(await reload(token('--component', 'ops')), 403);
  // Allowed; this hub has no --contracts, so there is nothing to reload.
  assert.equal(await reload(token('--component', 'ops', '--admin')), 404);
});
