// The production guard: --dev on an address other machines reach refuses to start unless --dev-allow-remote, and a
// warning is printed whenever dev mode is on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../../test/support/hub-process.js';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { runCli } from './support/cli.js';
import { waitFor } from '../../../test/support/util.js';
import { isLoopback } from '../src/commands/start-hub.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-devguard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('loopback addresses are told apart from the others', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'hub.example.com', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
});

test('--dev with --host 0.0.0.0 refuses to start and says what to do', () => {
  const r = runCli(['start', '--dev', '--host', '0.0.0.0', '--port', '0', '--data', join(dir, 'a')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /dev mode trusts every client without a token, and --host 0\.0\.0\.0 is reachable from other machines/);
  assert.match(r.stderr, /--dev-allow-remote/);
  const viaConfig = runCli(['start', '--host', '0.0.0.0', '--port', '0', '--data', join(dir, 'b')], { SWITCHBOARD_DEV: '1' });
  assert.equal(viaConfig.status, 1, 'SWITCHBOARD_DEV too');
});

test('--dev-allow-remote starts it, under a warning banner', async () => {
  const child = spawn(process.execPath, [CLI, 'start', '--dev', '--dev-allow-remote', '--host', '0.0.0.0', '--port', '0', '--data', join(dir, 'c')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(
      () => out.includes('dashboard:') && out.includes('WARNING'),
      () => `the banner; output:\n${out}`,
      15_000,
    );
    assert.match(out, /!! WARNING: dev mode on 0\.0\.0\.0 \(--dev-allow-remote\): ANY machine that reaches this address can connect/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

test('dev mode on loopback starts with a one-line warning; tokens on any address start without one', async () => {
  const hub = await startHubInProcess({ dev: true });
  try {
    assert.match(hub.output(), /warning: dev mode: no token needed, every client is trusted/);
  } finally {
    await hub.cleanup();
  }
  const tokens = await startHubInProcess({ dev: false, tokenSecret: 'a-secret-for-the-guard-test-0123456789' });
  try {
    assert.doesNotMatch(tokens.output(), /warning/i);
  } finally {
    await tokens.cleanup();
  }
});
