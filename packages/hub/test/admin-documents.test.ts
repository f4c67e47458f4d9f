// The documents an operator sees: the status counts every document in the store, and GET /v1/admin/docs lists
// them, those this node has never touched (written before a restart) included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';

interface DocsList {
  node: string;
  docs: { doc: string; subscribers: number; version?: number }[];
  truncated?: number;
}

async function get<T>(url: string, path: string): Promise<T> {
  const res = await fetch(url + path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (await res.json()) as T;
}

describe('documents in the admin status and list', () => {
  const fx = useHub({ nodeId: 'hub-docs' });

  it('counts and lists every stored document, after a restart too', async () => {
    assert.deepEqual((await get<{ documents: unknown }>(fx.hub.url, '/v1/admin/status')).documents, { count: 0 });
    const writer = await fx.connect('presenter-ui');
    for (const [i, doc] of ['session/1', 'session/2', 'prefs/dark-mode'].entries()) {
      const r = await writer.call({ op: 'doc.update', id: i + 1, doc, ops: [{ op: 'add', path: '', value: { i } }] });
      assert.equal(r.op, 'ok', JSON.stringify(r));
    }
    await writer.call({ op: 'doc.update', id: 9, doc: 'session/2', ops: [{ op: 'replace', path: '/i', value: 5 }] });
    assert.deepEqual((await get<{ documents: unknown }>(fx.hub.url, '/v1/admin/status')).documents, { count: 3 });

    await fx.closeClients();
    const hub = await fx.restart();
    const status = await get<{ node: string; documents: unknown }>(hub.url, '/v1/admin/status');
    assert.equal(status.node, 'hub-docs', 'a section never hides a core field');
    assert.deepEqual(status.documents, { count: 3 });

    const reader = await fx.connect('dashboard');
    assert.equal((await reader.call({ op: 'doc.sub', id: 1, doc: 'session/1' })).op, 'ok');
    const list = await get<DocsList>(hub.url, '/v1/admin/docs');
    assert.deepEqual(list, {
      node: 'hub-docs',
      docs: [
        { doc: 'session/1', subscribers: 1, version: 1 },
        { doc: 'prefs/dark-mode', subscribers: 0, version: 1 },
        { doc: 'session/2', subscribers: 0, version: 2 },
      ],
    });
  });
});
