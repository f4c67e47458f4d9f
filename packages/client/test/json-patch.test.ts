import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { applyPatch, PatchError, type DocOp } from '../src/index.js';

// The cases of RFC 6902 appendix A, plus `inc`; each is checked against fast-json-patch (what the hub applies)
// so that a client's local copy never differs from the hub's value.
const cases: { doc: unknown; ops: DocOp[]; fails?: boolean }[] = [
  { doc: { foo: 'bar' }, ops: [{ op: 'add', path: '/baz', value: 'qux' }] },
  { doc: { foo: ['bar', 'baz'] }, ops: [{ op: 'add', path: '/foo/1', value: 'qux' }] },
  { doc: { baz: 'qux', foo: 'bar' }, ops: [{ op: 'remove', path: '/baz' }] },
  { doc: { foo: ['bar', 'qux', 'baz'] }, ops: [{ op: 'remove', path: '/foo/1' }] },
  { doc: { baz: 'qux', foo: 'bar' }, ops: [{ op: 'replace', path: '/baz', value: 'boo' }] },
  { doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, ops: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }] },
  { doc: { foo: ['all', 'grass', 'cows', 'eat'] }, ops: [{ op: 'move', from: '/foo/1', path: '/foo/3' }] },
  {
    doc: { baz: 'qux', foo: ['a', 2, 'c'] },
    ops: [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
  },
  { doc: { baz: 'qux' }, ops: [{ op: 'test', path: '/baz', value: 'bar' }], fails: true },
  { doc: { foo: 'bar' }, ops: [{ op: 'add', path: '/child', value: { grandchild: {} } }] },
  { doc: { foo: 'bar' }, ops: [{ op: 'add', path: '/baz/bat', value: 'qux' }], fails: true },
  { doc: { foo: ['bar'] }, ops: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }] },
  {
    doc: { foo: { a: 1 } },
    ops: [
      { op: 'copy', from: '/foo', path: '/bar' },
      { op: 'replace', path: '/bar/a', value: 2 },
    ],
  },
  { doc: { a: 1 }, ops: [{ op: 'replace', path: '', value: [1, 2] }] },
  { doc: { a: 1 }, ops: [{ op: 'remove', path: '/b' }], fails: true },
  { doc: { 'a/b': { '~c': 1 } }, ops: [{ op: 'replace', path: '/a~1b/~0c', value: 2 }] },
];

test('applyPatch gives what the hub gives for the RFC 6902 examples, and refuses what it refuses', () => {
  for (const c of cases) {
    const hub = (() => {
      try {
        return { value: jsonpatch.applyPatch(structuredClone(c.doc), c.ops as never, true, false).newDocument };
      } catch {
        return { failed: true };
      }
    })();
    const before = structuredClone(c.doc);
    const local = (() => {
      try {
        return { value: applyPatch(c.doc, c.ops) };
      } catch (err) {
        assert.ok(err instanceof PatchError);
        return { failed: true };
      }
    })();
    assert.deepEqual(local, hub, JSON.stringify(c.ops));
    assert.equal('failed' in local, c.fails === true, JSON.stringify(c.ops));
    assert.deepEqual(c.doc, before, 'the input is never changed');
  }
});

test('inc adds to a number, counts an absent key as 0, and needs the parent', () => {
  assert.deepEqual(applyPatch({ q: { votes: 2 } }, [{ op: 'inc', path: '/q/votes', value: 3 }]), { q: { votes: 5 } });
  assert.deepEqual(applyPatch({ q: {} }, [{ op: 'inc', path: '/q/votes', value: 1 }]), { q: { votes: 1 } });
  assert.deepEqual(applyPatch([1, 2], [{ op: 'inc', path: '/1', value: -2 }]), [1, 0]);
  assert.throws(() => applyPatch({}, [{ op: 'inc', path: '/q/votes', value: 1 }]), PatchError);
  assert.throws(() => applyPatch({ q: 'x' }, [{ op: 'inc', path: '/q', value: 1 }]), /not a number/);
});
