// Every log line a hub writes while it is attacked and used — at log level trace, the most it ever says — is grepped
// for the secrets of the run: the HS256 secret, every token sent (whole, and its signature and payload parts), the
// private keys. None may appear. Covers hello and HTTP with good and bad tokens (HS256 and JWKS), refresh, sb.req,
// rate limits, a forged-hello flood and the audit trail.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { makeKey, signWith, writeConfig, writeJwks, type TestKey } from '../../../test/support/jwks.js';

const SECRET = 'never-log-me-hs256-secret-0123456789-abcdef';

describe('no secret in any log line', () => {
  const tokens: string[] = [];
  let rsa: TestKey, ec: TestKey;
  let config = '';
  before(async () => {
    [rsa, ec] = await Promise.all([makeKey('RS256', 'rsa-log'), makeKey('ES256', 'ec-log')]);
    config = writeConfig(
      `auth:\n  jwks: ${writeJwks([rsa, ec])}\n  hs256_secret: ${SECRET}\n  audience: sb\nlimits: { publish_rate: 5, publish_burst: 5, max_failed_hellos: 10, http_rate: 20, http_burst: 20 }\n`,
    );
  });
  const fx = useHub(() => ({ dev: false, config, logLevel: 'trace' }));
  const hs = async (claims: Record<string, unknown>, secret = SECRET) => {
    const t = await new SignJWT({ aud: 'sb', ...claims }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    tokens.push(t);
    return t;
  };
  const jw = async (key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const t = await signWith(key, { aud: 'sb', ...claims }, '5m', header);
    tokens.push(t);
    return t;
  };

  it('writes none while tokens good and bad, refreshes, refusals, limits and a flood go by', async () => {
    const good = await fx.open();
    assert.equal((await good.call({ op: 'hello', token: await jw(rsa, { sub: 'svc', 'sb.pub': ['ok.>'], 'sb.req': ['none'] }) })).op, 'welcome');
    await good.call({ op: 'pub', ch: 'no.way', type: 't', data: 1 });
    await good.call({ op: 'req', to: 'other', type: 'q', data: {} });
    for (let i = 0; i < 8; i++) await good.call({ op: 'pub', ch: 'ok.a', type: 't', data: i });
    await good.call({ op: 'refresh', token: await jw(ec, { sub: 'svc' }) });
    await good.call({ op: 'refresh', token: await hs({ sub: 'someone-else' }) });
    await good.call({ op: 'refresh', token: await hs({ sub: 'svc' }, 'wrong-secret-wrong-secret-0123456789') });

    const bad = [
      await hs({ sub: 'mallory' }, 'wrong-secret-wrong-secret-0123456789'),
      await jw(ec, { sub: 'mallory' }, { kid: 'rsa-log' }),
      await jw(rsa, { sub: 'mallory', aud: 'elsewhere' }),
      new UnsecuredJWT({ sub: 'mallory' }).encode(),
    ];
    tokens.push(bad[3]!);
    for (const token of bad) {
      await (await fx.open()).call({ op: 'hello', token });
      await fetch(`${fx.hub.url}/v1/channels`, { headers: { authorization: `Bearer ${token}` } });
    }
    // a flood: past max_failed_hellos the address is cut off (and logged once)
    const flood = await fx.open();
    for (let i = 0; i < 20; i++) await flood.call({ op: 'hello', token: bad[0] });
    assert.match(fx.hub.output(), /failed hellos from 127\.0\.0\.1/);
    assert.match(fx.hub.output(), /"audit":/);

    const out = fx.hub.output();
    assert.ok(out.length > 2000, 'the hub did log');
    const privates = await Promise.all([rsa, ec].map(async (k) => (await exportJWK(k.privateKey)).d!));
    const leaks: string[] = [];
    if (out.includes(SECRET)) leaks.push('the HS256 secret');
    if (out.includes('wrong-secret-wrong-secret')) leaks.push('a forger secret');
    for (const d of privates) if (out.includes(d)) leaks.push('a private key');
    if (/PRIVATE KEY/.test(out)) leaks.push('a PEM private key');
    if (/Bearer /i.test(out)) leaks.push('an Authorization header');
    for (const t of tokens) {
      const [, payload, signature] = t.split('.');
      if (out.includes(t)) leaks.push(`a token ${t.slice(0, 12)}…`);
      else if (signature && out.includes(signature)) leaks.push(`a token signature ${signature.slice(0, 8)}…`);
      else if (payload && payload.length > 20 && out.includes(payload)) leaks.push(`a token payload ${payload.slice(0, 8)}…`);
    }
    assert.deepEqual(leaks, []);
    assert.ok(tokens.length >= 8);
  });
});
