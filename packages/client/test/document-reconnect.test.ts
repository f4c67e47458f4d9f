import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { connect, type DocumentChange } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { proxyFor, Wire } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };
/** Frames with `op` the SDK sent after its first socket. */
const later = (wire: Wire, op: string) => wire.sent.filter((s) => s.conn > 1 && s.frame.op === op).map((s) => s.frame);
const SHORT_TTL = fileURLToPath(new URL('./fixtures/short-session-ttl.yaml', import.meta.url));
type Session = { slide: number; title?: string; notes?: string[] };

test(
  'a document across a dropped connection: the resumed subscription brings the missed changes, then the update made offline goes out',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t);
    const proxy = await proxyFor(t, hub.current.port);
    const wire = new Wire();
    const a = await closing(t, connect({ url: proxy.wsUrl, component: 'attendee-ui', WebSocket: wire.WebSocket, reconnect }));
    const writer = await closing(t, connect({ url: hub.wsUrl, component: 'presenter-ui' }));
    const w = await writer.doc<Session>('session/1');
    await w.update([{ op: 'add', path: '', value: { slide: 1, notes: [] } }]);
    const d = await a.doc<Session>('session/1');
    assert.deepEqual([d.version, d.value], [1, { slide: 1, notes: [] }]);
    const kinds: string[] = [];
    d.on('change', (c) => kinds.push(c.kind));

    proxy.cut(true);
    await waitFor(() => a.state === 'reconnecting', 'the attendee lost its connection');
    await w.update([{ op: 'replace', path: '/slide', value: 2 }]);
    await w.update([{ op: 'add', path: '/title', value: 'Q&A' }]);
    const offline = d.update([{ op: 'add', path: '/notes/-', value: 'written offline' }]);
    assert.deepEqual(d.value, { slide: 1, notes: ['written offline'] }, 'applied locally at once');
    assert.equal(d.pending, 1);
    proxy.restore();
    assert.equal(await offline, 4, 'sent after the reconnect, on top of the missed changes');
    await waitFor(() => d.version === 4 && w.version === 4, 'both at version 4');
    assert.deepEqual(d.value, { slide: 2, title: 'Q&A', notes: ['written offline'] });
    assert.deepEqual(w.value, d.value);
    assert.deepEqual(kinds, ['local', 'remote', 'remote']);
    assert.equal(later(wire, 'doc.sub').length, 0, 'the resumed session kept the subscription: no new doc.sub');
    assert.deepEqual(
      later(wire, 'doc.update').map((f) => f.ops),
      [[{ op: 'add', path: '/notes/-', value: 'written offline' }]],
    );
  },
);

test('a document after a reconnect that could not resume: a fresh snapshot replaces the value', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { config: SHORT_TTL });
  const proxy = await proxyFor(t, hub.current.port);
  const wire = new Wire();
  const a = await closing(t, connect({ url: proxy.wsUrl, component: 'attendee-ui', WebSocket: wire.WebSocket, reconnect }));
  const writer = await closing(t, connect({ url: hub.wsUrl, component: 'presenter-ui' }));
  const w = await writer.doc<Session>('session/2');
  await w.update([{ op: 'add', path: '', value: { slide: 1 } }]);
  const d = await a.doc<Session>('session/2');
  const changes: DocumentChange<Session>[] = [];
  d.on('change', (c) => changes.push(c));

  proxy.cut(true);
  await waitFor(() => a.state === 'reconnecting', 'the attendee lost its connection');
  await sleep(200); // past session_ttl: the hub forgets the session
  for (let slide = 2; slide <= 4; slide++) await w.update([{ op: 'replace', path: '/slide', value: slide }]);
  proxy.restore();
  await waitFor(() => d.version === 4, 'at version 4 again');
  assert.deepEqual(d.value, { slide: 4 });
  assert.equal(later(wire, 'doc.sub').length, 1, 'subscribed anew');
  assert.deepEqual(
    changes.map((c) => [c.kind, c.version, c.by]),
    [['snapshot', 4, '$hub']],
  );
  assert.deepEqual(changes[0]!.value, { slide: 4 });
});

/** A stand-in hub that answers hello and doc.sub as told and lets the test send frames; records what it received. */
async function fakeHub(t: { after(fn: () => unknown): void }, snapshots: { version: number; value: unknown }[]) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  const received: { op: string; [field: string]: unknown }[] = [];
  let socket: WsSocket | undefined;
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      received.push(f);
      if (f.op === 'hello')
        ws.send(
          JSON.stringify({
            op: 'welcome',
            re: f.id,
            session: 'fake',
            node: 'fake',
            heartbeat_ms: 15000,
            limits: { max_frame_bytes: 1 << 20, max_inflight: 100 },
          }),
        );
      if (f.op === 'doc.sub') ws.send(JSON.stringify({ op: 'ok', re: f.id, ...snapshots.shift() }));
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/ws`, received, send: (f: unknown) => socket!.send(JSON.stringify(f)) };
}

test('a patch after a gap in versions, or one that does not apply to the local copy, makes the handle take a fresh snapshot', async (t) => {
  const fake = await fakeHub(t, [
    { version: 1, value: { n: 1 } },
    { version: 3, value: { n: 3 } },
    { version: 5, value: { n: 5, m: 0 } },
  ]);
  const c = await closing(t, connect({ url: fake.url, component: 'gap-test', reconnect: false }));
  const d = await c.doc<{ n: number; m?: number }>('doc/gap');
  assert.deepEqual([d.version, d.value], [1, { n: 1 }]);
  fake.send({ op: 'doc.patch', doc: 'doc/gap', version: 3, ops: [{ op: 'replace', path: '/n', value: 33 }], by: 'x' });
  await waitFor(() => d.version === 3, 'the fresh snapshot');
  assert.deepEqual(d.value, { n: 3 }, 'the snapshot, not the patch applied over the gap');
  assert.deepEqual(
    fake.received.filter((f) => f.op.startsWith('doc.')).map((f) => f.op),
    ['doc.sub', 'doc.unsub', 'doc.sub'],
  );

  fake.send({ op: 'doc.patch', doc: 'doc/gap', version: 4, ops: [{ op: 'replace', path: '/missing', value: 1 }], by: 'x' });
  await waitFor(() => d.version === 5, 'a second fresh snapshot');
  assert.deepEqual(d.value, { n: 5, m: 0 });
  fake.send({ op: 'doc.patch', doc: 'doc/gap', version: 6, ops: [{ op: 'inc', path: '/m', value: 2 }], by: 'x' });
  await waitFor(() => d.version === 6, 'the next patch in order');
  assert.deepEqual(d.value, { n: 5, m: 2 });
});
