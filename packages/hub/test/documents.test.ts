import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import type { DocBody } from '../../../test/support/http-bodies.js';

describe('shared state documents', () => {
  const fx = useHub();

  it('gives a document never written as version 0 with value null', async () => {
    const c = await fx.connect('doc-empty');
    const r = await c.call({ op: 'doc.sub', id: 1, doc: 'empty/1' });
    assert.equal(r.op, 'ok', JSON.stringify(r));
    assert.equal(r.version, 0);
    assert.equal(r.value, null);
  });

  it('gives a late joiner the whole value, then the patches of later versions', async () => {
    const presenter = await fx.connect('presenter-ui');
    let r = await presenter.call({
      op: 'doc.update',
      id: 1,
      doc: 'session/42',
      ops: [{ op: 'add', path: '', value: { slide: 1, title: 'Intro', questions: {} } }],
    });
    assert.deepEqual([r.op, r.version], ['ok', 1], JSON.stringify(r));
    r = await presenter.call({ op: 'doc.update', id: 2, doc: 'session/42', ops: [{ op: 'replace', path: '/slide', value: 2 }] });
    assert.equal(r.version, 2);

    const late = await fx.connect('attendee-late');
    const snap = await late.call({ op: 'doc.sub', id: 1, doc: 'session/42' });
    assert.deepEqual({ version: snap.version, value: snap.value }, { version: 2, value: { slide: 2, title: 'Intro', questions: {} } });

    r = await presenter.call({ op: 'doc.update', id: 3, doc: 'session/42', ops: [{ op: 'replace', path: '/slide', value: 3 }] });
    const patch = await late.next((f) => f.op === 'doc.patch');
    assert.deepEqual(patch, { op: 'doc.patch', doc: 'session/42', version: 3, ops: [{ op: 'replace', path: '/slide', value: 3 }], by: 'presenter-ui' });
  });

  it('sends patches in version order, each once, to every subscriber', async () => {
    const subs = await Promise.all([fx.connect('order-a'), fx.connect('order-b')]);
    for (const s of subs) assert.equal((await s.call({ op: 'doc.sub', id: 1, doc: 'order/1' })).version, 0);
    const writers = await Promise.all(range(1, 5).map((i) => fx.connect(`order-w${i}`)));
    await writers[0]!.call({ op: 'doc.update', id: 1, doc: 'order/1', ops: [{ op: 'add', path: '', value: { n: 0, log: [] } }] });
    const N = 40;
    await Promise.all(
      range(1, N).map((i) =>
        writers[i % writers.length]!.call({ op: 'doc.update', id: 100 + i, doc: 'order/1', ops: [{ op: 'add', path: '/log/-', value: i }] }),
      ),
    );
    for (const s of subs) {
      const seen: number[] = [];
      while (seen.length < N + 1) seen.push((await s.next((f) => f.op === 'doc.patch', 10_000)).version);
      assert.deepEqual(seen, range(1, N + 1));
    }
    const res = await fetch(`${fx.hub.url}/v1/docs/order%2F1`);
    const body = (await res.json()) as DocBody<{ log: unknown[] }>;
    assert.equal(body.version, N + 1);
    assert.equal(body.value.log.length, N);
  });

  it('answers GET /v1/docs/{doc} with version and value', async () => {
    const c = await fx.connect('doc-http');
    await c.call({ op: 'doc.update', id: 1, doc: 'http/doc', ops: [{ op: 'add', path: '', value: { a: 1 } }] });
    let res = await fetch(`${fx.hub.url}/v1/docs/http/doc`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { version: 1, value: { a: 1 } });
    res = await fetch(`${fx.hub.url}/v1/docs/never/written`);
    assert.deepEqual(await res.json(), { version: 0, value: null });
    res = await fetch(`${fx.hub.url}/v1/docs/bad%20name`);
    assert.equal(res.status, 400);
  });

  it('applies all operations of an update or none: a failing op changes nothing', async () => {
    const c = await fx.connect('doc-atomic');
    await c.call({ op: 'doc.update', id: 1, doc: 'atomic/1', ops: [{ op: 'add', path: '', value: { a: 1, list: [] } }] });
    let r = await c.call({
      op: 'doc.update',
      id: 2,
      doc: 'atomic/1',
      ops: [
        { op: 'replace', path: '/a', value: 2 },
        { op: 'remove', path: '/missing/deep' },
      ],
    });
    assert.equal(r.code, 'BAD_FRAME', JSON.stringify(r));
    assert.equal((r.details as { index: number }).index, 1);
    assert.match(r.message, /ops\[1\].*nothing was changed/);
    r = await c.call({
      op: 'doc.update',
      id: 3,
      doc: 'atomic/1',
      ops: [
        { op: 'replace', path: '/a', value: 3 },
        { op: 'test', path: '/a', value: 99 },
      ],
    });
    assert.equal(r.code, 'CONFLICT', JSON.stringify(r));
    assert.equal((r.details as { version: number }).version, 1);
    r = await c.call({ op: 'doc.update', id: 4, doc: 'atomic/1', ops: [{ op: 'add', path: '/__proto__/polluted', value: true }] });
    assert.equal(r.code, 'BAD_FRAME');
    assert.match(r.message, /reserved segment/);
    r = await c.call({ op: 'doc.update', id: 5, doc: 'atomic/1', ops: [{ op: 'merge', path: '/a' }] });
    assert.equal(r.code, 'BAD_FRAME');
    r = await c.call({ op: 'doc.update', id: 6, doc: 'atomic/1', ops: [{ op: 'inc', path: '/list', value: 1 }] });
    assert.equal(r.code, 'BAD_FRAME');
    assert.match(r.message, /not a number/);
    const snap = await c.call({ op: 'doc.sub', id: 7, doc: 'atomic/1' });
    assert.deepEqual({ version: snap.version, value: snap.value }, { version: 1, value: { a: 1, list: [] } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses an update with more operations than limits.max_doc_ops', async () => {
    const c = await fx.connect('doc-limit');
    const r = await c.call({ op: 'doc.update', id: 1, doc: 'limit/1', ops: range(1, 1001).map(() => ({ op: 'inc', path: '', value: 1 })) });
    assert.equal(r.code, 'TOO_LARGE', JSON.stringify(r));
    assert.match(r.message, /max_doc_ops/);
  });
});
