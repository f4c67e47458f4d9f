// Routing is sticky: within a step, every message with the same key (meta.key, or a data field the rollout names)
// goes to the same side, so one order or one customer stays on one version; a key on the canary stays there when
// the weight grows.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../../test/support/raw-client.js';
import { waitFor } from '../../../test/support/util.js';
import {
  admin,
  joinGroup,
  publishKeyed,
  startRollout,
  startRolloutHub,
  waitForRollout,
  type Member,
  type RolloutHub,
} from '../../../test/support/rollout-hub.js';

/** The keys each member got, by `keyOf` of the delivery. */
function sides(stable: Member, canary: Member, keyOf: (m: { data: unknown; meta?: unknown }) => string): { stable: Set<string>; canary: Set<string> } {
  return {
    stable: new Set(stable.got.map((f) => keyOf(f.msg))),
    canary: new Set(canary.got.map((f) => keyOf(f.msg))),
  };
}

describe('sticky rollout routing', () => {
  let rh: RolloutHub;
  after(() => rh?.stop());

  it('keeps each meta.key on one side within a step, and canary keys on the canary as the weight grows', async () => {
    rh = await startRolloutHub();
    const ch = 'carts.updated';
    const stable = await joinGroup(rh.ws, 'pricing', '1.0.0', ch, 'pricing');
    const canary = await joinGroup(rh.ws, 'pricing', '1.1.0', ch, 'pricing');
    const { client: publisher } = await RawClient.connect(rh.ws, 'web');
    const r = await startRollout(rh.url, { channel: ch, group: 'pricing', version: '1.1.0', steps: [30, 60, 100], hold: '1m' });
    const keyOf = (m: { meta?: unknown }) => (m.meta as { key: string }).key;
    // 100 customers, 10 messages each, interleaved.
    await publishKeyed(publisher, ch, 0, 1000, (i) => `customer-${i % 100}`);
    await waitFor(() => stable.acked.size + canary.acked.size === 1000, 'the 1000 acked', 10_000);
    const one = sides(stable, canary, keyOf);
    const both = [...one.canary].filter((k) => one.stable.has(k));
    assert.deepEqual(both, [], 'no key on both sides within the step');
    assert.equal(one.stable.size + one.canary.size, 100);
    assert.ok(one.canary.size > 10 && one.canary.size < 50, `${one.canary.size} of 100 keys on the canary at 30 %`);

    rh.clock.advance(60_000);
    await waitForRollout(rh.url, r.id, (s) => s.step === 2, 'step 2');
    stable.got.length = 0;
    canary.got.length = 0;
    await publishKeyed(publisher, ch, 1000, 1000, (i) => `customer-${i % 100}`);
    await waitFor(() => stable.acked.size + canary.acked.size === 2000, 'the next 1000 acked', 10_000);
    const two = sides(stable, canary, keyOf);
    assert.deepEqual(
      [...two.canary].filter((k) => two.stable.has(k)),
      [],
      'no key on both sides within step 2',
    );
    for (const k of one.canary) assert.ok(two.canary.has(k), `${k} was on the canary at 30 % and stays there at 60 %`);
    assert.ok(two.canary.size > one.canary.size, 'more keys on the canary at 60 %');
    const aborted = await admin(rh.url, 'POST', `/v1/admin/rollouts/${r.id}/abort`);
    assert.equal(aborted.status, 200);
    for (const c of [publisher, stable.client, canary.client]) await c.close();
  });

  it('keeps a data field named by key_field on one side', async () => {
    const ch = 'invoices.issued';
    const stable = await joinGroup(rh.ws, 'tax', '4.0.0', ch, 'tax');
    const canary = await joinGroup(rh.ws, 'tax', '4.1.0', ch, 'tax');
    const { client: publisher } = await RawClient.connect(rh.ws, 'erp');
    await startRollout(rh.url, { channel: ch, group: 'tax', version: '4.1.0', steps: [50, 100], key_field: 'account.id' });
    for (let i = 0; i < 400; i++) {
      const reply = await publisher.call({ op: 'pub', ch, type: 'invoice', data: { i, account: { id: `acct-${i % 40}` } } });
      assert.equal(reply.op, 'ok');
    }
    await waitFor(() => stable.acked.size + canary.acked.size === 400, 'the 400 acked');
    const keyOf = (m: { data: unknown }) => (m.data as { account: { id: string } }).account.id;
    const s = sides(stable, canary, keyOf);
    assert.deepEqual(
      [...s.canary].filter((k) => s.stable.has(k)),
      [],
      'no account on both sides',
    );
    assert.ok(s.canary.size > 5 && s.stable.size > 5, `accounts split ${s.canary.size}/${s.stable.size}`);
    for (const c of [publisher, stable.client, canary.client]) await c.close();
  });
});
