import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { connect, type ConnectionState } from '../src/index.js';
import { FakeHub } from './support/fake-hub.js';
import { closing, waitFor } from './support/wait.js';

const URL = 'ws://fake/v1/ws';

test('connect resolves after welcome with session and node', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect({ url: URL, component: 'a', version: '1.2.3', WebSocket: hub.WebSocket }));
  assert.equal(c.state, 'connected');
  assert.equal(c.session, 'sess1');
  assert.equal(c.node, 'fake');
  const hello = hub.frames('hello')[0];
  assert.equal(hello.component, 'a');
  assert.equal(hello.version, '1.2.3');
  assert.equal(hello.resume, undefined);
  await c.close();
  assert.equal(c.state, 'closed');
});

test('a refused hello rejects connect with the hub code', async (t) => {
  const hub = new FakeHub();
  hub.refuseHello = { code: 'UNAUTHENTICATED', message: 'token expired; get a new one' };
  await assert.rejects(connect({ url: URL, component: 'a', token: 'x', WebSocket: hub.WebSocket }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'UNAUTHENTICATED');
    assert.match(err.message, /token expired/);
    return true;
  });
  assert.equal(hub.frames('hello')[0].token, 'x');
});

test('the token function is called before every hello', async (t) => {
  const hub = new FakeHub();
  let n = 0;
  const c = await closing(t, connect({ url: URL, component: 'a', token: async () => `t${++n}`, WebSocket: hub.WebSocket, reconnect: { initialDelayMs: 5 } }));
  hub.crash(false);
  await waitFor(() => hub.frames('hello').length === 2 && c.state === 'connected', 'reconnect');
  assert.deepEqual(hub.frames('hello').map((h) => h.token), ['t1', 't2']);
  await c.close();
});

test('connect rejects with TIMEOUT when no hub answers within connectTimeoutMs', async (t) => {
  const hub = new FakeHub();
  hub.crash(true);
  const t0 = Date.now();
  await assert.rejects(connect({ url: URL, component: 'a', WebSocket: hub.WebSocket, connectTimeoutMs: 300, reconnect: { initialDelayMs: 10 } }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /ECONNREFUSED/);
    return true;
  });
  const took = Date.now() - t0;
  assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
});

test('with reconnect off, connect tries each url once', async (t) => {
  const hub = new FakeHub(['ws://a/v1/ws', 'ws://b/v1/ws']);
  hub.crash(true);
  await assert.rejects(connect({ urls: ['ws://a/v1/ws', 'ws://b/v1/ws'], component: 'a', WebSocket: hub.WebSocket, reconnect: false }), { code: 'UNAVAILABLE' });
});

test('failover: the first url is dead, the second answers', async (t) => {
  const hub = new FakeHub(['ws://a/v1/ws', 'ws://b/v1/ws']);
  hub.up.set('ws://a/v1/ws', false);
  const c = await closing(t, connect({ urls: ['ws://a/v1/ws', 'ws://b/v1/ws'], component: 'a', WebSocket: hub.WebSocket }));
  assert.equal([...hub.conns][0]!.url, 'ws://b/v1/ws');
  // b dies, a comes back: the client moves over and resumes its session.
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  hub.start('ws://a/v1/ws');
  hub.up.set('ws://b/v1/ws', false);
  hub.crash(false);
  await waitFor(() => c.state === 'connected' && hub.conns.size === 1, 'failover');
  assert.equal([...hub.conns][0]!.url, 'ws://a/v1/ws');
  assert.deepEqual(states, ['reconnecting', 'connected']);
  assert.equal(hub.frames('hello')[1].resume, 'sess1');
  await c.close();
});

test('state events: reconnecting, connected, closed; gives up after maxAttempts', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect({ url: URL, component: 'a', WebSocket: hub.WebSocket, reconnect: { initialDelayMs: 5, maxAttempts: 3 } }));
  const states: ConnectionState[] = [];
  const errors: Error[] = [];
  c.on('state', (s) => states.push(s));
  c.on('error', (e) => errors.push(e));
  hub.crash(true);
  await waitFor(() => c.state === 'closed', 'give up');
  assert.deepEqual(states, ['reconnecting', 'closed']);
  assert.equal((errors[0] as SwitchboardError).code, 'UNAVAILABLE');
  assert.match(errors[0]!.message, /gave up after 3/);
  await assert.rejects(c.publish('x', 't', {}), { code: 'UNAVAILABLE' });
});

test('heartbeat: pings every half period; a silent hub is treated as dead and the client reconnects', async (t) => {
  const hub = new FakeHub();
  const c = await closing(t, connect({ url: URL, component: 'a', WebSocket: hub.WebSocket, heartbeatMs: 40, connectTimeoutMs: 200, reconnect: { initialDelayMs: 5 } }));
  await waitFor(() => hub.frames('ping').length >= 2, 'pings');
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  hub.silent = true;
  await waitFor(() => states.includes('reconnecting'), 'dead connection detected', 2000);
  hub.silent = false;
  await waitFor(() => c.state === 'connected', 'reconnected');
  await c.close();
});

test('heartbeat period defaults to the hub heartbeat_ms', async (t) => {
  const hub = new FakeHub();
  hub.heartbeatMs = 60;
  const c = await closing(t, connect({ url: URL, component: 'a', WebSocket: hub.WebSocket }));
  await new Promise((r) => setTimeout(r, 200));
  const pings = hub.frames('ping').length;
  assert.ok(pings >= 4 && pings <= 8, `pings: ${pings}`);
  await c.close();
});

test('connect needs a url and a component', async (t) => {
  await assert.rejects(connect({ component: 'a' }), { code: 'BAD_FRAME' });
  await assert.rejects(connect({ url: URL, component: '' }), { code: 'BAD_FRAME' });
});
