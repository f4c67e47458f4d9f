import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { fixture } from './fixtures/delivery-support.js';
import type { ViolationDetail } from '@switchboard/protocol';

describe('shared state documents: contracts', () => {
  const fx = useHub({ contracts: fixture('contracts-docs') });

  it('refuses an update that would break the document contract, and changes nothing', async () => {
    const c = await fx.connect('qa-ui');
    const sub = await c.call({ op: 'doc.sub', id: 1, doc: 'qa/7' });
    assert.equal(sub.version, 0);
    let r = await c.call({ op: 'doc.update', id: 2, doc: 'qa/7', ops: [{ op: 'add', path: '', value: { questions: { q1: { text: 'Why?', votes: 0 } } } }] });
    assert.deepEqual([r.op, r.version], ['ok', 1], JSON.stringify(r));
    r = await c.call({
      op: 'doc.update',
      id: 3,
      doc: 'qa/7',
      ops: [
        { op: 'inc', path: '/questions/q1/votes', value: 1 },
        { op: 'replace', path: '/questions/q1/votes', value: 'many' },
      ],
    });
    assert.equal(r.code, 'CONTRACT_VIOLATION', JSON.stringify(r));
    assert.ok(Array.isArray(r.details) && (r.details as ViolationDetail[]).some((d) => d.path === '/questions/q1/votes'), JSON.stringify(r.details));
    r = await c.call({ op: 'doc.update', id: 4, doc: 'qa/7', ops: [{ op: 'add', path: '/extra', value: 1 }] });
    assert.equal(r.code, 'CONTRACT_VIOLATION');
    r = await c.call({ op: 'doc.update', id: 5, doc: 'qa/7', ops: [{ op: 'inc', path: '/questions/q1/votes', value: -5 }] });
    assert.equal(r.code, 'CONTRACT_VIOLATION', 'votes must stay ≥ 0');
    const res = await fetch(`${fx.hub.url}/v1/docs/qa/7`);
    assert.deepEqual(await res.json(), { version: 1, value: { questions: { q1: { text: 'Why?', votes: 0 } } } });
    assert.equal((await c.call({ op: 'ping', id: 6 })).op, 'pong');
    assert.deepEqual(
      c.drain((f) => f.op === 'doc.patch').map((f) => f.version),
      [1],
      'only the accepted update was sent',
    );
  });

  it('leaves documents without a contract unchecked', async () => {
    const c = await fx.connect('free-ui');
    const r = await c.call({ op: 'doc.update', id: 1, doc: 'notes/7', ops: [{ op: 'add', path: '', value: { anything: [1, 'two'] } }] });
    assert.equal(r.op, 'ok', JSON.stringify(r));
  });
});
