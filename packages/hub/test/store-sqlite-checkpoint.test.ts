// The SQLite store checkpoints its WAL from a worker thread (not inside a commit on the event loop): while a hub
// writes, committed pages reach the database file; after a close every message is there.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { waitFor } from '../../../test/support/util.js';

describe('SQLite store WAL checkpoints', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function writeMany(path: string, checkpointIntervalMs?: number) {
    const store = await createSqliteStore({ path, durability: 'process', checkpointIntervalMs });
    const data = { text: 'x'.repeat(200) };
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) => store.append('cp.ch', { id: `m-${round}-${i}`, type: 't', source: 'test', ts: new Date().toISOString(), data })),
      );
    }
    return store;
  }

  it('moves committed pages into the database file while the store stays open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-ckpt-'));
    dirs.push(dir);
    const path = join(dir, 'store.db');
    const store = await writeMany(path, 50);
    try {
      // SQLite's automatic checkpoint is off on the store's connection: only the worker's checkpoints put the
      // messages into the database file while the store is open (a worker that never runs leaves it at 4 KB).
      const inFile = () => statSync(path).size > 2_000_000;
      await waitFor(inFile, () => `the database file holds the messages: ${statSync(path).size} bytes`, { timeoutMs: 10_000, everyMs: 100 });
      assert.equal((await store.info('cp.ch')).last, 10_000);
    } finally {
      await store.close();
    }
  });

  it('reopens with every message after a close (the last checkpoint runs on close)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-ckpt-'));
    dirs.push(dir);
    const path = join(dir, 'store.db');
    await (await writeMany(path)).close();
    const again = await createSqliteStore({ path });
    try {
      const info = await again.info('cp.ch');
      assert.deepEqual([info.first, info.last, info.count], [1, 10_000, 10_000]);
    } finally {
      await again.close();
    }
  });
});
