// Every refusal by a size or count limit of the core and of the features — not only the rate limits of the limits
// feature — is counted in switchboard_limit_refusals_total under its own `limit` label, as an operator reads it
// from GET /metrics: frames and HTTP bodies over max_frame_bytes, subscriptions and requests per connection,
// document size and operations, presence info, waiting doc.updates, OFREP event streams and live rollouts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get, type ClientRequest } from 'node:http';
import { useHub } from '../../../test/support/hub-fixture.js';
import { writeConfig } from '../../../test/support/jwks.js';
import { limitRefusals } from '../../../test/support/limit-metrics.js';
import { LIMIT_NAMES } from '../src/metrics/limit-names.js';
import { range } from '../../../test/support/util.js';

const CONFIG = `limits:
  max_frame_bytes: 4096
  max_subscriptions: 2
  max_pending_requests: 2
  max_doc_bytes: 1000
  max_doc_ops: 3
  max_presence_info_bytes: 100
`;

describe('limit refusals in the metric', () => {
  const fx = useHub({ config: writeConfig(CONFIG) });

  it('has a series at 0 for every limit before any refusal', async () => {
    const counts = await limitRefusals(fx.hub.url);
    assert.deepEqual(Object.keys(counts).sort(), [...LIMIT_NAMES].sort());
    assert.ok(LIMIT_NAMES.length >= 15);
  });

  it('counts frames over max_frame_bytes (answered TOO_LARGE) and over 4 × (closed with 1009) as frame_bytes', async () => {
    const c = await fx.connect('big-frames');
    c.send(JSON.stringify({ op: 'pub', ch: 'lim.frames', type: 't', data: 'x'.repeat(5000) }));
    const err = await c.next((f) => f.op === 'err' && f.code === 'TOO_LARGE');
    assert.match(err.message, /max_frame_bytes/);
    assert.equal((await limitRefusals(fx.hub.url)).frame_bytes, 1);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.send(JSON.stringify({ op: 'pub', ch: 'lim.frames', type: 't', data: 'y'.repeat(4 * 4096 + 10) }));
    assert.equal(await closed, 1009);
    assert.equal((await limitRefusals(fx.hub.url)).frame_bytes, 2);
  });

  it('counts HTTP bodies over max_frame_bytes as http_body_bytes', async () => {
    const res = await fetch(`${fx.hub.url}/v1/channels/lim.http/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 't', data: 'z'.repeat(5000) }),
    });
    assert.equal(res.status, 413);
    assert.equal((await limitRefusals(fx.hub.url)).http_body_bytes, 1);
  });

  it('counts a sub over max_subscriptions as subscriptions_per_connection', async () => {
    const c = await fx.connect('many-subs');
    for (const ch of ['lim.s1', 'lim.s2']) assert.equal((await c.call({ op: 'sub', ch })).op, 'ok');
    assert.equal((await c.call({ op: 'sub', ch: 'lim.s3' })).code, 'RATE_LIMITED');
    assert.equal((await c.call({ op: 'sub', ch: 'lim.s4' })).code, 'RATE_LIMITED');
    assert.equal((await limitRefusals(fx.hub.url)).subscriptions_per_connection, 2);
  });

  it('counts a req over max_pending_requests as pending_requests', async () => {
    const responder = await fx.connect('slow-responder');
    const asker = await fx.connect('impatient-asker');
    const waiting = range(1, 2).map(() => asker.call({ op: 'req', to: 'slow-responder', type: 'slow', data: {}, timeout_ms: 3000 }, 10_000));
    await responder.next((f) => f.op === 'req');
    await responder.next((f) => f.op === 'req');
    const third = await asker.call({ op: 'req', to: 'slow-responder', type: 'slow', data: {} });
    assert.equal(third.code, 'RATE_LIMITED');
    assert.equal((await limitRefusals(fx.hub.url)).pending_requests, 1);
    await Promise.all(waiting);
  });

  it('counts documents over max_doc_bytes as doc_bytes and updates over max_doc_ops as doc_ops', async () => {
    const c = await fx.connect('doc-writer');
    const big = await c.call({ op: 'doc.update', doc: 'lim/big', ops: [{ op: 'add', path: '', value: { text: 'x'.repeat(1200) } }] });
    assert.equal(big.code, 'TOO_LARGE');
    const many = await c.call({ op: 'doc.update', doc: 'lim/many', ops: range(1, 4).map(() => ({ op: 'inc', path: '/n', value: 1 })) });
    assert.equal(many.code, 'TOO_LARGE');
    const counts = await limitRefusals(fx.hub.url);
    assert.deepEqual([counts.doc_bytes, counts.doc_ops], [1, 1]);
  });

  it('counts presence info over max_presence_info_bytes as presence_info_bytes', async () => {
    const c = await fx.connect('chatty');
    const r = await c.call({ op: 'sub', ch: 'lim.room', presence: true, info: { blob: 'x'.repeat(200) } });
    assert.equal(r.code, 'TOO_LARGE');
    assert.equal((await limitRefusals(fx.hub.url)).presence_info_bytes, 1);
  });

  it('counts doc.updates past max_pending_requests waiting as pending_doc_updates', async () => {
    const c = await fx.connect('doc-flood');
    await c.call({ op: 'doc.update', doc: 'lim/flood', ops: [{ op: 'add', path: '', value: { n: 0 } }] });
    const replies = await Promise.all(
      range(1, 30).map(() => c.call({ op: 'doc.update', doc: 'lim/flood', ops: [{ op: 'inc', path: '/n', value: 1 }] }, 20_000)),
    );
    const limited = replies.filter((r) => r.code === 'RATE_LIMITED').length;
    assert.ok(limited > 0, '30 updates sent at once exceed 2 waiting');
    assert.equal((await limitRefusals(fx.hub.url)).pending_doc_updates, limited);
  });

  it('counts an OFREP event stream past the 1,000 a node keeps as ofrep_event_streams', async () => {
    const streams: ClientRequest[] = [];
    const open = () =>
      new Promise<number>((resolve, reject) => {
        const req = get(`${fx.hub.url}/ofrep/v1/events`, { agent: false }, (res) => {
          resolve(res.statusCode ?? 0);
          if (res.statusCode !== 200) res.resume();
        });
        req.on('error', reject);
        streams.push(req);
      });
    try {
      const statuses = await Promise.all(range(1, 1000).map(open));
      assert.ok(
        statuses.every((s) => s === 200),
        'the first 1,000 are served',
      );
      assert.equal(await open(), 429);
      assert.equal((await limitRefusals(fx.hub.url)).ofrep_event_streams, 1);
    } finally {
      for (const req of streams) req.destroy();
    }
  });

  it('counts a rollout past the 100 live ones a hub keeps as live_rollouts', async () => {
    const start = (group: string) =>
      fetch(`${fx.hub.url}/v1/admin/rollouts`, { method: 'POST', body: JSON.stringify({ channel: 'lim.orders', group, version: '2' }) });
    for (const i of range(1, 100)) assert.equal((await start(`g${i}`)).status, 201, `rollout ${i}`);
    const refused = await start('g101');
    assert.equal(refused.status, 429);
    assert.equal((await limitRefusals(fx.hub.url)).live_rollouts, 1);
  });
});
