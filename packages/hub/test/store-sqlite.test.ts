import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SwitchboardError } from '@switchboard/protocol';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { AppendInput, Store } from '../src/store/store.js';
import { waitFor } from '../../../test/support/util.js';
import { storeConformance } from './store-conformance.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const crashWriter = fileURLToPath(new URL('./fixtures/store-crash-writer.ts', import.meta.url));

storeConformance(
  'sqlite',
  (dir, hints) => createSqliteStore({ path: join(dir, 'store.db'), retentionIntervalMs: 50, dedupeWindowMs: hints?.dedupeWindowMs, now: hints?.now }),
  { clock: true },
);

storeConformance(
  'sqlite, durability process',
  (dir, hints) =>
    createSqliteStore({
      path: join(dir, 'nested', 'store.db'),
      durability: 'process',
      retentionIntervalMs: 50,
      dedupeWindowMs: hints?.dedupeWindowMs,
      now: hints?.now,
    }),
  { clock: true },
);

describe('SQLite store', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  async function newDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sb-sqlite-'));
    dirs.push(dir);
    return dir;
  }

  it('keeps its database in WAL mode, in a directory it creates', async () => {
    const path = join(await newDir(), 'a', 'b', 'hub.db');
    const store = await createSqliteStore({ path });
    await store.append('x', input(1));
    const peek = new Database(path, { readonly: true });
    try {
      assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      peek.close();
    }
    assert.ok(existsSync(`${path}-wal`), 'the write-ahead log exists');
    assert.equal(store.kind, 'sqlite');
    await store.close();
  });

  it('rejects with UNAVAILABLE when it cannot create its directory', async () => {
    const file = join(await newDir(), 'a-file');
    await writeFile(file, 'not a directory');
    await assert.rejects(createSqliteStore({ path: join(file, 'hub.db') }), (err: unknown) => {
      assert.ok(err instanceof SwitchboardError);
      assert.equal(err.code, 'UNAVAILABLE');
      assert.match(err.message, /writable path/);
      return true;
    });
  });

  it('rejects appends whose commit fails, never resolving them, and reuses their seqs afterwards', async () => {
    const path = join(await newDir(), 'hub.db');
    const store = await createSqliteStore({ path, busyTimeoutMs: 50, logger: { warn: () => undefined } });
    await store.append('w', input(1));
    const locker = new Database(path);
    locker.exec('BEGIN IMMEDIATE');
    const outcomes = await Promise.allSettled([store.append('w', input(2)), store.append('w', input(3)), store.kvPut('b', 'k', 1)]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.equal(((outcome as PromiseRejectedResult).reason as SwitchboardError).code, 'UNAVAILABLE');
    }
    locker.exec('ROLLBACK');
    locker.close();
    assert.equal((await store.append('w', input(4))).seq, 2);
    assert.deepEqual(
      (await store.read('w', 0, 10)).map((m) => (JSON.parse(m.json) as { id: string }).id),
      ['id-1', 'id-4'],
    );
    assert.deepEqual(await store.info('w'), { first: 1, last: 2, count: 2 });
    assert.equal(await store.kvGet('b', 'k'), undefined);
    await store.close();
  });

  it('remembers a msgId for the dedupe window even after retention removed the message', async () => {
    const store = await createSqliteStore({ path: join(await newDir(), 'hub.db'), retentionIntervalMs: 20 });
    await store.ensureChannel('r', { maxMessages: 1 });
    assert.equal((await store.append('r', { ...input(1), msgId: 'k' })).seq, 1);
    await store.append('r', input(2));
    await store.append('r', input(3));
    await waitFor(async () => (await store.info('r')).first === 3, 'retention to trim r to its newest message', { timeoutMs: 2000, everyMs: 20 });
    assert.deepEqual(await store.info('r'), { first: 3, last: 3, count: 1 });
    assert.deepEqual(await store.append('r', { ...input(4), msgId: 'k' }), { seq: 1, duplicate: true });
    await store.close();
  });

  for (const durability of ['fsync', 'process'] as const) {
    it(`keeps every acknowledged append after kill -9 of the writer (durability ${durability})`, async () => {
      const path = join(await newDir(), 'crash.db');
      const acked = await runAndKill(path, durability, 3000);
      assert.ok(acked.size >= 3000, `the writer acknowledged ${acked.size} appends`);

      const store = await createSqliteStore({ path });
      try {
        const all = await readAll(store, 'crash');
        const info = await store.info('crash');
        assert.equal(all.length, info.last, 'every seq from 1 to last is present');
        assert.deepEqual(info, { first: 1, last: all.length, count: all.length });
        all.forEach((m, i) => assert.equal(m.seq, i + 1, 'no gap'));
        const idBySeq = new Map(all.map((m) => [m.seq, (JSON.parse(m.json) as { id: string; seq: number }).id]));
        assert.equal(new Set(idBySeq.values()).size, all.length, 'each message stored once');
        for (const [seq, id] of acked) assert.equal(idBySeq.get(seq), id, `acknowledged seq ${seq} is stored with its message`);
        assert.equal((await store.append('crash', input(0))).seq, info.last + 1);
      } finally {
        await store.close();
      }
    });
  }
});

/** Runs the crash writer until it printed `lines` acknowledged seqs, kills it with SIGKILL, returns seq → id. */
async function runAndKill(path: string, durability: string, lines: number): Promise<Map<number, string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', crashWriter, path, durability], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Map<number, string>();
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      const [seq, id] = line.split(' ');
      assert.ok(!acked.has(Number(seq)), `seq ${seq} acknowledged twice`);
      acked.set(Number(seq), id ?? '');
    }
    if (acked.size >= lines) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const signal = await exited;
  clearTimeout(timer);
  assert.equal(signal, 'SIGKILL', `the writer was killed, not ended by itself: ${stderr}`);
  return acked;
}

async function readAll(store: Store, ch: string): Promise<Array<{ seq: number; json: string }>> {
  const out: Array<{ seq: number; json: string }> = [];
  for (;;) {
    const page = await store.read(ch, out.at(-1)?.seq ?? 0, 1000);
    if (page.length === 0) return out;
    out.push(...page);
  }
}

function input(i: number): AppendInput {
  return { id: `id-${i}`, type: 'test', source: 'sqlite-test', ts: new Date(0).toISOString(), data: { i } };
}
