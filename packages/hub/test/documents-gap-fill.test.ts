// A node that missed announcements of another node's document changes fills the gap from the store until every
// version is forwarded, also when a further gap shows while its read of the store is still in flight (that read may
// predate the versions now missing).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore, type Store } from '../src/index.js';
import { Documents, type DocPatch } from '../src/shared-state/documents.js';
import type { StoredMessage } from '../src/store/store.js';
import { waitFor } from '../../../test/support/util.js';

const LIMITS = { maxDocBytes: 1 << 20, maxDocOps: 100 };

describe('documents: gaps filled from the store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-doc-gap-'));
  let store: Store | undefined;
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards every version when a second gap shows during the read that fills the first', async () => {
    store = await createSqliteStore({ path: join(dir, 'store.db') });
    const real = store;
    // Node B's reads: one of them can be held back, answering what the store held when it was made.
    let hold: Promise<void> | undefined;
    const slowStore = Object.create(real) as Store;
    slowStore.kvGet = (bucket, key) => {
      const read = real.kvGet(bucket, key);
      const held = hold;
      hold = undefined;
      return held ? held.then(() => read) : read;
    };
    const announced: StoredMessage[] = [];
    const a = new Documents({ store: real, limits: LIMITS, announce: (m) => announced.push(m) });
    const b = new Documents({ store: slowStore, limits: LIMITS, announce: () => {} });
    const vote = (i: number) => a.update('qa/gap', { ops: [{ op: 'inc', path: '/votes', value: 1 }], by: `voter-${i}` });

    await a.update('qa/gap', { ops: [{ op: 'add', path: '', value: { votes: 0 } }], by: 'host' });
    const got: number[] = [];
    const sub = await b.subscribe('qa/gap', (patches: readonly DocPatch[]) => got.push(...patches.map((p) => p.version)));
    assert.equal(sub.version, 1);

    await vote(2);
    await vote(3);
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    b.onAnnounce(announced.find((m) => m.seq === 3)!); // version 2's announcement was lost: B reads the store (held)
    await new Promise((r) => setImmediate(r));
    await vote(4);
    await vote(5);
    b.onAnnounce(announced.find((m) => m.seq === 5)!); // version 4's was lost too, while the first read is in flight
    await new Promise((r) => setImmediate(r));
    release();

    await waitFor(
      () => got.length >= 4,
      () => `versions forwarded: ${got.join(', ')}`,
      3000,
    );
    assert.deepEqual(got, [2, 3, 4, 5]);
    sub.unsubscribe();
  });
});
