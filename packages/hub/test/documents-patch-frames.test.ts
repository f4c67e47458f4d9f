// The `doc.patches` frames of a run of patches: at most 500 patches and 1 MiB of them per frame, every patch once
// and in order across the frames, a single larger patch alone in its frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PATCHES_FRAME_BYTES, MAX_PATCHES_PER_FRAME, PatchFrames } from '../src/shared-state/shared-state-ops.js';
import type { DocPatch } from '../src/shared-state/documents.js';

function patches(n: number, bytes: number): DocPatch[] {
  return Array.from({ length: n }, (_, i) => ({
    doc: 'qa/1',
    version: i + 2,
    ops: [{ op: 'replace', path: '/t', value: 'x'.repeat(bytes) }],
    by: 'w',
    ref: `r${i}`,
  }));
}

function read(frames: { text: string }[]): { sizes: number[]; bytes: number[]; versions: number[] } {
  const parsed = frames.map((f) => JSON.parse(f.text) as { op: string; doc: string; patches: { version: number; ref: string }[] });
  for (const f of parsed) assert.deepEqual([f.op, f.doc], ['doc.patches', 'qa/1']);
  return {
    sizes: parsed.map((f) => f.patches.length),
    bytes: frames.map((f) => Buffer.byteLength(f.text)),
    versions: parsed.flatMap((f) => f.patches.map((p) => p.version)),
  };
}

test('a run of 1,200 small patches: frames of at most 500, every version once, in order', () => {
  const run = patches(1200, 10);
  const got = read(new PatchFrames().batch(run));
  assert.equal(MAX_PATCHES_PER_FRAME, 500);
  assert.deepEqual(got.sizes, [500, 500, 200]);
  assert.deepEqual(
    got.versions,
    run.map((p) => p.version),
  );
});

test('a run of 30 patches of 100 kB: frames within 1 MiB of patches; one patch over 1 MiB goes alone', () => {
  const run = patches(30, 100_000);
  const got = read(new PatchFrames().batch(run));
  assert.ok(got.sizes.length >= 3, JSON.stringify(got.sizes));
  for (const b of got.bytes) assert.ok(b <= MAX_PATCHES_FRAME_BYTES + 100, `${b} bytes`);
  assert.deepEqual(
    got.versions,
    run.map((p) => p.version),
  );
  const huge = read(
    new PatchFrames().batch([
      ...patches(1, 10),
      ...patches(1, 2_000_000).map((p) => ({ ...p, version: 3 })),
      ...patches(1, 10).map((p) => ({ ...p, version: 4 })),
    ]),
  );
  assert.deepEqual(huge.sizes, [1, 1, 1]);
  assert.deepEqual(huge.versions, [2, 3, 4]);
});

test('the frames of a run are made once and shared by every subscriber', () => {
  const frames = new PatchFrames();
  const run = patches(3, 10);
  assert.equal(frames.batch(run), frames.batch(run));
});
