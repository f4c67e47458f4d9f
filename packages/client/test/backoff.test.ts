import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, backoffPolicy } from '../src/backoff.js';

test('backoff grows by the factor and is capped', () => {
  const p = backoffPolicy({ initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0 });
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((r) => backoffDelay(p, r)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('jitter takes off at most its share of the delay', () => {
  const p = backoffPolicy({ initialDelayMs: 1000, jitter: 0.5 });
  assert.equal(
    backoffDelay(p, 0, () => 0),
    1000,
  );
  assert.equal(
    backoffDelay(p, 0, () => 0.999999),
    500,
  );
  const full = backoffPolicy({ initialDelayMs: 1000, jitter: 1 });
  assert.equal(
    backoffDelay(full, 0, () => 0.999999),
    0,
  );
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(p, 2);
    assert.ok(d >= 2000 && d <= 4000, String(d));
  }
});

test('defaults: 100 ms, ×2, 10 s cap, jitter 0.5, unlimited attempts', () => {
  assert.deepEqual(backoffPolicy(), { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0.5, maxAttempts: Infinity });
});
