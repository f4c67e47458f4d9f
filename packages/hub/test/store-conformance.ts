import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchboardError } from '@switchboard/protocol';
import type { AppendInput, GroupCursor, Store } from '../src/store/store.js';
import { manualClock, sleep, waitFor } from '../../../test/support/util.js';
import { trimConformance } from './store-conformance-trim.js';

/** Settings the suite asks of a factory for one test; a factory applies those its backend supports. */
export interface StoreHints {
  /** Dedupe window to configure, in ms (only the dedupe-expiry test asks for one). */
  dedupeWindowMs?: number;
  /** The clock to use, in epoch ms (given to a backend with {@link ConformanceOptions.clock}). */
  now?: () => number;
}

/** Which optional parts of the suite a backend runs. */
export interface ConformanceOptions {
  /** Run the close + reopen persistence tests (default true). */
  reopen?: boolean;
  /** Run the test that waits out a short dedupe window (default true); the factory must honour `hints.dedupeWindowMs`. */
  dedupeExpiry?: boolean;
  /** How long retention may take to apply a limit, in ms (default 3000). */
  retentionWithinMs?: number;
  /**
   * The factory honours `hints.now` for message age and the dedupe window: the tests of those move an injected
   * clock instead of waiting for the time to pass (default false: a backend whose server keeps the time).
   */
  clock?: boolean;
}

/**
 * Registers the behaviour every `Store` implementation must show, as one `describe` block. `open` gets a
 * fresh directory (created with mkdtemp, removed after the test) and returns a store kept in it; called
 * twice with the same directory it must reopen the same data.
 */
export function storeConformance(name: string, open: (dir: string, hints?: StoreHints) => Promise<Store>, options: ConformanceOptions = {}): void {
  const retentionWithinMs = options.retentionWithinMs ?? 3000;

  describe(`Store conformance: ${name}`, () => {
    const dirs: string[] = [];
    const stores: Store[] = [];

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close().catch(() => undefined);
      for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    });

    async function newDir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'sb-store-'));
      dirs.push(dir);
      return dir;
    }

    async function openIn(dir: string, hints?: StoreHints): Promise<Store> {
      const store = await open(dir, hints);
      stores.push(store);
      return store;
    }

    async function fresh(hints?: StoreHints): Promise<Store> {
      return openIn(await newDir(), hints);
    }

    trimConformance(async () => {
      const dir = await newDir();
      return { store: await openIn(dir), reopen: options.reopen === false ? undefined : () => openIn(dir) };
    });

    it('assigns seq 1, 2, 3… per channel, independently across channels', async () => {
      const store = await fresh();
      const seqs: Array<[string, number]> = [];
      for (const ch of ['a', 'b', 'a', 'a', 'b']) seqs.push([ch, (await store.append(ch, input(seqs.length))).seq]);
      assert.deepEqual(seqs, [
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['a', 3],
        ['b', 2],
      ]);
    });

    it('stores the envelope once, keys in order id, ch, type, source, ts, seq, data, meta', async () => {
      const store = await fresh();
      const plain = await store.append('env', { id: 'id-1', type: 'tick', source: 'bridge', ts: '2026-01-01T00:00:00.000Z', data: { bid: 1.5 } });
      const meta = { correlation_id: 'c-1', priority: 'high' as const };
      const withMeta = await store.append('env', {
        id: 'id-2',
        type: 'tick',
        source: 'bridge',
        ts: '2026-01-01T00:00:01.000Z',
        data: [1, 2],
        meta,
        msgId: 'k-2',
      });
      assert.equal(plain.message?.json, '{"id":"id-1","ch":"env","type":"tick","source":"bridge","ts":"2026-01-01T00:00:00.000Z","seq":1,"data":{"bid":1.5}}');
      assert.equal(
        withMeta.message?.json,
        '{"id":"id-2","ch":"env","type":"tick","source":"bridge","ts":"2026-01-01T00:00:01.000Z","seq":2,"data":[1,2],"meta":{"correlation_id":"c-1","priority":"high"}}',
      );
      assert.deepEqual(plain.message && { ch: plain.message.ch, seq: plain.message.seq }, { ch: 'env', seq: 1 });
      const stored = await store.read('env', 0, 10);
      assert.deepEqual(
        stored.map((m) => m.json),
        [plain.message?.json, withMeta.message?.json],
      );
    });

    it('resolves 1000 concurrent appends with distinct consecutive seqs, in call order', async () => {
      const store = await fresh();
      const resolvedOrder: number[] = [];
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => store.append('burst', input(i)).then((r) => (resolvedOrder.push(r.seq), r))));
      assert.deepEqual(
        results.map((r) => r.seq),
        range(1, 1000),
      );
      assert.deepEqual(resolvedOrder, range(1, 1000));
      const stored = await store.read('burst', 0, 5000);
      assert.equal(stored.length, 1000);
      assert.deepEqual(
        stored.map((m) => (JSON.parse(m.json) as { data: { i: number } }).data.i),
        range(0, 999),
      );
      assert.deepEqual(await store.info('burst'), { first: 1, last: 1000, count: 1000 });
    });

    it('reads in pages by afterSeq and limit; an unknown channel reads as []', async () => {
      const store = await fresh();
      for (let i = 0; i < 25; i++) await store.append('page', input(i));
      const seqsOf = async (after: number, limit: number): Promise<number[]> => (await store.read('page', after, limit)).map((m) => m.seq);
      assert.deepEqual(await seqsOf(0, 10), range(1, 10));
      assert.deepEqual(await seqsOf(10, 10), range(11, 20));
      assert.deepEqual(await seqsOf(20, 10), range(21, 25));
      assert.deepEqual(await seqsOf(25, 10), []);
      assert.deepEqual(await seqsOf(3, 1), [4]);
      const one = (await store.read('page', 6, 1))[0];
      assert.equal(one?.ch, 'page');
      assert.equal((JSON.parse(one?.json ?? '{}') as { seq: number }).seq, 7);
      assert.deepEqual(await store.read('never-written', 0, 10), []);
    });

    it('reports info (first, last, count) and lists every channel written, dead-letter logs included', async () => {
      const store = await fresh();
      assert.deepEqual(await store.info('a'), { first: 0, last: 0, count: 0 });
      await store.ensureChannel('declared-only', { maxMessages: 10 });
      assert.deepEqual(await store.info('declared-only'), { first: 0, last: 0, count: 0 });
      for (let i = 0; i < 3; i++) await store.append('a', input(i));
      await store.append('b', input(9));
      await store.append('$dlq.a', input(10));
      assert.deepEqual(await store.info('a'), { first: 1, last: 3, count: 3 });
      assert.deepEqual((await store.channels()).sort(), ['$dlq.a', 'a', 'b']);
    });

    it('dedupes by msgId per channel: the same msgId returns the first seq with duplicate true', async () => {
      const store = await fresh();
      const first = await store.append('d', { ...input(1), msgId: 'k1' });
      const again = await store.append('d', { ...input(2), msgId: 'k1' });
      assert.deepEqual([first.seq, first.duplicate], [1, false]);
      assert.deepEqual([again.seq, again.duplicate, again.message], [1, true, undefined]);
      const other = await store.append('d-other', { ...input(3), msgId: 'k1' });
      assert.deepEqual([other.seq, other.duplicate], [1, false]);
      const [x, y] = await Promise.all([store.append('d', { ...input(4), msgId: 'k2' }), store.append('d', { ...input(5), msgId: 'k2' })]);
      assert.equal(x.seq, 2);
      assert.equal(y.seq, 2);
      assert.deepEqual([x.duplicate, y.duplicate].sort(), [false, true]);
      const next = await store.append('d', input(6));
      assert.equal(next.seq, 3);
      const stored = await store.read('d', 0, 10);
      assert.deepEqual(
        stored.map((m) => (JSON.parse(m.json) as { id: string }).id),
        ['id-1', 'id-4', 'id-6'],
      );
    });

    it('writes a msgId again once the dedupe window has passed', { skip: options.dedupeExpiry === false }, async () => {
      const clock = manualClock();
      const store = await fresh({ dedupeWindowMs: 300, ...(options.clock ? { now: clock.now } : {}) });
      assert.equal((await store.append('w', { ...input(1), msgId: 'k' })).seq, 1);
      assert.equal((await store.append('w', { ...input(2), msgId: 'k' })).duplicate, true);
      // past the window: on the injected clock when the backend takes one, else on the wall clock
      if (options.clock) clock.advance(500);
      else await sleep(500);
      const later = await store.append('w', { ...input(3), msgId: 'k' });
      assert.deepEqual([later.seq, later.duplicate], [2, false]);
    });

    it('applies retention by count; seq keeps counting after the trim', async () => {
      const store = await fresh();
      await store.ensureChannel('rc', { maxMessages: 3 });
      for (let i = 0; i < 10; i++) await store.append('rc', input(i));
      await waitFor(async () => assert.deepEqual(await store.info('rc'), { first: 8, last: 10, count: 3 }), 'retention', retentionWithinMs);
      assert.deepEqual(
        (await store.read('rc', 0, 100)).map((m) => m.seq),
        [8, 9, 10],
      );
      assert.equal((await store.append('rc', input(10))).seq, 11);
    });

    it('applies retention by age; seq keeps counting after everything expired', async () => {
      const clock = manualClock();
      const store = await fresh(options.clock ? { now: clock.now } : {});
      await store.ensureChannel('ra', { maxAgeMs: 100 });
      for (let i = 0; i < 5; i++) await store.append('ra', input(i));
      if (options.clock) clock.advance(101);
      await waitFor(async () => assert.deepEqual(await store.info('ra'), { first: 6, last: 5, count: 0 }), 'retention', retentionWithinMs);
      assert.deepEqual(await store.read('ra', 0, 100), []);
      assert.equal((await store.append('ra', input(5))).seq, 6);
      assert.deepEqual(
        (await store.read('ra', 0, 100)).map((m) => m.seq),
        [6],
      );
      assert.ok((await store.channels()).includes('ra'));
    });

    it('starts a new group at earliest, latest or after a given seq', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i++) await store.append('g', input(i));
      const earliest = await store.group('g', 'e', { from: 'earliest', ackWaitMs: 30_000 });
      const latest = await store.group('g', 'l', { from: 'latest', ackWaitMs: 30_000 });
      const after3 = await store.group('g', 'n', { from: 3, ackWaitMs: 30_000 });
      assert.deepEqual(seqs(await earliest.fetch(10)), [1, 2, 3, 4, 5]);
      assert.deepEqual(seqs(await latest.fetch(10)), []);
      assert.equal(latest.ackFloor(), 5);
      await store.append('g', input(5));
      assert.deepEqual(seqs(await latest.fetch(10)), [6]);
      assert.deepEqual(seqs(await after3.fetch(10)), [4, 5, 6]);
      const empty = await store.group('never-written', 'e', { from: 'earliest', ackWaitMs: 30_000 });
      await store.append('never-written', input(0));
      assert.deepEqual(seqs(await empty.fetch(10)), [1]);
    });

    it('hands out oldest first, first delivery counted 1, and never gives one in-flight seq to two fetches', async () => {
      const store = await fresh();
      for (let i = 0; i < 10; i++) await store.append('f', input(i));
      const g = await store.group('f', 'workers', { from: 'earliest', ackWaitMs: 30_000 });
      const [x, y] = await Promise.all([g.fetch(4), g.fetch(4)]);
      assert.equal(x?.length, 4);
      assert.equal(y?.length, 4);
      assert.deepEqual(
        [...seqs(x ?? []), ...seqs(y ?? [])].sort((a, b) => a - b),
        range(1, 8),
      );
      for (const d of [...(x ?? []), ...(y ?? [])]) {
        assert.equal(d.deliveries, 1);
        assert.equal((JSON.parse(d.message.json) as { seq: number }).seq, d.message.seq);
      }
      assert.deepEqual(seqs(await g.fetch(10)), [9, 10]);
      assert.deepEqual(seqs(await g.fetch(10)), []);
      assert.equal(g.inFlight(), 10);
    });

    it('advances the ack floor only over contiguous acks; unknown and repeated acks are ignored', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i++) await store.append('ack', input(i));
      const g = await store.group('ack', 'g', { from: 'earliest', ackWaitMs: 30_000 });
      await g.fetch(5);
      await g.ack(2);
      await g.ack(3);
      assert.equal(g.ackFloor(), 0);
      await g.ack(1);
      assert.equal(g.ackFloor(), 3);
      await g.ack(5);
      assert.equal(g.ackFloor(), 3);
      assert.equal(g.inFlight(), 1);
      await g.ack(99);
      await g.ack(1);
      await g.ack(4);
      assert.equal(g.ackFloor(), 5);
      assert.equal(g.inFlight(), 0);
      assert.deepEqual(await g.fetch(10), []);
    });

    it('redelivers after the ack wait with deliveries 2, calls onReady, and puts redeliveries before new messages', async () => {
      const store = await fresh();
      await store.append('aw', input(0));
      await store.append('aw', input(1));
      const ready = signal();
      const g = await store.group('aw', 'g', { from: 'earliest', ackWaitMs: 150, onReady: ready.fn });
      assert.deepEqual(seqs(await g.fetch(10)), [1, 2]);
      await g.ack(1);
      await store.append('aw', input(2));
      await ready.next(3000);
      const again = await g.fetch(10);
      assert.deepEqual(
        again.map((d) => [d.message.seq, d.deliveries]),
        [
          [2, 2],
          [3, 1],
        ],
      );
      assert.equal(g.inFlight(), 2);
      assert.equal(g.ackFloor(), 1);
    });

    it('makes a nacked seq due after its delay, then at once with delay 0', async () => {
      const store = await fresh();
      await store.append('nk', input(0));
      const ready = signal();
      const g = await store.group('nk', 'g', { from: 'earliest', ackWaitMs: 30_000, onReady: ready.fn });
      assert.deepEqual(seqs(await g.fetch(1)), [1]);
      const nackedAt = Date.now();
      await g.nack(1, 200);
      assert.equal(g.inFlight(), 0);
      assert.deepEqual(await g.fetch(1), []);
      await ready.next(3000);
      const due = await waitFor(
        async () => {
          const d = await g.fetch(1);
          assert.equal(d.length, 1);
          return d;
        },
        'a redelivery',
        3000,
      );
      assert.ok(Date.now() - nackedAt >= 180, 'the nack delay was honoured');
      assert.deepEqual(
        due.map((d) => [d.message.seq, d.deliveries]),
        [[1, 2]],
      );
      await g.nack(1, 0);
      const now = await waitFor(
        async () => {
          const d = await g.fetch(1);
          assert.equal(d.length, 1);
          return d;
        },
        'a redelivery',
        3000,
      );
      assert.deepEqual(
        now.map((d) => [d.message.seq, d.deliveries]),
        [[1, 3]],
      );
    });

    it('never delivers a termed seq again and moves the floor past it', async () => {
      const store = await fresh();
      await store.append('tm', input(0));
      await store.append('tm', input(1));
      const ready = signal();
      const g = await store.group('tm', 'g', { from: 'earliest', ackWaitMs: 150, onReady: ready.fn });
      await g.fetch(10);
      await g.term(1);
      assert.equal(g.ackFloor(), 1);
      await ready.next(3000);
      assert.deepEqual(
        (await g.fetch(10)).map((d) => [d.message.seq, d.deliveries]),
        [[2, 2]],
      );
      await g.term(2);
      assert.equal(g.ackFloor(), 2);
      await sleep(300);
      assert.deepEqual(await g.fetch(10), []);
    });

    it('ignores the from of a later group() call: the group keeps its shared position', async () => {
      const store = await fresh();
      for (let i = 0; i < 4; i++) await store.append('sh', input(i));
      const first = await store.group('sh', 'g', { from: 'earliest', ackWaitMs: 30_000 });
      assert.deepEqual(seqs(await first.fetch(2)), [1, 2]);
      await first.ack(1);
      await first.ack(2);
      const second = await store.group('sh', 'g', { from: 'latest', ackWaitMs: 30_000 });
      assert.equal(second.ackFloor(), 2);
      assert.deepEqual(seqs(await second.fetch(1)), [3]);
      assert.deepEqual(seqs(await first.fetch(10)), [4]);
      assert.deepEqual(await second.fetch(10), []);
      await second.ack(3);
      assert.equal(first.ackFloor(), 3);
    });

    it('skips seqs that retention removed, for new and existing groups', async () => {
      const store = await fresh();
      await store.ensureChannel('gr', { maxMessages: 3 });
      const before = await store.group('gr', 'old', { from: 'earliest', ackWaitMs: 30_000 });
      for (let i = 0; i < 6; i++) await store.append('gr', input(i));
      await waitFor(async () => assert.equal((await store.info('gr')).first, 4), 'retention', retentionWithinMs);
      const after = await store.group('gr', 'new', { from: 'earliest', ackWaitMs: 30_000 });
      assert.deepEqual(seqs(await before.fetch(10)), [4, 5, 6]);
      assert.deepEqual(seqs(await after.fetch(10)), [4, 5, 6]);
      for (const seq of [4, 5, 6]) await before.ack(seq);
      assert.equal(before.ackFloor(), 6);
    });

    it('keeps kv values with revisions; compare-and-set conflicts carry the current revision', async () => {
      const store = await fresh();
      assert.equal(await store.kvGet('docs', 'x'), undefined);
      const r1 = await store.kvPut('docs', 'x', { v: 1 }, 0);
      assert.ok(r1 > 0);
      assert.deepEqual(await store.kvGet('docs', 'x'), { value: { v: 1 }, revision: r1 });
      const r2 = await store.kvPut('docs', 'x', { v: 2 }, r1);
      assert.ok(r2 > r1);
      await assert.rejects(store.kvPut('docs', 'x', { v: 3 }, r1), conflict(r2));
      await assert.rejects(store.kvPut('docs', 'x', { v: 3 }, 0), conflict(r2));
      await assert.rejects(store.kvPut('docs', 'missing', 1, 5), conflict(0));
      assert.deepEqual(await store.kvGet('docs', 'x'), { value: { v: 2 }, revision: r2 });
      const r3 = await store.kvPut('docs', 'x', 'plain');
      assert.ok(r3 > r2);
      assert.deepEqual(await store.kvGet('docs', 'x'), { value: 'plain', revision: r3 });
      assert.equal(await store.kvGet('other-bucket', 'x'), undefined);
      const race = await Promise.allSettled([store.kvPut('docs', 'x', 'a', r3), store.kvPut('docs', 'x', 'b', r3)]);
      assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = race.find((r) => r.status === 'rejected');
      assert.equal(((lost as PromiseRejectedResult).reason as SwitchboardError).code, 'CONFLICT');
    });

    it('lists the keys of a bucket by prefix, in order, up to a limit', async () => {
      const store = await fresh();
      assert.deepEqual(await store.kvKeys('never-written'), []);
      const keys = ['flags/b', 'flags/a', 'flags/a.b', 'flags/ü', 'docs/x', 'flags', 'flags/with space', 'flags/*'];
      for (const key of keys) await store.kvPut('listed', key, { key });
      await store.kvPut('other', 'flags/z', 1);
      assert.deepEqual(await store.kvKeys('listed', { prefix: 'flags/' }), ['flags/*', 'flags/a', 'flags/a.b', 'flags/b', 'flags/with space', 'flags/ü']);
      assert.deepEqual(await store.kvKeys('listed', { prefix: 'flags/', limit: 2 }), ['flags/*', 'flags/a']);
      assert.deepEqual(await store.kvKeys('listed'), ['docs/x', 'flags', 'flags/*', 'flags/a', 'flags/a.b', 'flags/b', 'flags/with space', 'flags/ü']);
      assert.deepEqual(await store.kvKeys('listed', { prefix: 'nothing/' }), []);
      await store.kvPut('listed', 'flags/a', { again: true });
      assert.equal((await store.kvKeys('listed', { prefix: 'flags/a' })).length, 2, 'a rewritten key is listed once');
    });

    it('answers ping while open and rejects every call with UNAVAILABLE once closed', async () => {
      const store = await fresh();
      await store.ping();
      await store.append('c', input(0));
      const g = await store.group('c', 'g', { from: 'earliest', ackWaitMs: 30_000 });
      await store.close();
      const unavailable = (err: unknown): boolean => err instanceof SwitchboardError && err.code === 'UNAVAILABLE';
      await assert.rejects(store.ping(), unavailable);
      await assert.rejects(store.append('c', input(1)), unavailable);
      await assert.rejects(store.ensureChannel('c'), unavailable);
      await assert.rejects(store.read('c', 0, 10), unavailable);
      await assert.rejects(store.info('c'), unavailable);
      await assert.rejects(store.channels(), unavailable);
      await assert.rejects(store.group('c', 'g2', { from: 'earliest', ackWaitMs: 1000 }), unavailable);
      await assert.rejects(store.kvGet('b', 'k'), unavailable);
      await assert.rejects(store.kvPut('b', 'k', 1), unavailable);
      await assert.rejects(store.kvKeys('b'), unavailable);
      await assert.rejects(g.fetch(1), unavailable);
      await assert.rejects(g.ack(1), unavailable);
      await store.close();
    });

    it('keeps messages, last seq, dedupe, group floor, unacked deliveries and kv across close and reopen', { skip: options.reopen === false }, async () => {
      const dir = await newDir();
      const one = await openIn(dir);
      await one.append('p', { ...input(0), msgId: 'once' });
      await one.append('p', input(1));
      await one.append('p', input(2));
      await one.append('q', input(3));
      const g = await one.group('p', 'g', { from: 'earliest', ackWaitMs: 30_000 });
      assert.deepEqual(seqs(await g.fetch(10)), [1, 2, 3]);
      await g.ack(1);
      await g.ack(3);
      const rev = await one.kvPut('state', 'doc', { n: 1 });
      const before = await one.read('p', 0, 10);
      await one.close();

      const two = await openIn(dir);
      assert.deepEqual(await two.read('p', 0, 10), before);
      assert.deepEqual(await two.info('p'), { first: 1, last: 3, count: 3 });
      assert.deepEqual((await two.channels()).sort(), ['p', 'q']);
      assert.deepEqual(await two.append('p', { ...input(4), msgId: 'once' }), { seq: 1, duplicate: true });
      assert.equal((await two.append('p', input(5))).seq, 4);
      assert.equal((await two.append('q', input(6))).seq, 2);
      const g2 = await two.group('p', 'g', { from: 'latest', ackWaitMs: 30_000 });
      assert.equal(g2.ackFloor(), 1);
      const redelivered = await g2.fetch(10);
      assert.deepEqual(
        redelivered.map((d) => d.message.seq),
        [2, 4],
      );
      assert.ok((redelivered[0]?.deliveries ?? 0) >= 2, 'a delivery not acked before the restart counts as a redelivery');
      assert.equal(redelivered[1]?.deliveries, 1);
      await g2.ack(2);
      assert.equal(g2.ackFloor(), 3);
      assert.deepEqual(await two.kvGet('state', 'doc'), { value: { n: 1 }, revision: rev });
      await assert.rejects(two.kvPut('state', 'doc', { n: 2 }, 0), conflict(rev));
    });
  });
}

function input(i: number): AppendInput {
  return { id: `id-${i}`, type: 'test', source: 'conformance', ts: new Date(0).toISOString(), data: { i } };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function seqs(deliveries: Awaited<ReturnType<GroupCursor['fetch']>>): number[] {
  return deliveries.map((d) => d.message.seq);
}

function conflict(revision: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof SwitchboardError, 'a SwitchboardError');
    assert.equal(err.code, 'CONFLICT');
    assert.deepEqual(err.details, { revision });
    return true;
  };
}

/** A callback that counts calls, and a way to wait for the next one. */
function signal(): { fn: () => void; next(timeoutMs: number): Promise<void> } {
  let calls = 0;
  let seen = 0;
  return {
    fn: () => {
      calls += 1;
    },
    next: async (timeoutMs) => {
      await waitFor(() => calls > seen, 'onReady to be called', timeoutMs);
      seen = calls;
    },
  };
}
