import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { range } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';
import type { DocBody } from '../../../test/support/http-bodies.js';

describe('shared state documents: limits', () => {
  const fx = useHub({ config: fixture('doc-limits.yaml') });

  it('refuses a document over limits.max_doc_bytes and an update over limits.max_doc_ops, changing nothing', async () => {
    const c = await fx.connect('doc-big');
    assert.equal((await c.call({ op: 'doc.update', id: 1, doc: 'big/1', ops: [{ op: 'add', path: '', value: { text: 'x'.repeat(500) } }] })).version, 1);
    let r = await c.call({ op: 'doc.update', id: 2, doc: 'big/1', ops: [{ op: 'add', path: '/more', value: 'y'.repeat(600) }] });
    assert.equal(r.code, 'TOO_LARGE', JSON.stringify(r));
    assert.match(r.message, /max_doc_bytes/);
    r = await c.call({ op: 'doc.update', id: 3, doc: 'big/1', ops: range(1, 11).map(() => ({ op: 'inc', path: '/n', value: 1 })) });
    assert.equal(r.code, 'TOO_LARGE');
    assert.match(r.message, /max_doc_ops/);
    const body = (await (await fetch(`${fx.hub.url}/v1/docs/big/1`)).json()) as DocBody;
    assert.deepEqual(body, { version: 1, value: { text: 'x'.repeat(500) } });
  });

  it('answers RATE_LIMITED past limits.max_pending_requests waiting updates on one connection', async () => {
    const c = await fx.connect('doc-flood');
    await c.call({ op: 'doc.update', id: 1, doc: 'flood/1', ops: [{ op: 'add', path: '', value: { n: 0 } }] });
    const replies = await Promise.all(
      range(1, 40).map((i) => c.call({ op: 'doc.update', id: 100 + i, doc: 'flood/1', ops: [{ op: 'inc', path: '/n', value: 1 }] }, 20_000)),
    );
    const ok = replies.filter((x) => x.op === 'ok').length;
    const limited = replies.filter((x) => x.code === 'RATE_LIMITED');
    assert.equal(ok + limited.length, 40, JSON.stringify(replies.filter((x) => x.op !== 'ok' && x.code !== 'RATE_LIMITED')));
    assert.ok(ok >= 5, `at least the first 5 are applied (${ok})`);
    assert.ok(limited.length > 0, '40 updates sent at once exceed 5 waiting');
    assert.match(limited[0].message, /max_pending_requests/);
    const body = (await (await fetch(`${fx.hub.url}/v1/docs/flood/1`)).json()) as DocBody<{ n: number }>;
    assert.equal(body.value.n, ok, 'every accepted inc counted, no refused one');
  });
});
