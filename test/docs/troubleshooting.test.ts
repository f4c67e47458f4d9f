// docs/guides/troubleshooting.md, checked against the real hub: each symptom the guide documents that can be run
// here is run, and what the guide says you see (a backticked line, with `…` for what varies) is what you see.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useHub } from '../support/hub-fixture.js';
import { CLI } from '../support/hub-process.js';
import { RawClient } from '../support/raw-client.js';
import { waitFor } from '../support/util.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUIDE = readFileSync(join(ROOT, 'docs/guides/troubleshooting.md'), 'utf8');

/** The guide's backticked text that starts with `prefix` (the first one). */
function claimed(prefix: string): string {
  const spans = [...GUIDE.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s*\n\s*/g, ' '));
  const span = spans.find((s) => s.startsWith(prefix));
  assert.ok(span !== undefined, `the guide shows a line starting with "${prefix}"`);
  return span;
}

/** `text` as a pattern: `…` and `<placeholder>` stand for anything. */
function pattern(text: string): RegExp {
  const parts = text.split(/…|<[^>]+>/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+?')}$`);
}

/** `switchboard start` with `args`, to completion; its stderr must be one line, which is returned without the prefix. */
function startFails(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, 'start', '--dev', ...args], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.signal, null, 'it exits by itself, at once');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, no stack trace:\n${r.stderr}`);
  assert.match(lines[0]!, /^switchboard start: /);
  return lines[0]!.slice('switchboard start: '.length);
}

describe('the hub does not start', () => {
  const fx = useHub();

  it('port in use: the one clean line the guide shows', () => {
    const line = claimed('port 7700 on 127.0.0.1 is already in use');
    assert.doesNotMatch(GUIDE, /EADDRINUSE[^\n]*stack trace/, 'no stack trace is promised');
    const data = mkdtempSync(join(tmpdir(), 'sb-guide-'));
    try {
      assert.equal(startFails(['--port', String(fx.hub.port), '--data', data]), line.replace('7700', String(fx.hub.port)));
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('a --data folder that cannot be created (/proc/x): the line the guide shows, at once', () => {
    const example = claimed('cannot create the data directory /proc/x');
    assert.equal(startFails(['--port', '0', '--data', '/proc/x']), example);
    assert.match(example, pattern(claimed('cannot create the data directory …')));
  });

  it('a file in --data that is not a database: the line the guide shows', () => {
    const data = mkdtempSync(join(tmpdir(), 'sb-guide-'));
    try {
      writeFileSync(join(data, 'switchboard.db'), Buffer.alloc(8192, 7));
      assert.match(startFails(['--port', '0', '--data', data]), pattern(claimed('cannot open the store …/switchboard.db')));
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('what the hub serves and logs, as the guide says', () => {
  const contracts = mkdtempSync(join(tmpdir(), 'sb-guide-contracts-'));
  const v1 = readFileSync(join(ROOT, 'examples/market-data/contracts/market-data.yaml'), 'utf8');
  writeFileSync(join(contracts, 'market-data.yaml'), v1);
  const fx = useHub({ contracts, logLevel: 'info' });
  fx.onCleanup(() => rmSync(contracts, { recursive: true, force: true }));

  it('GET /v1/docs/{doc} is served (the guide no longer says it is not)', async () => {
    assert.doesNotMatch(GUIDE, /\/v1\/docs\/\{doc\}` is not served/);
    assert.match(GUIDE, /documents are read with `GET \/v1\/docs\/\{doc\}`/);
    const res = await fetch(`${fx.hub.url}/v1/docs/qa/42`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { version: 0, value: null });
  });

  it('a changed contract is reloaded without a restart (POST /v1/contracts/reload), as the guide says', async () => {
    assert.doesNotMatch(GUIDE, /after changing a contract, restart the hub/i);
    assert.match(claimed('curl -X POST'), /^curl -X POST http:\/\/127\.0\.0\.1:7700\/v1\/contracts\/reload$/);
    const c = await fx.connect('guide-bridge');
    const tick = { symbol: 'EURUSD', bid: 1.1, ask: 1.2, sent_at: 1 };
    assert.equal((await c.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: tick })).op, 'ok');
    writeFileSync(
      join(contracts, 'market-data.yaml'),
      v1
        .replace('required: [symbol, bid, ask, sent_at]', 'required: [symbol, bid, ask, sent_at, venue]')
        .replace('          bid:\n', '          venue:\n            type: string\n          bid:\n'),
    );
    const curl = spawn('curl', ['-s', '-X', 'POST', `${fx.hub.url}/v1/contracts/reload`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let body = '';
    curl.stdout.on('data', (d: Buffer) => (body += d));
    await new Promise((resolve) => curl.once('close', resolve));
    assert.equal(JSON.parse(body).reloaded, true, body);
    const refused = await c.call({ op: 'pub', ch: 'market.ticks', type: 'tick', data: tick });
    assert.equal(refused.code, 'CONTRACT_VIOLATION', 'the new contract is in force, no restart');
    assert.match(JSON.stringify(refused.details), /venue/);
  });

  it('connection lines at the default level, as the guide says', async () => {
    const open = pattern(claimed('connection open: '));
    const { client } = await RawClient.connect(fx.hub.wsUrl, 'guide-engine', { version: '1.4.0' });
    await waitFor(() => fx.hub.output().includes('connection open: guide-engine'), 'the open line');
    await client.close();
    await waitFor(() => fx.hub.output().includes('connection closed: guide-engine'), 'the closed line');
    const lines = fx.hub
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string });
    assert.ok(lines.some((l) => open.test(l.msg) && l.msg === 'connection open: guide-engine 1.4.0'));
    assert.ok(lines.some((l) => pattern(claimed('connection closed: ')).test(l.msg)));
  });
});
