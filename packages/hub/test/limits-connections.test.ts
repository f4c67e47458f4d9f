// limits.max_connections_per_component: one more hello of a component at the limit is refused with RATE_LIMITED;
// a connection that closes (or is parked for resume) frees its place.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { writeConfig } from '../../../test/support/jwks.js';
import { limitRefusals } from '../../../test/support/limit-metrics.js';
import { waitFor } from '../../../test/support/util.js';

describe('connections per component', () => {
  const fx = useHub({ config: writeConfig('limits: { max_connections_per_component: 2 }\n') });

  it('refuses the third connection of a component, not another component, and admits again after a close', async () => {
    const first = await fx.connect('worker');
    await fx.connect('worker');
    const third = await fx.open();
    const refused = await third.call({ op: 'hello', component: 'worker' });
    assert.equal(refused.code, 'RATE_LIMITED');
    assert.equal((refused.details as { limit: string }).limit, 'connections_per_component');
    assert.match(refused.message, /component "worker" has 2 connections open on this hub node/);
    await fx.connect('other');
    await first.close();
    await waitFor(() => fx.hub.node.connectionCount() === 3, 'the close to reach the hub');
    assert.equal((await third.call({ op: 'hello', component: 'worker' })).op, 'welcome', 'the same socket may say hello again once there is room');
    assert.equal((await limitRefusals(fx.hub.url)).connections_per_component, 1);
  });
});
