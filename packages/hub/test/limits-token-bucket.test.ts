import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../src/limits/token-bucket.js';
import { FailedHelloWindow } from '../src/limits/failed-hellos.js';
import { manualClock } from '../../../test/support/util.js';

test('a token bucket gives its burst at once, then the rate, and says how long to wait', () => {
  const clock = manualClock(0);
  const b = new TokenBucket(10, 3, clock.now);
  assert.deepEqual([b.take(), b.take(), b.take()], [0, 0, 0]);
  assert.equal(b.take(), 100, 'one token every 100 ms at 10/s');
  clock.advance(40);
  assert.equal(b.take(), 60);
  clock.advance(60);
  assert.equal(b.take(), 0);
  assert.equal(b.full(), false);
  clock.advance(10_000);
  assert.equal(b.full(), true, 'refilled to the burst, not beyond');
  assert.deepEqual([b.take(), b.take(), b.take(), b.take() > 0], [0, 0, 0, true]);
});

test('failed hellos block an address past the limit until its minute ends, with one burst call', () => {
  const clock = manualClock(0);
  const bursts: [string, number][] = [];
  const w = new FailedHelloWindow(3, clock.now, (a, n) => bursts.push([a, n]));
  for (let i = 0; i < 3; i++) w.note('10.0.0.1');
  assert.equal(w.blockedFor('10.0.0.1'), 0, 'at the limit, not past it');
  w.note('10.0.0.1');
  clock.advance(15_000);
  assert.equal(w.blockedFor('10.0.0.1'), 45_000);
  assert.equal(w.blockedFor('10.0.0.2'), 0, 'another address is not blocked');
  for (let i = 0; i < 10; i++) w.note('10.0.0.1');
  assert.deepEqual(bursts, [['10.0.0.1', 4]], 'one call per burst');
  clock.advance(45_000);
  assert.equal(w.blockedFor('10.0.0.1'), 0);
  w.sweep();
  w.note('10.0.0.1');
  assert.equal(w.blockedFor('10.0.0.1'), 0, 'a new minute starts from zero');
});
