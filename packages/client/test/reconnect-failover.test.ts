import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { connect, type ConnectionState, type WelcomeFrame } from '../src/index.js';
import { deadPort, history, hubFor, hubProcessFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

test(
  'failover: the first url is dead, the second answers; when that hub dies the client moves back to the first, offering its session',
  { skip: NO_HUB },
  async (t) => {
    const a = await hubFor(t);
    const b = await hubProcessFor(t);
    await a.current.stop(); // nothing listens on a's port now
    const wire = new Wire();
    const c = await closing(
      t,
      connect({ urls: [a.wsUrl, b.wsUrl], component: 'sdk-failover', WebSocket: wire.WebSocket, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }),
    );
    const onB = c.session;
    await c.publish('fo.ch', 't', 'on b');
    assert.deepEqual(
      (await history(b.url, 'fo.ch')).map((m) => m.data),
      ['on b'],
    );

    const states: ConnectionState[] = [];
    const welcomes: WelcomeFrame[] = [];
    c.on('state', (s) => states.push(s));
    c.on('welcome', (w) => welcomes.push(w));
    await a.restart(); // a is back on its port, then b dies
    await b.current.kill9();
    await waitFor(() => welcomes.length === 1 && c.state === 'connected', 'failover to a', 10_000);
    assert.deepEqual(states, ['reconnecting', 'connected']);
    await c.publish('fo.ch', 't', 'on a');
    assert.deepEqual(
      (await history(a.url, 'fo.ch')).map((m) => m.data),
      ['on a'],
    );

    const hellos = wire.frames('hello');
    assert.equal(hellos.length, 2);
    assert.equal(hellos[0].resume, undefined);
    assert.equal(hellos[1].resume, onB, 'the hello to a offers the session of b');
    assert.equal(welcomes[0]!.resumed, false, 'a does not know that session');
    assert.notEqual(c.session, onB);
  },
);

test('with reconnect off, connect tries each url once and rejects with UNAVAILABLE', { skip: NO_HUB }, async () => {
  const urls = [`ws://127.0.0.1:${await deadPort()}/v1/ws`, `ws://127.0.0.1:${await deadPort()}/v1/ws`];
  const wire = new Wire();
  await assert.rejects(connect({ urls, component: 'sdk-once', WebSocket: wire.WebSocket, reconnect: false }), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, /gave up after 2 connection attempts/);
    return true;
  });
  assert.equal(wire.connections, 2, 'one socket per url');
});

test('reconnect gives up after maxAttempts: state reconnecting then closed, an UNAVAILABLE error event, publish rejects', { skip: NO_HUB }, async (t) => {
  const hub = await hubProcessFor(t);
  const wire = new Wire();
  const c = await closing(
    t,
    connect({ url: hub.wsUrl, component: 'sdk-giveup', WebSocket: wire.WebSocket, reconnect: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 } }),
  );
  const states: ConnectionState[] = [];
  const errors: Error[] = [];
  c.on('state', (s) => states.push(s));
  c.on('error', (e) => errors.push(e));
  await hub.current.kill9();
  await waitFor(() => c.state === 'closed', 'give up');
  assert.deepEqual(states, ['reconnecting', 'closed']);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof SwitchboardError);
  assert.equal(errors[0].code, 'UNAVAILABLE');
  assert.match(errors[0].message, /gave up after 3 connection attempts/);
  assert.equal(wire.connections, 1 + 3, 'the first socket, then three attempts');
  await assert.rejects(c.publish('x.y', 't', {}), { code: 'UNAVAILABLE' });
});
