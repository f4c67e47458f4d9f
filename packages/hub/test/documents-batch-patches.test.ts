// A room voting at once: the updates of one document that arrive in the same turn are applied in one write and
// leave as one run of patches (`doc.patches` to a subscriber that asked with `"batch":true`, a `doc.patch` each to the
// others). No vote is lost or counted twice, a refused one changes nothing, and every subscriber gets every version
// once, in order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range, waitFor } from '../../../test/support/util.js';
import type { RawClient, WireFrame } from '../../../test/support/raw-client.js';
import { applyPatch } from '@switchboard/client';
import type { DocOp } from '@switchboard/protocol';
import { fixture } from './fixtures/delivery-support.js';

type Votes = { votes: number; voters: Record<string, number> };

/** Collects the patches `client` receives for `doc`, and how many frames carried them. */
function collect(client: RawClient, doc: string): { patches: { version: number; ops: DocOp[]; ref?: string }[]; frames: WireFrame[] } {
  const got = { patches: [] as { version: number; ops: DocOp[]; ref?: string }[], frames: [] as WireFrame[] };
  client.tap(
    (f) => (f.op === 'doc.patch' || f.op === 'doc.patches') && f.doc === doc,
    (f) => {
      got.frames.push(f);
      if (f.op === 'doc.patch') got.patches.push(f as never);
      else for (const p of f.patches as never[]) got.patches.push(p);
    },
  );
  return got;
}

describe('shared state documents: a burst of updates leaves as runs of patches', () => {
  const fx = useHub({ contracts: fixture('contracts-votes') });

  it('250 voters at once, a quarter of them voting twice: 250 counted, the second votes refused, every version to every subscriber once', async () => {
    const doc = 'votes/burst';
    const owner = await fx.connect('owner');
    assert.equal((await owner.call({ op: 'doc.update', doc, ops: [{ op: 'add', path: '', value: { votes: 0, voters: {} } }] })).op, 'ok');
    const batched = await fx.connect('batched-watcher');
    const plain = await fx.connect('plain-watcher');
    const start = await batched.call({ op: 'doc.sub', doc, batch: true });
    assert.equal((await plain.call({ op: 'doc.sub', doc })).version, 1);
    const seenBatched = collect(batched, doc);
    const seenPlain = collect(plain, doc);

    const voters: RawClient[] = [];
    for (const i of range(0, 249)) voters.push(await fx.connect(`voter-${i}`));
    const answers: WireFrame[] = [];
    voters.forEach((v, i) => {
      v.tap(
        (f) => f.op === 'ok' || f.op === 'err',
        (f) => answers.push({ ...f, voter: i }),
      );
    });
    // Every vote is sent before the hub answers any; every fourth voter sends a second one at once.
    voters.forEach((v, i) => {
      const ops = [
        { op: 'inc', path: '/votes', value: 1 },
        { op: 'inc', path: `/voters/v${i}`, value: 1 },
      ];
      v.send({ op: 'doc.update', id: 1, doc, ops, ref: `v${i}a` });
      if (i % 4 === 0) v.send({ op: 'doc.update', id: 2, doc, ops, ref: `v${i}b` });
    });
    await waitFor(
      () => answers.length === 250 + 63,
      () => `${answers.length} answers`,
      20_000,
    );

    const oks = answers.filter((a) => a.op === 'ok');
    const refused = answers.filter((a) => a.op === 'err');
    assert.equal(oks.length, 250, 'one accepted vote per voter');
    assert.deepEqual(
      oks.map((a) => a.version).sort((x, y) => x - y),
      range(2, 251),
      'each accepted vote is a version of its own',
    );
    assert.equal(refused.length, 63);
    for (const r of refused) assert.equal(r.code, 'CONTRACT_VIOLATION', JSON.stringify(r));

    const stored = (await (await fetch(`${fx.hub.url}/v1/docs/${doc}`)).json()) as { version: number; value: Votes };
    assert.equal(stored.version, 251);
    assert.equal(stored.value.votes, 250);
    assert.deepEqual(stored.value.voters, Object.fromEntries(range(0, 249).map((i) => [`v${i}`, 1])));

    for (const [who, seen] of [
      ['batched', seenBatched],
      ['plain', seenPlain],
    ] as const) {
      await waitFor(
        () => seen.patches.length >= 250,
        () => `${who}: ${seen.patches.length} patches`,
        10_000,
      );
      assert.deepEqual(
        seen.patches.map((p) => p.version),
        range(2, 251),
        `${who}: every version once, in order`,
      );
      // Replaying the patches on the snapshot gives the stored value: nothing lost, nothing twice.
      let value: unknown = start.value;
      for (const p of seen.patches) value = applyPatch(value, p.ops);
      assert.deepEqual(value, stored.value, who);
      // Each accepted update's ref is in its patch; no refused one is.
      assert.equal(new Set(seen.patches.map((p) => p.ref)).size, 250);
      for (const p of seen.patches) assert.match(p.ref!, /^v\d+a$/);
    }
    assert.equal(seenPlain.frames.length, 250, 'a subscriber without batch gets a doc.patch per version');
    assert.ok(seenBatched.frames.length < 250, `the burst reached the batch subscriber in fewer frames (${seenBatched.frames.length}) than patches`);
    assert.ok(
      seenBatched.frames.some((f) => f.op === 'doc.patches' && (f.patches as unknown[]).length > 1),
      'runs of several patches came as doc.patches',
    );
  });

  it('a doc.sub with a "batch" that is not a boolean gets BAD_FRAME', async () => {
    const c = await fx.connect('careless');
    const r = await c.call({ op: 'doc.sub', doc: 'votes/other', batch: 'yes' });
    assert.deepEqual([r.op, r.code], ['err', 'BAD_FRAME']);
    assert.match(r.message, /"batch" must be true/);
  });
});
