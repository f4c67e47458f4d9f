import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionState } from '../src/index.js';
import { hubFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { closing, sleep, waitFor } from './support/wait.js';

test('heartbeatMs option: pings every half period; a frozen hub (SIGSTOP) is treated as dead after 2 × heartbeatMs and the client reconnects once it thaws', { skip: NO_HUB }, async (t) => {
  const hub = await hubFor(t); // heartbeat_ms 15 000: the option below wins
  const wire = new Wire();
  const c = await closing(t, connect({ url: hub.wsUrl, component: 'sdk-hb-option', heartbeatMs: 200, connectTimeoutMs: 500, WebSocket: wire.WebSocket, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } }));
  await sleep(1000);
  const pings = wire.frames('ping', 1).length;
  assert.ok(pings >= 5 && pings <= 11, `pings in 1 s at a 100 ms period: ${pings}`);

  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  hub.current.child.kill('SIGSTOP');
  t.after(() => { hub.current.child.kill('SIGCONT'); });
  const t0 = Date.now();
  await waitFor(() => c.state === 'reconnecting', 'dead connection detected', 3000);
  const took = Date.now() - t0;
  assert.ok(took >= 250 && took < 1500, `detected after ${took} ms`);
  hub.current.child.kill('SIGCONT');
  await waitFor(() => c.state === 'connected', 'reconnected', 10_000);
  assert.deepEqual(states, ['reconnecting', 'connected']);
  assert.equal((await c.publish('hb.ch', 't', 1)).seq, 1);
});
