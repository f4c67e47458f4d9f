import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { closing } from './support/closing.js';

test(
  'a component connected without a request handler answers UNAVAILABLE; the latest handler answers, removing it restores the previous one; requests carry their timeout',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t);
    const server = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-handlers' }));
    const wire = new Wire();
    const client = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-asker', WebSocket: wire.WebSocket }));
    await assert.rejects(client.request('sdk-handlers', 'x'), { code: 'UNAVAILABLE', message: /no request handler/ });
    server.onRequest(() => 'first');
    const off = server.onRequest(() => 'second');
    assert.equal(await client.request('sdk-handlers', 'x'), 'second');
    off();
    assert.equal(await client.request('sdk-handlers', 'x'), 'first');
    assert.equal(await client.request('sdk-handlers', 'x', null, { timeoutMs: 1234 }), 'first');
    const reqs = wire.frames<{ timeout_ms: number }>('req');
    assert.equal(reqs.length, 4);
    assert.ok(reqs[0].timeout_ms > 4900 && reqs[0].timeout_ms <= 5000, `default timeout_ms: ${reqs[0].timeout_ms}`);
    assert.ok(reqs[3].timeout_ms > 1200 && reqs[3].timeout_ms <= 1234, `timeout_ms: ${reqs[3].timeout_ms}`);
  },
);
