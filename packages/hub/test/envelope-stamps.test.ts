// Hub-assigned envelope ids are RFC 4122 version-4 UUIDs, unique, and timestamps are the ISO form of the clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelopeStamps } from '../src/publish/envelope-stamps.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('envelope stamps', () => {
  it('gives canonical, distinct version-4 UUIDs across many batches', () => {
    const stamps = createEnvelopeStamps();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = stamps.uuid();
      assert.match(id, UUID_V4);
      seen.add(id);
    }
    assert.equal(seen.size, 5000);
    // every hex digit appears in every free position over many ids: the bytes are really random
    const digits = new Set(Array.from(seen, (id) => id[0]));
    assert.equal(digits.size, 16);
  });

  it('gives the ISO time of the clock, a new string when the millisecond changes', () => {
    let now = Date.UTC(2026, 10, 30, 10, 0, 0, 123);
    const stamps = createEnvelopeStamps(() => now);
    assert.equal(stamps.isoNow(), '2026-11-30T10:00:00.123Z');
    now += 1;
    assert.equal(stamps.isoNow(), '2026-11-30T10:00:00.124Z');
    now += 86_400_000;
    assert.equal(stamps.isoNow(), new Date(now).toISOString());
  });
});
