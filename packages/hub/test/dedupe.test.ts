// Idempotent publish: the same msg_id on a channel within the dedupe window is stored once, and the second
// `ok` says `duplicate: true` with the first seq — also across hub restarts; other channels are not affected;
// after the window the same msg_id is stored again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubInProcess } from '../../../test/support/hub-in-process.js';
import { startHub } from '../../../test/support/hub-process.js';
import type { TestHub, TestHubOptions } from '../../../test/support/test-hub.js';
import { RawClient } from '../../../test/support/raw-client.js';
import { history, quietFor, subscribe } from '../../../test/support/hub-fixture.js';
import { sleep } from '../../../test/support/util.js';
import { fixture } from './fixtures/delivery-support.js';

// Each test starts (and restarts) hubs of its own, so this file does not use useHub; the kill -9 test starts a
// hub process, the others a hub in this process.
describe('dedupe', () => {
  const hubs: TestHub[] = [];
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    for (const h of hubs) await h.cleanup();
  });
  /** Records a hub (a started or a restarted one) for cleanup and returns it. */
  function track<H extends TestHub>(hub: H): H {
    hubs.push(hub);
    return hub;
  }
  const start = async (options?: TestHubOptions) => track(await startHubInProcess(options));
  async function connect(hub: TestHub, component = 'bridge'): Promise<RawClient> {
    const { client } = await RawClient.connect(hub.wsUrl, component);
    clients.push(client);
    return client;
  }
  const pub = (c: RawClient, ch: string, msgId: string, data: unknown = { v: 1 }) => c.call({ op: 'pub', ch, type: 'order', data, msg_id: msgId });

  it('stores the same msg_id once; the second ok has duplicate:true and the first seq', async () => {
    const hub = await start();
    const c = await connect(hub);
    const listener = await connect(hub, 'engine');
    const { sub } = await subscribe(listener, { ch: 'dd.orders' });

    const other = await pub(c, 'dd.orders', 'before');
    const first = await pub(c, 'dd.orders', 'order-1', { v: 1 });
    assert.equal(first.op, 'ok');
    assert.equal(first.duplicate, undefined, 'a first publish is no duplicate');
    const second = await pub(c, 'dd.orders', 'order-1', { v: 2 });
    assert.deepEqual({ op: second.op, seq: second.seq, duplicate: second.duplicate }, { op: 'ok', seq: first.seq, duplicate: true });

    // Two copies in flight at once (same group commit) are stored once as well.
    const [a, b] = await Promise.all([pub(c, 'dd.orders', 'order-2'), pub(c, 'dd.orders', 'order-2')]);
    assert.equal(a.seq, b.seq, `both copies get one seq: ${JSON.stringify([a, b])}`);
    assert.equal([a, b].filter((r) => r.duplicate === true).length, 1, 'exactly one of them is the duplicate');

    // The HTTP twin takes the same path.
    const res = await fetch(`${hub.url}/v1/channels/dd.orders/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'order', data: {}, msg_id: 'order-1' }),
    });
    const body = (await res.json()) as { seq: number; duplicate?: boolean };
    assert.equal(body.seq, first.seq);
    assert.equal(body.duplicate, true);

    const log = await history(hub.url, 'dd.orders');
    assert.deepEqual(
      log.map((m) => m.id),
      ['before', 'order-1', 'order-2'],
      'one stored message per msg_id',
    );
    assert.deepEqual(
      log.map((m) => m.seq),
      [other.seq, first.seq, a.seq],
    );
    assert.deepEqual(log[1].data, { v: 1 }, 'the first copy is the one kept');
    const delivered = await listener.messages(sub, 3);
    assert.deepEqual(
      delivered.map((f) => f.msg.id),
      ['before', 'order-1', 'order-2'],
    );
    assert.deepEqual(await quietFor(listener, sub, 300), [], 'duplicates are not delivered');
  });

  it('still dedupes after a hub restart and after kill -9 within the window', async () => {
    const hub0 = track(await startHub());
    let c = await connect(hub0);
    const first = await pub(c, 'dd.restart', 'r-1');
    const firstKill = await pub(c, 'dd.restart', 'k-1');
    await c.close();

    assert.equal(await hub0.stop(), 0);
    const hub1 = track(await hub0.restart());
    c = await connect(hub1);
    const again = await pub(c, 'dd.restart', 'r-1');
    assert.deepEqual({ seq: again.seq, duplicate: again.duplicate }, { seq: first.seq, duplicate: true }, 'deduped across a stop/start');
    await c.close();

    await hub1.kill9();
    const hub2 = track(await hub1.restart());
    c = await connect(hub2);
    const againKill = await pub(c, 'dd.restart', 'k-1');
    assert.deepEqual({ seq: againKill.seq, duplicate: againKill.duplicate }, { seq: firstKill.seq, duplicate: true }, 'deduped across kill -9');
    const fresh = await pub(c, 'dd.restart', 'n-1');
    assert.equal(fresh.duplicate, undefined);
    assert.equal(fresh.seq, firstKill.seq + 1, 'a new msg_id gets the next seq');
    assert.deepEqual(
      (await history(hub2.url, 'dd.restart')).map((m) => m.id),
      ['r-1', 'k-1', 'n-1'],
    );
  });

  it('does not dedupe the same msg_id on different channels', async () => {
    const hub = await start();
    const c = await connect(hub);
    const a = await pub(c, 'dd.a', 'shared-id');
    const b = await pub(c, 'dd.b', 'shared-id');
    assert.equal(a.duplicate, undefined);
    assert.equal(b.duplicate, undefined);
    assert.equal(a.seq, 1);
    assert.equal(b.seq, 1);
    assert.deepEqual(
      (await history(hub.url, 'dd.a')).map((m) => m.id),
      ['shared-id'],
    );
    assert.deepEqual(
      (await history(hub.url, 'dd.b')).map((m) => m.id),
      ['shared-id'],
    );
  });

  it('stores the msg_id again once the dedupe window (500ms) has passed', async () => {
    const hub = await start({ config: fixture('dedupe-short.yaml') });
    const c = await connect(hub);
    const first = await pub(c, 'dd.window', 'w-1');
    const within = await pub(c, 'dd.window', 'w-1');
    assert.deepEqual({ seq: within.seq, duplicate: within.duplicate }, { seq: first.seq, duplicate: true }, 'within the window: deduped');
    await sleep(1200);
    const later = await pub(c, 'dd.window', 'w-1');
    assert.equal(later.duplicate, undefined, `after the window it is a new message: ${JSON.stringify(later)}`);
    assert.equal(later.seq, first.seq + 1);
    const rightAfter = await pub(c, 'dd.window', 'w-1');
    assert.deepEqual({ seq: rightAfter.seq, duplicate: rightAfter.duplicate }, { seq: later.seq, duplicate: true }, 'the new copy opens a new window');
    assert.deepEqual(
      (await history(hub.url, 'dd.window')).map((m) => m.seq),
      [first.seq, later.seq],
    );
  });
});
