import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionState, type WelcomeFrame } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { signToken, Wire } from './support/net.js';
import { waitFor } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

const SECRET = 'client-sdk-test-secret-that-is-long-enough-0123456789';

test('connect needs a url and a component', async () => {
  await assert.rejects(connect({ component: 'a' }), { code: 'BAD_FRAME' });
  await assert.rejects(connect({ url: 'ws://127.0.0.1:1/v1/ws', component: '' }), { code: 'BAD_FRAME' });
});

test(
  'hello announces component and version; the token function is called before every hello, so a reconnect after the token expired gets a fresh one',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t, { dev: false, tokenSecret: SECRET });
    const wire = new Wire();
    const issued: string[] = [];
    // The first token expires within two seconds (the hub then closes the connection); the next ones last an hour.
    const token = async () => {
      const exp = Math.floor(Date.now() / 1000) + (issued.length === 0 ? 2 : 3600);
      const jwt = signToken(SECRET, { sub: 'sdk-token', exp, n: issued.length + 1 });
      issued.push(jwt);
      return jwt;
    };
    const c = await closing(
      t,
      connect({ url: hub.wsUrl, component: 'sdk-token', version: '1.2.3', token, WebSocket: wire.WebSocket, reconnect: { initialDelayMs: 20 } }),
    );
    const first = c.session;
    const states: ConnectionState[] = [];
    const welcomes: WelcomeFrame[] = [];
    c.on('state', (s) => states.push(s));
    c.on('welcome', (w) => welcomes.push(w));
    assert.equal(issued.length, 1);

    await waitFor(() => welcomes.length === 1, 'a reconnect after the token expired', 5000);
    assert.deepEqual(states, ['reconnecting', 'connected']);
    const hellos = wire.frames('hello');
    assert.equal(hellos.length, 2);
    assert.equal(issued.length, 2, 'one call per hello');
    assert.deepEqual(
      hellos.map((h) => h.token),
      issued,
    );
    assert.notEqual(issued[0], issued[1]);
    for (const h of hellos) {
      assert.equal(h.component, 'sdk-token');
      assert.equal(h.version, '1.2.3');
    }
    assert.equal(hellos[0].resume, undefined);
    assert.equal(hellos[1].resume, first, 'the second hello offers the first session to resume');
    // The fresh token works: the hub accepts a publish on the new connection.
    assert.equal((await c.publish('token.ch', 't', 1)).seq, 1);
  },
);
