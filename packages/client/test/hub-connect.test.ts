import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { SwitchboardError } from '@switchboard/protocol';
import { connect, type ConnectionState, type WelcomeFrame } from '../src/index.js';
import { assertFrozenHubDetected, deadPort, hubFor, hubProcessFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { sleep, waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

test('connect: welcome with session and node; close', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  let welcome: WelcomeFrame | undefined;
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-connect', version: '0.1.0' }));
  c.on('welcome', (w) => {
    welcome = w;
  });
  assert.equal(c.state, 'connected');
  assert.match(c.session!, /^[0-9a-f-]{36}$/);
  assert.equal(c.node, 'hub-1');
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  await c.close();
  assert.deepEqual(states, ['closed']);
  assert.equal(welcome, undefined, 'no second welcome');
});

test('a hello without a valid token is refused: connect rejects with UNAUTHENTICATED', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { dev: false, tokenSecret: 'test-secret-that-is-long-enough-0123456789' });
  await assert.rejects(connect({ url: hub.wsUrl, component: 'sdk-auth', connectTimeoutMs: 5000 }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError, String(err));
    assert.equal(err.code, 'UNAUTHENTICATED');
    assert.match(err.message, /a token is required/, 'the hub message is passed through');
    return true;
  });
  await assert.rejects(connect({ url: hub.wsUrl, component: 'sdk-auth', token: 'not-a-jwt' }), { code: 'UNAUTHENTICATED' });
});

test('no hub at the url: connect rejects with TIMEOUT after connectTimeoutMs', { skip: NO_HUB }, async () => {
  const port = await deadPort();
  const t0 = Date.now();
  await assert.rejects(
    connect({ url: `ws://127.0.0.1:${port}/v1/ws`, component: 'sdk-none', connectTimeoutMs: 500, reconnect: { initialDelayMs: 20 } }),
    (err: unknown) => {
      assert.ok(err instanceof SwitchboardError);
      assert.equal(err.code, 'TIMEOUT');
      assert.match(err.message, /no hub answered within 500 ms/);
      assert.match(err.message, /ECONNREFUSED/, 'names the last error');
      return true;
    },
  );
  const took = Date.now() - t0;
  assert.ok(took >= 480 && took < 2000, `took ${took} ms`);
});

test('failover: the first url is dead, the client connects to the second', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const dead = `ws://127.0.0.1:${await deadPort()}/v1/ws`;
  const c = await closing(t, connect({ urls: [dead, hub.wsUrl], component: 'sdk-failover' }));
  assert.equal(c.state, 'connected');
  assert.equal((await c.publish('failover.ch', 't', 1)).seq, 1);
});

test('failover after a drop: the hub of the first url dies, the second one takes over', { skip: NO_HUB }, async (t) => {
  const a = await hubProcessFor(t);
  const b = await hubFor(t);
  const c = await closing(t, connect({ urls: [a.wsUrl, b.wsUrl], component: 'sdk-failover2', reconnect: { initialDelayMs: 20 } }));
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  await c.publish('fo.ch', 't', 'on a');
  await a.current.kill9();
  const r = await c.publish('fo.ch', 't', 'on b');
  assert.equal(r.seq, 1, 'b has its own log');
  assert.deepEqual(states, ['reconnecting', 'connected']);
});

test('state events through a hub restart', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-states', reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }));
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  const session = c.session;
  await hub.current.stop();
  await waitFor(() => c.state === 'reconnecting', 'reconnecting');
  await hub.restart();
  await waitFor(() => c.state === 'connected', 'connected again', 10_000);
  assert.deepEqual(states, ['reconnecting', 'connected']);
  assert.notEqual(c.session, undefined);
  assert.ok(session);
});

test('reconnect off: a drop closes the client', { skip: NO_HUB }, async (t) => {
  const hub = await hubProcessFor(t);
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-once', reconnect: false }));
  await hub.current.kill9();
  await waitFor(() => c.state === 'closed', 'closed');
  await assert.rejects(c.publish('x.y', 't', 1), { code: 'UNAVAILABLE' });
});

const HB300 = fileURLToPath(new URL('./fixtures/heartbeat-300ms.yaml', import.meta.url));

test('heartbeat: the client pings at half the hub heartbeat_ms, so an idle client is not dropped', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t, { config: HB300 });
  const wire = new Wire();
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-idle', WebSocket: wire.WebSocket }));
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  await sleep(1500);
  assert.deepEqual(states, []);
  const pings = wire.frames('ping').length;
  assert.ok(pings >= 6 && pings <= 11, `pings in 1.5 s at a 150 ms period: ${pings}`);
  assert.equal((await c.publish('idle.ch', 't', 1)).seq, 1);
});

test('heartbeat: a frozen hub (SIGSTOP) is detected after 2 × heartbeat_ms and the client reconnects once it thaws', { skip: NO_HUB }, async (t) => {
  const hub = await hubProcessFor(t, { config: HB300 });
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-frozen', connectTimeoutMs: 1000, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }));
  await assertFrozenHubDetected(t, hub, c, 550);
});
