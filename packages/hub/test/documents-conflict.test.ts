import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import type { DocBody } from '../../../test/support/http-bodies.js';

describe('shared state documents: optimistic updates and concurrent votes', () => {
  const fx = useHub();

  it('refuses a stale if_version with CONFLICT and the current version; the current one applies', async () => {
    const a = await fx.connect('editor-a');
    const b = await fx.connect('editor-b');
    await a.call({ op: 'doc.update', id: 1, doc: 'agenda/1', ops: [{ op: 'add', path: '', value: { title: 'Draft' } }] });
    const ok = await a.call({ op: 'doc.update', id: 2, doc: 'agenda/1', ops: [{ op: 'replace', path: '/title', value: 'A' }], if_version: 1 });
    assert.deepEqual([ok.op, ok.version], ['ok', 2]);
    const stale = await b.call({ op: 'doc.update', id: 1, doc: 'agenda/1', ops: [{ op: 'replace', path: '/title', value: 'B' }], if_version: 1 });
    assert.equal(stale.op, 'err');
    assert.equal(stale.code, 'CONFLICT');
    assert.deepEqual(stale.details, { version: 2 });
    assert.match(stale.message, /version 2/);
    const retry = await b.call({ op: 'doc.update', id: 2, doc: 'agenda/1', ops: [{ op: 'replace', path: '/title', value: 'B' }], if_version: 2 });
    assert.equal(retry.version, 3);
    const last = await a.call({ op: 'doc.update', id: 3, doc: 'agenda/1', ops: [{ op: 'replace', path: '/title', value: 'C' }] });
    assert.equal(last.version, 4, 'without if_version the update applies to the current version');
    const res = await fetch(`${fx.hub.url}/v1/docs/agenda/1`);
    assert.deepEqual(await res.json(), { version: 4, value: { title: 'C' } });
  });

  it('counts 250 concurrent inc votes from 25 connections exactly, with or without if_version', async () => {
    const host = await fx.connect('qa-host');
    await host.call({
      op: 'doc.update',
      id: 1,
      doc: 'qa/42',
      ops: [{ op: 'add', path: '', value: { questions: { q1: { text: 'Why?', votes: 0 }, q2: { text: 'How?' } } } }],
    });
    const watcher = await fx.connect('qa-watcher');
    assert.equal((await watcher.call({ op: 'doc.sub', id: 1, doc: 'qa/42' })).version, 1);
    const voters = await Promise.all(range(1, 25).map((i) => fx.connect(`voter-${i}`)));
    const replies = await Promise.all(
      voters.flatMap((v, i) =>
        range(1, 10).map((k) => {
          const ops = [{ op: 'inc', path: k % 2 ? '/questions/q1/votes' : '/questions/q2/votes', value: 1 }];
          // Half of them carry a stale if_version: inc is commutative, so it still counts.
          return v.call({ op: 'doc.update', id: k, doc: 'qa/42', ops, ...(i % 2 ? { if_version: 1 } : {}) }, 30_000);
        }),
      ),
    );
    assert.deepEqual(
      replies.filter((r) => r.op !== 'ok'),
      [],
    );
    assert.deepEqual(new Set(replies.map((r) => r.version)).size, 250, 'each vote has its own version');
    const res = await fetch(`${fx.hub.url}/v1/docs/qa/42`);
    const body = (await res.json()) as DocBody<{ questions: Record<string, { votes: number }> }>;
    assert.equal(body.version, 251);
    assert.equal(body.value.questions.q1.votes, 125);
    assert.equal(body.value.questions.q2.votes, 125);
    const versions: number[] = [];
    while (versions.length < 250) versions.push((await watcher.next((f) => f.op === 'doc.patch', 30_000)).version);
    assert.deepEqual(versions, range(2, 251));
  });
});
