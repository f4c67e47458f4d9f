import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { connect, DocumentError, type DocumentChange } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';
import type { ViolationDetail } from '@switchboard/protocol';

const CONTRACTS = fileURLToPath(new URL('./fixtures/contracts-docs', import.meta.url));

type Session = { slide: number; title: string };
type Qa = { questions: Record<string, { text: string; votes?: number }> };

test(
  'an update with a stale ifVersion changes the local value at once, then is rolled back: CONFLICT with the current version',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t);
    const editor = await closing(t, connect({ url: hub.wsUrl, component: 'editor-ui' }));
    const presenter = await closing(t, connect({ url: hub.wsUrl, component: 'presenter-ui' }));
    const mine = await editor.doc<Session>('session/7');
    const theirs = await presenter.doc<Session>('session/7');
    await theirs.update([{ op: 'add', path: '', value: { slide: 1, title: 'Intro' } }]);
    await waitFor(() => mine.version === 1, 'the editor sees version 1');
    const seenAt = mine.version;
    await theirs.update([{ op: 'replace', path: '/slide', value: 2 }]);
    await waitFor(() => mine.version === 2, 'the editor sees version 2 (its edit below is made against version 1)');

    const changes: DocumentChange<Session>[] = [];
    mine.on('change', (c) => changes.push(c));
    const iterator = mine[Symbol.asyncIterator]();
    const edit = mine.update([{ op: 'replace', path: '/title', value: 'Q&A' }], { ifVersion: seenAt });
    assert.equal(mine.value.title, 'Q&A', 'optimistic: the local value changed before the hub answered');
    const err = await edit.then(
      () => assert.fail('a stale ifVersion must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DocumentError, String(err));
    assert.equal(err.code, 'CONFLICT');
    assert.equal(err.version, 2, 'the error carries the current version');
    assert.deepEqual(mine.value, { slide: 2, title: 'Intro' }, 'rolled back onto the hub state');
    assert.equal(mine.pending, 0);
    assert.deepEqual(
      changes.map((c) => c.kind),
      ['local', 'rollback'],
    );
    const rollback = changes.find((c) => c.kind === 'rollback')!;
    assert.equal(rollback.error, err);
    assert.deepEqual(rollback.value, { slide: 2, title: 'Intro' });
    const iterated = [(await iterator.next()).value!, (await iterator.next()).value!];
    assert.deepEqual(
      iterated.map((c) => c.kind),
      ['local', 'rollback'],
      'the iterator gets the same changes',
    );

    assert.equal(await mine.update([{ op: 'replace', path: '/title', value: 'Q&A' }], { ifVersion: err.version }), 3, 'redone against the current version');
    await waitFor(() => theirs.version === 3, 'the presenter gets it');
    assert.deepEqual(theirs.value, { slide: 2, title: 'Q&A' });
  },
);

test('an update that breaks the document contract is rolled back with CONTRACT_VIOLATION; updates queued behind it stay', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { contracts: CONTRACTS });
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'qa-ui' }));
  const qa = await c.doc<Qa>('qa/9');
  await qa.update([{ op: 'add', path: '', value: { questions: { q1: { text: 'Why?', votes: 0 } } } }]);

  const bad = qa.update([{ op: 'replace', path: '/questions/q1/votes', value: 'many' }]);
  const good = qa.inc('/questions/q1/votes', 2);
  assert.equal(qa.pending, 2);
  const err = await bad.then(
    () => assert.fail('must be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DocumentError);
  assert.equal(err.code, 'CONTRACT_VIOLATION');
  assert.ok(Array.isArray(err.details) && (err.details as ViolationDetail[]).some((d) => d.path === '/questions/q1/votes'), JSON.stringify(err.details));
  assert.equal(await good, 2);
  await waitFor(() => qa.pending === 0, 'no update pending');
  assert.deepEqual(qa.value, { questions: { q1: { text: 'Why?', votes: 2 } } });
  assert.equal(qa.version, 2);
});
