// Updates that queue up behind a document write are applied together, but each keeps its own outcome, version and
// patch: a refused one (stale if_version, broken operation) changes nothing and does not hold up the others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import type { WireFrame } from '../../../test/support/raw-client.js';
import type { FrameId } from '@switchboard/protocol';

describe('shared state documents: updates sent back to back', () => {
  const fx = useHub();

  it('answers each of 60 pipelined updates on its own and sends their patches in version order', async () => {
    const doc = 'board/queued';
    const writer = await fx.connect('writer');
    assert.equal((await writer.call({ op: 'doc.update', doc, ops: [{ op: 'add', path: '', value: { n: 0, title: 'start' } }] })).version, 1);
    const watcher = await fx.connect('watcher');
    assert.equal((await watcher.call({ op: 'doc.sub', doc })).version, 1);
    // every third update is refused: a stale if_version, or a path that does not exist
    const kinds = range(0, 59).map((i) => (i % 3 === 0 ? 'inc' : i % 3 === 1 ? 'stale' : 'broken'));
    const frames = kinds.map((kind, i) => ({
      op: 'doc.update',
      id: 100 + i,
      doc,
      ops:
        kind === 'broken'
          ? [{ op: 'replace', path: '/missing/deep', value: i }]
          : kind === 'stale'
            ? [{ op: 'replace', path: '/title', value: `t${i}` }]
            : [{ op: 'inc', path: '/n', value: 1 }],
      ...(kind === 'stale' ? { if_version: 1 } : {}),
    }));
    const answers = new Map<FrameId, WireFrame>();
    const all = new Promise<void>((resolve) =>
      writer.tap(
        (f) => typeof f.re === 'number' && f.re >= 100,
        (f) => {
          answers.set(f.re!, f);
          if (answers.size === frames.length) resolve();
        },
      ),
    );
    for (const f of frames) writer.send(f); // all sent before the first answer
    await all;
    const oks = kinds.map((k, i) => [k, answers.get(100 + i)!] as const).filter(([k]) => k === 'inc');
    assert.deepEqual(
      oks.map(([, a]) => a.op),
      Array(20).fill('ok'),
    );
    assert.deepEqual(
      oks.map(([, a]) => a.version),
      range(2, 21),
      'the accepted ones take consecutive versions in the order sent',
    );
    for (const [i, kind] of kinds.entries()) {
      const a = answers.get(100 + i)!;
      if (kind === 'stale') assert.deepEqual([a.op, a.code], ['err', 'CONFLICT'], `update ${i}`);
      if (kind === 'broken') assert.deepEqual([a.op, a.code], ['err', 'BAD_FRAME'], `update ${i}`);
    }
    const patches = [];
    for (let i = 0; i < 20; i++) patches.push(await watcher.next((f) => f.op === 'doc.patch'));
    assert.deepEqual(
      patches.map((p) => p.version),
      range(2, 21),
    );
    assert.ok(
      patches.every((p) => p.by === 'writer' && p.ops[0].op === 'inc'),
      'only the accepted updates have patches',
    );
    const res = await fetch(`${fx.hub.url}/v1/docs/${doc}`);
    assert.deepEqual(await res.json(), { version: 21, value: { n: 20, title: 'start' } }, 'the refused ones changed nothing');
  });
});
