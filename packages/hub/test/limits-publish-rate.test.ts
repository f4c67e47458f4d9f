// limits.publish_rate and publish_burst: a token bucket per connection and one per component. Over it a publish
// gets RATE_LIMITED with details.retry_after_ms, the connection stays open, and after the wait publishes go through.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { writeConfig } from '../../../test/support/jwks.js';
import { limitRefusals } from '../../../test/support/limit-metrics.js';
import { sleep } from '../../../test/support/util.js';
import type { RawClient } from '../../../test/support/raw-client.js';

/** Publishes `n` messages with ids at once; resolves with the replies. */
async function burst(c: RawClient, ch: string, n: number): Promise<{ op: string; code?: string; details?: { limit?: string; retry_after_ms?: number } }[]> {
  const replies = await Promise.all(Array.from({ length: n }, (_, i) => c.call({ op: 'pub', ch, type: 't', data: { i } })));
  return replies as unknown as { op: string; code?: string; details?: { limit?: string; retry_after_ms?: number } }[];
}

describe('publish rate limits', () => {
  const fx = useHub({ config: writeConfig('limits: { publish_rate: 5, publish_burst: 20 }\n') });

  it('refuses publishes past the burst of a connection with RATE_LIMITED and retry_after_ms; the connection stays open and recovers', async () => {
    const c = await fx.connect('fast');
    const replies = await burst(c, 'limits.a', 30);
    const ok = replies.filter((r) => r.op === 'ok').length;
    const limited = replies.filter((r) => r.code === 'RATE_LIMITED');
    assert.ok(ok >= 20 && ok <= 23, `about the burst got through (${ok})`);
    assert.equal(ok + limited.length, 30);
    const d = limited[0]!.details!;
    assert.equal(d.limit, 'publish_rate_connection');
    assert.ok(d.retry_after_ms! > 0 && d.retry_after_ms! <= 200, `retry_after_ms ${d.retry_after_ms}`);
    assert.equal(c.closed, undefined);
    await sleep(d.retry_after_ms! + 20);
    assert.equal((await c.call({ op: 'pub', ch: 'limits.a', type: 't', data: 'again' })).op, 'ok', 'recovered after the wait');
    assert.equal((await fx.history('limits.a')).length, ok + 1, 'nothing refused was stored');
  });

  it("bounds a component's connections together: two connections of one component share its bucket", async () => {
    const a = await fx.connect('twins');
    const b = await fx.connect('twins');
    const [ra, rb] = await Promise.all([burst(a, 'limits.b', 15), burst(b, 'limits.b', 15)]);
    const limited = [...ra, ...rb].filter((r) => r.code === 'RATE_LIMITED');
    assert.ok(limited.length >= 6, `the component's burst of 20 was hit (${limited.length} refused)`);
    assert.ok(limited.every((r) => r.details?.limit === 'publish_rate_component'));
    const counts = await limitRefusals(fx.hub.url);
    assert.ok(counts.publish_rate_connection! >= 6, JSON.stringify(counts));
    assert.equal(counts.publish_rate_component, limited.length);
  });

  it('applies to HTTP publishes of the component too: 429 with retry-after', async () => {
    const send = () =>
      fetch(`${fx.hub.url}/v1/channels/limits.c/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-switchboard-component': 'http-burst' },
        body: JSON.stringify({ type: 't', data: 1 }),
      });
    const statuses = await Promise.all(Array.from({ length: 30 }, send));
    const limited = statuses.filter((r) => r.status === 429);
    assert.ok(limited.length >= 6, `${limited.length} refused`);
    const body = (await limited[0]!.json()) as { code: string; details: { limit: string; retry_after_ms: number } };
    assert.equal(body.code, 'RATE_LIMITED');
    assert.equal(body.details.limit, 'publish_rate_component');
    assert.equal(limited[0]!.headers.get('retry-after'), '1', 'retry-after in whole seconds, rounded up');
  });
});
