// Retention: `max_messages` keeps the newest N, `max_age` drops what is older; seq never restarts or repeats,
// also when everything was trimmed and the hub restarted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertContiguous, publishMany, subscribe, useHub } from '../../../test/support/hub-fixture.js';
import { waitFor } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';
import type { Envelope } from '@switchboard/protocol';

describe('retention', () => {
  const fx = useHub({ config: fixture('retention.yaml') });

  it('max_messages: 100 keeps the last 100 of 250 (first seq 151); the next publish gets seq 251', async () => {
    const ch = 'ret.count';
    const publisher = await fx.connect('bridge');
    const seqs = await publishMany(publisher, ch, 250, { window: 25 });
    assertContiguous(seqs, 0, 'publish seqs');
    let log: Envelope[] = [];
    await waitFor(
      async () => (log = await fx.history(ch)).length === 100,
      () => `history should hold 100 messages within a few seconds, holds ${log.length}`,
      { timeoutMs: 5000, everyMs: 50 },
    );
    assertContiguous(
      log.map((m) => m.seq),
      150,
      'retained history',
    );
    assert.deepEqual(log[0].data, { i: 150 });

    const [next] = await publishMany(publisher, ch, 1);
    assert.equal(next, 251, 'seq continues after trimmed messages');

    const c = await fx.connect('reader');
    const r = await subscribe(c, { ch, from: 'earliest' });
    assert.equal(r.head, 251);
    const got = (await c.messages(r.sub, 101)).map((f) => f.msg.seq);
    assertContiguous(got, 150, 'from:"earliest" starts at the oldest retained message');
  });

  it('max_age: 1s drops old messages; seq does not restart, even after a restart', async () => {
    const ch = 'ret.age';
    const publisher = await fx.connect('bridge');
    await publishMany(publisher, ch, 10, { window: 10 });
    assert.equal((await fx.history(ch)).length, 10, 'kept while young');
    await waitFor(async () => (await fx.history(ch)).length === 0, 'gone within a couple of seconds after max_age', { timeoutMs: 4000, everyMs: 50 });
    const [eleven] = await publishMany(publisher, ch, 1);
    assert.equal(eleven, 11);
    assert.deepEqual(
      (await fx.history(ch)).map((m) => m.seq),
      [11],
    );

    await waitFor(async () => (await fx.history(ch)).length === 0, 'trimmed again', { timeoutMs: 4000, everyMs: 50 });
    await fx.closeClients();
    assert.equal(await fx.hub.stop(), 0);
    await fx.restart();
    const p2 = await fx.connect('bridge');
    const [twelve] = await publishMany(p2, ch, 1);
    assert.equal(twelve, 12, 'a channel emptied by retention keeps counting after a restart');
    const [countNext] = await publishMany(p2, 'ret.count', 1);
    assert.equal(countNext, 252);
  });
});
