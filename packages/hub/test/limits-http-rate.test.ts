// limits.http_rate and http_burst: HTTP requests to /v1/… per remote address. Over it: 429 RATE_LIMITED with
// retry-after; health, readiness and metrics are not counted; after the wait requests go through again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useHub } from '../../../test/support/hub-fixture.js';
import { writeConfig } from '../../../test/support/jwks.js';
import { limitRefusals } from '../../../test/support/limit-metrics.js';
import { sleep } from '../../../test/support/util.js';

describe('HTTP rate limit', () => {
  const fx = useHub({ config: writeConfig('limits: { http_rate: 2, http_burst: 10 }\n') });

  it('answers 429 past the burst, leaves /healthz alone, and recovers', async () => {
    const list = () => fetch(`${fx.hub.url}/v1/channels`);
    const statuses = (await Promise.all(Array.from({ length: 15 }, list))).map((r) => r.status);
    const ok = statuses.filter((s) => s === 200).length;
    assert.ok(ok >= 10 && ok <= 12, statuses.join());
    assert.equal(statuses.filter((s) => s === 429).length, 15 - ok);
    const refused = await list();
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const body = (await refused.json()) as { code: string; message: string; details: { limit: string; retry_after_ms: number } };
    assert.equal(body.code, 'RATE_LIMITED');
    assert.equal(body.details.limit, 'http_rate');
    assert.match(body.message, /limits\.http_rate \(2\/s, burst 10\)/);
    for (const path of ['/healthz', '/readyz']) assert.equal((await fetch(`${fx.hub.url}${path}`)).status, 200, `${path} is not limited`);
    assert.equal((await limitRefusals(fx.hub.url)).http_rate, 15 - ok + 1);
    await sleep(body.details.retry_after_ms + 50);
    assert.equal((await list()).status, 200);
  });
});
