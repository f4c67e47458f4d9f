// `switchboard status`: the hub's status as tables an operator reads at a glance, as JSON, refreshed with
// --watch; errors that say what to change.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SignJWT } from 'jose';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { CLI } from '../../../test/support/hub-process.js';
import { waitFor } from '../../../test/support/util.js';
import { runCli, runCliAsync } from './support/cli.js';

const SECRET = 'status-command-secret-of-reasonable-length';
const hub = await startHubInProcess({ dev: false, tokenSecret: SECRET, nodeId: 'hub-st' });
after(() => hub.cleanup());
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
const admin = await sign({ sub: 'ops', 'sb.admin': true });

test('prints the node, the connections by version, the channels and the consumer groups as tables', async () => {
  const engine = await RawClient.open(hub.wsUrl);
  await engine.call({ op: 'hello', token: await sign({ sub: 'core-engine' }), version: '1.4.0' });
  await engine.call({ op: 'sub', ch: 'orders.new', group: 'billing', ack: 'manual', from: 'earliest' });
  for (let i = 0; i < 3; i++) assert.equal((await engine.call({ op: 'pub', ch: 'orders.new', type: 'order', data: { i } })).op, 'ok');
  const r = await runCliAsync(['status', '--hub', hub.wsUrl, '--token', admin]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Switchboard hub-st {2}v0\.1\.0 {2}up \d+s {2}store sqlite \(reachable\) {2}cluster local: hub-st\n/);
  assert.match(r.stdout, /Connections: 1\n {2}COMPONENT +VERSION +CONNECTIONS\n {2}core-engine +1\.4\.0 +1\n/);
  assert.match(r.stdout, /CHANNEL +MODE +HEAD +PUB\/S +DELIV\/S +REFUSED +SUBS +DLQ +CONTRACT\n {2}orders\.new +durable +3 +0\.05 +0\.05 +0 +1 +0 +-\n/);
  assert.match(r.stdout, /Consumer groups\n {2}CHANNEL +GROUP +MEMBERS +ACK FLOOR +LAG +PENDING\n {2}orders\.new +billing +1 +0 +3 +3\n/);

  const json = await runCliAsync(['status', '--hub', hub.url, '--json'], { SWITCHBOARD_TOKEN: admin });
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.node, 'hub-st');
  assert.equal(parsed.channels.find((c: { ch: string }) => c.ch === 'orders.new').groups[0].lag, 3);
  await engine.close();
});

test('--watch refreshes until interrupted', async () => {
  const child = spawn(process.execPath, [CLI, 'status', '--hub', hub.url, '--token', admin, '--watch', '--interval', '200ms'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  await waitFor(() => (out.match(/^Switchboard hub-st/gm) ?? []).length >= 3, 'three refreshes', { timeoutMs: 10_000 });
  const code = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGINT');
  assert.equal(await code, 0);
});

test('says what to change: no token, a token without sb.admin, no hub, a bad option', async () => {
  const none = await runCliAsync(['status', '--hub', hub.url]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^switchboard status: the hub refused the call \(a token is required.*\); pass an admin token with --token or SWITCHBOARD_TOKEN/);
  const plain = await runCliAsync(['status', '--hub', hub.url, '--token', await sign({ sub: 'dashboard' })]);
  assert.equal(plain.status, 1);
  assert.match(plain.stderr, /FORBIDDEN: component "dashboard" may not read the hub status; use a token with the claim "sb\.admin": true/);
  const nobody = runCli(['status', '--hub', 'http://127.0.0.1:9']);
  assert.equal(nobody.status, 1);
  assert.match(nobody.stderr, /no hub answers at http:\/\/127\.0\.0\.1:9 \(.*\); start one \(switchboard start\) or fix --hub/);
  const bad = runCli(['status', '--hub', 'ftp://x']);
  assert.match(bad.stderr, /--hub "ftp:\/\/x" must start with http:\/\/, https:\/\/, ws:\/\/ or wss:\/\//);
  const usage = runCli(['status', '--nope']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /Unknown option '--nope'/);
  const help = runCli(['status', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: switchboard status/);
  assert.equal(runCli(['help', 'status']).stdout, help.stdout);
});
