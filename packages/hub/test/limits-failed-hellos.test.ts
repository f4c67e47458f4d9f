// limits.max_failed_hellos: a flood of forged tokens from one address. Past the limit within a minute, the address
// is refused with RATE_LIMITED before any token is checked (a valid one too), on the socket and over HTTP, and the
// hub logs one line for the burst, not one per attempt.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { writeConfig } from '../../../test/support/jwks.js';
import { limitRefusals } from '../../../test/support/limit-metrics.js';

const SECRET = 'flood-test-secret-0123456789-abcdefghij';
const sign = (sub: string, secret = SECRET) =>
  new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));

describe('failed hellos per address', () => {
  const fx = useHub({ dev: false, tokenSecret: SECRET, config: writeConfig('limits: { max_failed_hellos: 5 }\n') });

  it('cuts a flood of forged tokens off after the limit, logs one line for the burst, and counts the refusals', async () => {
    const forged = await sign('intruder', 'not-the-secret-0123456789-0123456789');
    const codes: string[] = [];
    const c = await fx.open();
    for (let i = 0; i < 50; i++) codes.push((await c.call({ op: 'hello', token: forged })).code);
    assert.deepEqual(codes.slice(0, 6), Array(6).fill('UNAUTHENTICATED'), 'the first failures are checked');
    assert.deepEqual(codes.slice(6), Array(44).fill('RATE_LIMITED'), 'then refused before the token is checked');
    const valid = await (await fx.open()).call({ op: 'hello', token: await sign('engine') });
    assert.equal(valid.code, 'RATE_LIMITED', 'a valid token from the flooding address waits too');
    const details = valid.details as { limit: string; retry_after_ms: number };
    assert.equal(details.limit, 'failed_hellos');
    assert.ok(details.retry_after_ms > 50_000 && details.retry_after_ms <= 60_000);
    const http = await fetch(`${fx.hub.url}/v1/channels`, { headers: { authorization: `Bearer ${await sign('engine')}` } });
    assert.equal(http.status, 429);
    const lines = fx.hub
      .output()
      .split('\n')
      .filter((l) => l.includes('failed hellos from'));
    assert.equal(lines.length, 1, `one log line for the burst:\n${lines.join('\n')}`);
    assert.match(lines[0]!, /6 failed hellos from 127\.0\.0\.1 within a minute/);
    assert.equal((await limitRefusals(fx.hub.url)).failed_hellos, 46);
  });
});
