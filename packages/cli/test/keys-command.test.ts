import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function generate(...args: string[]): string {
  const r = runCli(['keys', 'generate', '--out', dir, ...args]);
  assert.equal(r.status, 0, r.stderr);
  const m = /kid (\S+);/.exec(r.stdout);
  assert.ok(m, r.stdout);
  return m[1]!;
}

test('keys generate writes a private JWK (mode 0600) and a JWKS; a second run adds a key; token --key signs for the hub', async () => {
  const es = generate();
  const rs = generate('--alg', 'RS256', '--kid', 'rsa-2');
  assert.equal(rs, 'rsa-2');
  const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] };
  assert.deepEqual(
    jwks.keys.map((k) => [k.kid, k.alg, 'd' in k]),
    [
      [es, 'ES256', false],
      ['rsa-2', 'RS256', false],
    ],
  );
  assert.equal(statSync(join(dir, `${es}.private.jwk.json`)).mode & 0o777, 0o600);

  const hub = await startHubInProcess({ dev: false, jwks: join(dir, 'jwks.json') });
  try {
    for (const kid of [es, rs]) {
      const r = runCli(['token', '--component', `svc-${kid}`, '--key', join(dir, `${kid}.private.jwk.json`), '--pub', 'keys.>']);
      assert.equal(r.status, 0, r.stderr);
      const client = await RawClient.open(hub.wsUrl);
      const welcome = await client.call({ op: 'hello', token: r.stdout.trim() });
      assert.equal(welcome.op, 'welcome', JSON.stringify(welcome));
      assert.equal((await client.call({ op: 'pub', ch: 'keys.a', type: 't', data: 1 })).op, 'ok');
      assert.equal((await client.call({ op: 'pub', ch: 'other', type: 't', data: 1 })).code, 'FORBIDDEN');
      await client.close();
    }
  } finally {
    await hub.cleanup();
  }
});

test('keys and token --key refuse what cannot work, saying why', () => {
  const dup = runCli(['keys', 'generate', '--out', dir, '--kid', 'rsa-2']);
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /already has a key "rsa-2"/);
  assert.match(runCli(['keys', 'generate', '--alg', 'HS256']).stderr, /--alg must be one of/);
  const pub = runCli(['token', '--component', 'x', '--key', join(dir, 'jwks.json')]);
  assert.equal(pub.status, 2);
  const help = runCli(['keys', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: switchboard keys generate/);
  assert.match(runCli(['help', 'keys']).stdout, /Usage: switchboard keys generate/);
});
