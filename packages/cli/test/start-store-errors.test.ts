// `switchboard start` on a store it cannot write, or a --data folder it cannot create: it exits by itself, at
// once, with one line naming the file and the fix — no stack dump, no hang, never "listening".
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '@switchboard/hub';
import { CLI } from '../../../test/support/hub-process.js';

function start(data: string, timeoutMs = 15_000) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'start', '--port', '0', '--dev', '--data', data], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, SWITCHBOARD_LOG_LEVEL: 'info' },
  });
  return { ...r, ms: performance.now() - t0 };
}

function assertOneLineRefusal(r: ReturnType<typeof start>, patterns: RegExp[]): void {
  assert.equal(r.signal, null, `it exited by itself (not killed by the ${r.ms.toFixed(0)} ms timeout)`);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /listening/);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0]!, /^switchboard start: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  for (const p of patterns) assert.match(lines[0]!, p);
}

/**
 * `chattr +i` (the immutable attribute): the tests run as root, for whom `chmod a-w` stops no write, but the
 * kernel refuses to open an immutable file for writing even to root. SQLite then opens the file read-only without
 * a word, which is exactly the read-only store of a real deployment (a read-only mount, a file of another user).
 * Undefined when this file system or this process cannot set it (then the test says so and is skipped).
 */
function immutable(file: string): (() => void) | undefined {
  const set = spawnSync('chattr', ['+i', file], { encoding: 'utf8' });
  if (set.status !== 0) return undefined;
  const undo = () => void spawnSync('chattr', ['-i', file]);
  try {
    closeSync(openSync(file, 'r+'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return undo; // proven: not even root may write it
  }
  undo();
  return undefined;
}

describe('a read-only store file', () => {
  const data = mkdtempSync(join(tmpdir(), 'sb-readonly-'));
  const db = join(data, 'switchboard.db');
  let undo: (() => void) | undefined;
  after(() => {
    undo?.();
    rmSync(data, { recursive: true, force: true });
  });

  it('refuses to start: one line naming the file and the fix, exit 1 (not "ready" with every publish refused)', async (t) => {
    const store = await createSqliteStore({ path: db });
    await store.append('a.b', { id: '1', type: 't', source: 'test', ts: new Date().toISOString(), data: {} });
    await store.close();
    undo = immutable(db);
    if (!undo) return t.skip('chattr +i is not available here (needs ext4/xfs/btrfs and CAP_LINUX_IMMUTABLE)');
    const r = start(data);
    assertOneLineRefusal(r, [
      new RegExp(`The SQLite store at ${db.replace(/[.]/g, '\\.')} is read-only \\(SQLITE_READONLY`),
      /make the file and its folder writable/,
      /--data/,
    ]);
    t.diagnostic(`refused in ${r.ms.toFixed(0)} ms: ${r.stderr.trim()}`);
    // The store itself refuses to open, for an embedder too.
    await assert.rejects(createSqliteStore({ path: db }), { code: 'UNAVAILABLE', message: /is read-only/ });
  });
});

describe('a --data folder that cannot be created', () => {
  it("under /proc: fails at once with the folder named (Node's recursive mkdir would spin there forever)", (t) => {
    const r = start('/proc/switchboard-test/data', 10_000);
    assertOneLineRefusal(r, [
      /cannot create the data directory \/proc\/switchboard-test\/data/,
      /\/proc exists but does not let a folder be created in it/,
      /--data/,
    ]);
    assert.ok(r.ms < 5000, `${r.ms.toFixed(0)} ms`);
    t.diagnostic(`refused in ${r.ms.toFixed(0)} ms: ${r.stderr.trim()}`);
  });

  it('below a file: fails at once with ENOTDIR', () => {
    const r = start(join(CLI, 'data'), 10_000);
    assertOneLineRefusal(r, [/cannot create the data directory/, /not a directory/]);
  });

  it('the store alone rejects at once too', async () => {
    const t0 = performance.now();
    await assert.rejects(createSqliteStore({ path: '/proc/switchboard-test/x.db' }), {
      code: 'UNAVAILABLE',
      message: /\/proc exists but does not let a folder be created/,
    });
    assert.ok(performance.now() - t0 < 2000);
  });
});
