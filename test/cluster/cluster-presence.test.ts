// Two hub nodes sharing one nats-server: the presence of a channel spans both nodes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../support/raw-client.js';
import { useCluster } from '../support/cluster.js';
import { NO_NATS } from '../support/nats-server.js';

describe('presence on a cluster of two hub nodes', { skip: NO_NATS }, () => {
  const fx = useCluster(2);
  async function on(node: number, component: string, extra: Record<string, unknown> = {}): Promise<{ client: RawClient; session: string }> {
    const { client, welcome } = await fx.session(node, component, extra);
    return { client, session: welcome.session };
  }

  it('sends join and leave of a member on the other node, and lists members of both nodes', async () => {
    const host = await on(0, 'presenter-ui');
    await host.client.call({ op: 'sub', id: 1, ch: 'session.cl', presence: true, info: { name: 'Ada' } });
    await host.client.next((f) => f.op === 'join' && f.member.session === host.session);

    const guest = await on(1, 'attendee-ui', { info: { name: 'Bob' } });
    await guest.client.call({ op: 'sub', id: 1, ch: 'session.cl' });
    const join = await host.client.next((f) => f.op === 'join' && f.member.session === guest.session, 10_000);
    assert.deepEqual([join.ch, join.member.component, join.member.info], ['session.cl', 'attendee-ui', { name: 'Bob' }]);

    for (const [client, node] of [
      [host.client, 0],
      [guest.client, 1],
    ] as const) {
      const list = await client.call({ op: 'presence', id: 10 + node, ch: 'session.cl' });
      assert.deepEqual(
        list.members.map((m) => m.component),
        ['presenter-ui', 'attendee-ui'],
        `node ${node + 1}`,
      );
    }

    await guest.client.close();
    const leave = await host.client.next((f) => f.op === 'leave', 10_000);
    assert.equal(leave.member.session, guest.session);
    const list = await host.client.call({ op: 'presence', id: 20, ch: 'session.cl' });
    assert.deepEqual(
      list.members.map((m) => m.component),
      ['presenter-ui'],
    );
  });
});
