import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/index.js';
import { assertFrozenHubDetected, hubProcessFor, NO_HUB } from './support/hub.js';
import { Wire } from './support/net.js';
import { sleep } from '../../../test/support/util.js';
import { closing } from './support/closing.js';

test(
  'heartbeatMs option: pings every half period; a frozen hub (SIGSTOP) is treated as dead after 2 × heartbeatMs and the client reconnects once it thaws',
  { skip: NO_HUB },
  async (t) => {
    const hub = await hubProcessFor(t); // heartbeat_ms 15 000: the option below wins
    const wire = new Wire();
    const c = await closing(
      t,
      connect({
        url: hub.wsUrl,
        component: 'sdk-hb-option',
        heartbeatMs: 200,
        connectTimeoutMs: 500,
        WebSocket: wire.WebSocket,
        reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      }),
    );
    await sleep(1000);
    const pings = wire.frames('ping', 1).length;
    assert.ok(pings >= 5 && pings <= 11, `pings in 1 s at a 100 ms period: ${pings}`);

    await assertFrozenHubDetected(t, hub, c, 250);
    assert.equal((await c.publish('hb.ch', 't', 1)).seq, 1);
  },
);
