// The hub attached to an HTTP server of the application's (like ws's `server` option): it answers its own paths
// and its WebSocket, and leaves the application's routes and upgrades alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import pino from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { createHub, createSqliteStore, defaultConfig } from '../src/index.js';
import { RawClient } from '../../../test/support/raw-client.js';

it('a hub attached to an existing http.Server shares it with the application', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-attach-'));
  const server: Server = createServer((req, res) => {
    if (req.url === '/app') res.end('app page');
  });
  const appWs = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/app/ws') appWs.handleUpgrade(req, socket, head, (ws) => ws.send('app socket'));
  });
  const store = await createSqliteStore({ path: join(dir, 'store.db') });
  const hub = createHub({ config: { ...defaultConfig(), auth: { dev: true } }, store, logger: pino({ level: 'silent' }), server });
  await assert.rejects(hub.listen(0), /attached to an HTTP server of yours: call listen\(\) on that server/);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(async () => {
    await hub.close();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = server.address() as AddressInfo;
  assert.equal((await hub.listen(0)).port, port, 'listen() reports the server the hub is attached to');
  const base = `http://127.0.0.1:${port}`;

  assert.equal(await (await fetch(`${base}/app`)).text(), 'app page');
  assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
  const pub = await fetch(`${base}/v1/channels/app.events/messages`, { method: 'POST', body: JSON.stringify({ type: 'e', data: { n: 1 } }) });
  assert.equal(pub.status, 201);

  const { client } = await RawClient.connect(`ws://127.0.0.1:${port}/v1/ws`, 'attached');
  const sub = await client.call({ op: 'sub', ch: 'app.events', from: 0 });
  assert.equal(sub.head, 1);
  assert.deepEqual((await client.next((f) => f.op === 'msg')).msg.data, { n: 1 });

  const appSocket = new WebSocket(`ws://127.0.0.1:${port}/app/ws`);
  const first = await new Promise<string>((resolve, reject) => {
    appSocket.once('message', (d) => resolve(d.toString()));
    appSocket.once('error', reject);
  });
  assert.equal(first, 'app socket', "the application's own WebSocket upgrade is left to it");
  appSocket.close();

  await client.close();
  await hub.close();
  assert.equal(server.listening, true, 'closing the hub leaves the application server running');
  assert.equal(await (await fetch(`${base}/app`)).text(), 'app page');
  assert.equal(server.listenerCount('request'), 1, 'the hub took its request handler away');
  assert.equal(server.listenerCount('upgrade'), 1, 'the hub took its upgrade handler away');
});
