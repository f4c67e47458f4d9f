// Fractional rollout: 10,000 targeting keys split within ±2 points of the configured fractions, the same key always
// gets the same variant, and a key keeps its variant when another flag is evaluated (the flag key is in the hash).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFlag, type FlagDefinition } from '../src/index.js';

const rollout: FlagDefinition = {
  state: 'ENABLED',
  variants: { control: 'control', blue: 'blue', green: 'green' },
  defaultVariant: 'control',
  targeting: {
    fractional: [
      ['control', 50],
      ['blue', 30],
      ['green', 20],
    ],
  },
};

describe('fractional split', () => {
  it('splits 10,000 keys within ±2 points of 50/30/20, the same key always alike', () => {
    const counts: Record<string, number> = { control: 0, blue: 0, green: 0 };
    const first = new Map<string, string>();
    for (let i = 0; i < 10_000; i++) {
      const key = `user-${i}@example.com`;
      const r = evaluateFlag('checkout-color', rollout, 'string', 'control', { targetingKey: key });
      assert.equal(r.reason, 'TARGETING_MATCH');
      counts[r.value]!++;
      first.set(key, r.value);
    }
    for (const [variant, share] of Object.entries({ control: 50, blue: 30, green: 20 })) {
      const got = counts[variant]! / 100;
      assert.ok(Math.abs(got - share) <= 2, `${variant}: ${got} % of 10,000 keys, configured ${share} %`);
    }
    for (const [key, variant] of first) assert.equal(evaluateFlag('checkout-color', rollout, 'string', 'control', { targetingKey: key }).value, variant);
  });

  it('buckets by flag key and targeting key together: another flag splits the same users differently', () => {
    const halves = {
      ...rollout,
      targeting: {
        fractional: [
          ['control', 50],
          ['blue', 50],
        ],
      },
    };
    let same = 0;
    for (let i = 0; i < 1000; i++) {
      const ctx = { targetingKey: `user-${i}` };
      const a = evaluateFlag('flag-a', halves, 'string', 'x', ctx).value;
      const b = evaluateFlag('flag-b', halves, 'string', 'x', ctx).value;
      if (a === b) same++;
    }
    assert.ok(same > 400 && same < 600, `${same} of 1000 users on the same side of two independent 50/50 flags`);
  });
});
