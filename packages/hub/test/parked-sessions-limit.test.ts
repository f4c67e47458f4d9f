// limits.max_parked_sessions: disconnected sessions kept for `hello.resume` are bounded; past the limit the
// session parked longest ago is forgotten (a resume gets a fresh session), the newer ones still resume.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';

describe('parked sessions limit', () => {
  const fx = useHub({ config: fixture('parked-cap.yaml') });

  it('keeps at most max_parked_sessions, forgetting the oldest first', async () => {
    const sessions: string[] = [];
    for (const name of ['pk-a', 'pk-b', 'pk-c']) {
      const { client, welcome } = await fx.session(name);
      await subscribe(client, { ch: `pk.${name}`, ack: 'manual' });
      const open = fx.hub.node.connectionCount();
      await client.close();
      sessions.push(welcome.session);
      // parked in this order: the hub parks a session when it drops the connection
      await waitFor(() => fx.hub.node.connectionCount() < open, `the hub to drop the connection of ${name}`);
    }
    const { welcome: a } = await fx.session('pk-a', { resume: sessions[0] });
    assert.equal(a.resumed, false, 'the oldest parked session was forgotten when the third was parked');
    for (const [i, name] of [
      [1, 'pk-b'],
      [2, 'pk-c'],
    ] as const) {
      const { welcome } = await fx.session(name, { resume: sessions[i] });
      assert.equal(welcome.resumed, true, `${name} is still parked: ${JSON.stringify(welcome)}`);
      assert.deepEqual(
        welcome.subs.map((s: { ch: string }) => s.ch),
        [`pk.${name}`],
      );
    }
  });
});
