import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../src/index.js';

test('parseDuration reads units and numbers of milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5s'), 1_500);
  assert.equal(parseDuration(' 15s '), 15_000);
  assert.equal(parseDuration('1500'), 1_500);
  assert.equal(parseDuration(2500), 2_500);
  assert.equal(parseDuration(0), 0);
});

test('parseDuration refuses anything else with a RangeError that says what to write', () => {
  for (const bad of ['', 'x', '7 days', '7D', '-5s', '5s5', 's', '1w']) {
    assert.throws(
      () => parseDuration(bad),
      (e: unknown) => e instanceof RangeError && /"500ms", "30s", "5m", "2h", "7d"/.test(e.message),
      bad,
    );
  }
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => parseDuration(bad), RangeError);
  assert.throws(() => parseDuration({} as unknown as string), RangeError);
});
