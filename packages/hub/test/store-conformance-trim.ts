// The `trim` part of the Store conformance suite (`store-conformance.ts` registers it inside its `describe`):
// what an operator's purge of a dead-letter log relies on, for every backend.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppendInput, Store } from '../src/store/store.js';

/** Registers the trim cases; `fresh` opens an empty store, `reopen` the same data again (undefined: not run). */
export function trimConformance(fresh: () => Promise<{ store: Store; reopen?: () => Promise<Store> }>): void {
  it('trim removes the messages up to a seq and answers how many; seq keeps counting', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 6; i++) await store.append('t', input(i));
    assert.equal(await store.trim('t', 3), 3);
    assert.deepEqual(await store.info('t'), { first: 4, last: 6, count: 3 });
    assert.deepEqual(
      (await store.read('t', 0, 100)).map((m) => m.seq),
      [4, 5, 6],
    );
    assert.equal(await store.trim('t', 3), 0, 'nothing left at or below 3');
    assert.equal(await store.trim('t', 2), 0, 'below the first retained seq');
    assert.equal((await store.append('t', input(6))).seq, 7);
    assert.ok((await store.channels()).includes('t'));
  });

  it('trim past the last seq removes everything retained and moves no seq; an unknown channel trims nothing', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 4; i++) await store.append('all', input(i));
    assert.equal(await store.trim('all', 1_000_000), 4);
    assert.deepEqual(await store.info('all'), { first: 5, last: 4, count: 0 });
    assert.deepEqual(await store.read('all', 0, 100), []);
    assert.equal((await store.append('all', input(4))).seq, 5, 'the next seq is last + 1, not past the trim point');
    assert.deepEqual(await store.info('all'), { first: 5, last: 5, count: 1 });
    assert.equal(await store.trim('never-written', 10), 0);
    assert.deepEqual(await store.info('never-written'), { first: 0, last: 0, count: 0 });
  });

  it('a consumer group skips what trim removed', async () => {
    const { store } = await fresh();
    for (let i = 0; i < 5; i++) await store.append('tg', input(i));
    const group = await store.group('tg', 'g', { from: 'earliest', ackWaitMs: 30_000 });
    assert.equal(await store.trim('tg', 3), 3);
    assert.deepEqual(
      (await group.fetch(10)).map((d) => d.message.seq),
      [4, 5],
    );
  });

  it('a trim lasts across close and reopen', async () => {
    const { store, reopen } = await fresh();
    if (!reopen) return;
    for (let i = 0; i < 5; i++) await store.append('tp', input(i));
    assert.equal(await store.trim('tp', 2), 2);
    await store.close();
    const again = await reopen();
    assert.deepEqual(await again.info('tp'), { first: 3, last: 5, count: 3 });
    assert.equal((await again.append('tp', input(5))).seq, 6);
  });
}

function input(i: number): AppendInput {
  return { id: `trim-${i}`, type: 'test', source: 'conformance', ts: new Date(0).toISOString(), data: { i } };
}
