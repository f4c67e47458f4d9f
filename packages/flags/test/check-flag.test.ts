// A flag definition is checked before it is stored: each problem says where it is and what to write instead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkFlag } from '../src/index.js';

describe('checkFlag', () => {
  it('accepts a valid flag and names each problem of a bad one', () => {
    assert.deepEqual(checkFlag({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [true, 'on', 'off'] } }), []);
    assert.deepEqual(checkFlag({ state: 'DISABLED', variants: { a: { x: 1 } }, defaultVariant: null, metadata: { team: 'growth', v: 2 } }), []);
    const problems = checkFlag({ state: 'ON', variants: { a: 1, b: 'two' }, defaultVariant: 'c', targeting: 'yes', extra: 1 });
    assert.deepEqual(problems.map((p) => p.pointer).sort(), ['/defaultVariant', '/extra', '/state', '/targeting', '/variants']);
    assert.match(problems.find((p) => p.pointer === '/variants')!.message, /all be of one type; they are number, string/);
    assert.deepEqual(
      checkFlag([]).map((p) => p.pointer),
      [''],
    );
    assert.deepEqual(
      checkFlag({ state: 'ENABLED', variants: {} }).map((p) => p.pointer),
      ['/variants'],
    );
    assert.deepEqual(
      checkFlag({ state: 'ENABLED', variants: { a: null } }).map((p) => p.pointer),
      ['/variants/a'],
    );
  });
});
