// The last minute's rates of the admin API: 60 one-second slots per channel, a bounded number of channels,
// moved by an injected clock (no sleeping).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PairRateTable, RateTable, RateWindow } from '../src/admin/rate-window.js';
import { manualClock } from '../../../test/support/util.js';

it('counts the last 60 seconds and forgets what is older, slot by slot', () => {
  const clock = manualClock(1_000_000_000_000);
  const w = new RateWindow();
  w.add(clock.now(), 5);
  clock.advance(30_000);
  w.add(clock.now(), 2);
  assert.equal(w.total(clock.now()), 7);
  clock.advance(29_999);
  assert.equal(w.total(clock.now()), 7, '59.999 s after the first add: still in the window');
  clock.advance(1);
  assert.equal(w.total(clock.now()), 2, 'the first second left the window');
  clock.advance(60_000);
  assert.equal(w.total(clock.now()), 0);
  assert.ok(w.idle(clock.now()));
  w.add(clock.now());
  assert.equal(w.total(clock.now()), 1, 'a reused slot starts from 0');
});

it('tracks at most maxKeys channels; an idle one makes room, a busy table counts the rest as untracked', () => {
  const clock = manualClock(1_000_000_000_000);
  const t = new RateTable(2, clock.now);
  t.add('a');
  t.add('b', 3);
  t.add('c');
  assert.deepEqual([t.total('a'), t.total('b'), t.total('c'), t.untracked, t.size], [1, 3, 0, 1, 2]);
  clock.advance(61_000);
  t.add('b');
  t.add('c', 4);
  assert.deepEqual([t.total('a'), t.total('c'), t.size], [0, 4, 2], '"a" was idle a whole minute: "c" took its place');
  assert.deepEqual(
    [...t.active()],
    [
      ['b', 1],
      ['c', 4],
    ],
  );
});

it('counts component → channel pairs without building key strings, within the same bound', () => {
  const clock = manualClock(1_000_000_000_000);
  const p = new PairRateTable(2, clock.now);
  p.add('bridge', 'market.ticks');
  p.add('bridge', 'market.ticks');
  p.add('engine', 'market.ticks');
  p.add('late', 'x');
  assert.deepEqual(p.active(), [
    ['bridge', 'market.ticks', 2],
    ['engine', 'market.ticks', 1],
  ]);
  assert.equal(p.untracked, 1);
});
