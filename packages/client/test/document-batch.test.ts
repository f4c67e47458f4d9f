// A document handle subscribes with "batch": a burst of votes arrives as doc.patches runs, and the handle applies
// each patch of a run as it would a doc.patch: every version once, in order, the exact count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { connect, type DocumentChange, type SharedDocument, type WebSocketCtor } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

type Votes = { votes: number };

test('a burst of 100 votes: the handle subscribed with batch, took runs of patches, and saw every version once', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const wire = new Wire();
  const received: string[] = [];
  // The recording WebSocket of Wire, also noting the op of every frame the hub sends.
  class Watching extends (wire.WebSocket as unknown as typeof WebSocket) {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('message', (data) => received.push((JSON.parse(String(data)) as { op: string }).op));
    }
  }
  const host = await closing(t, connect({ url: hub.wsUrl, component: 'presenter-ui', WebSocket: Watching as unknown as WebSocketCtor }));
  const doc = await host.doc<Votes>('votes/batch');
  await doc.update([{ op: 'add', path: '', value: { votes: 0 } }]);
  assert.deepEqual(wire.frames('doc.sub'), [{ op: 'doc.sub', id: wire.frames<{ id: number }>('doc.sub')[0]!.id, doc: 'votes/batch', batch: true }]);
  const changes: DocumentChange<Votes>[] = [];
  doc.on('change', (c) => changes.push(c));

  const voters = await Promise.all(Array.from({ length: 100 }, (_, i) => closing(t, connect({ url: hub.wsUrl, component: `voter-${i}` }))));
  const docs: SharedDocument<Votes>[] = await Promise.all(voters.map((c) => c.doc<Votes>('votes/batch')));
  await Promise.all(docs.map((d) => d.inc('/votes')));

  await waitFor(
    () => doc.version === 101,
    () => `the handle at version ${doc.version}`,
    20_000,
  );
  assert.equal(doc.value.votes, 100);
  assert.deepEqual(
    changes.map((c) => [c.kind, c.version]),
    Array.from({ length: 100 }, (_, i) => ['remote', i + 2]),
  );
  assert.ok(received.includes('doc.patches'), `the hub sent runs of patches (${received.filter((op) => op === 'doc.patches').length} doc.patches frames)`);
  for (const d of docs) await waitFor(() => d.version === 101 && d.value.votes === 100, 'every voter converges', 10_000);
});
