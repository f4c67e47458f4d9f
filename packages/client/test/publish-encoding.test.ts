import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { history, hubFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { closing } from './support/closing.js';

test(
  'data that JSON cannot encode (a cycle, a BigInt) rejects with BAD_FRAME, nothing is sent, and the connection stays usable',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubFor(t);
    const wire = new Wire();
    const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-encoding', WebSocket: wire.WebSocket }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(c.publish('enc.ch', 't', cyclic), { code: 'BAD_FRAME', message: /cannot be sent as JSON/ });
    await assert.rejects(c.publish('enc.ch', 't', { n: 1n }), { code: 'BAD_FRAME' });
    await assert.rejects(c.publish('enc.ch', 't', { n: 2n }, { ack: false }), { code: 'BAD_FRAME' });
    assert.equal(wire.frames('pub').length, 0);
    assert.equal(c.state, 'connected');
    assert.equal((await c.publish('enc.ch', 't', { ok: true })).seq, 1);
    assert.deepEqual(
      (await history(hub.url, 'enc.ch')).map((m) => m.data),
      [{ ok: true }],
    );
  },
);
