// Every kind of bad token, for HS256 and for JWKS, on the socket (hello) and over HTTP (Bearer): each refused
// with UNAUTHENTICATED (401), and the good token of each kind accepted, on a hub that checks both kinds at once.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { makeKey, signWith, writeConfig, writeJwks, type TestKey } from '../../../test/support/jwks.js';

const SECRET = 'matrix-secret-0123456789-abcdefghijklmn';
const CLAIMS = { sub: 'svc', iss: 'https://idp.matrix/', aud: 'sb-matrix' };
const hs = (claims: Record<string, unknown>, secret = SECRET, exp: string | number = '5m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(secret));

describe('bad tokens, HS256 and JWKS, socket and HTTP', () => {
  let key: TestKey, other: TestKey;
  let config = '';
  const cases: { kind: 'HS256' | 'JWKS'; what: string; token: string; good?: boolean }[] = [];
  before(async () => {
    [key, other] = await Promise.all([makeKey('ES256', 'matrix-1'), makeKey('ES256', 'matrix-2')]);
    config = writeConfig(
      `auth:\n  jwks: ${writeJwks([key])}\n  hs256_secret: ${SECRET}\n  issuer: ${CLAIMS.iss}\n  audience: ${CLAIMS.aud}\n  clock_skew: 0s\n`,
    );
    const past = Math.floor(Date.now() / 1000) - 5;
    const pem = createPublicKey({ key: key.jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    cases.push(
      { kind: 'HS256', what: 'good', token: await hs(CLAIMS), good: true },
      { kind: 'HS256', what: 'wrong secret', token: await hs(CLAIMS, 'another-secret-0123456789-abcdefghijk') },
      { kind: 'HS256', what: 'expired', token: await hs(CLAIMS, SECRET, past) },
      { kind: 'HS256', what: 'wrong issuer', token: await hs({ ...CLAIMS, iss: 'https://evil/' }) },
      { kind: 'HS256', what: 'wrong audience', token: await hs({ ...CLAIMS, aud: 'other' }) },
      { kind: 'HS256', what: 'signed with the public key', token: await hs(CLAIMS, pem as string) },
      { kind: 'HS256', what: 'alg none', token: new UnsecuredJWT(CLAIMS).setExpirationTime('5m').encode() },
      { kind: 'JWKS', what: 'good', token: await signWith(key, CLAIMS), good: true },
      { kind: 'JWKS', what: 'unknown key', token: await signWith(other, CLAIMS, '5m', { kid: 'matrix-1' }) },
      { kind: 'JWKS', what: 'unknown kid', token: await signWith(other, CLAIMS) },
      { kind: 'JWKS', what: 'algorithm confusion (RS256 header on an EC key)', token: await swapAlg(await signWith(key, CLAIMS), 'RS256') },
      { kind: 'JWKS', what: 'expired', token: await signWith(key, CLAIMS, past) },
      { kind: 'JWKS', what: 'wrong issuer', token: await signWith(key, { ...CLAIMS, iss: 'https://evil/' }) },
      { kind: 'JWKS', what: 'wrong audience', token: await signWith(key, { ...CLAIMS, aud: 'other' }) },
      { kind: 'JWKS', what: 'tampered payload', token: tamper(await signWith(key, CLAIMS)) },
    );
  });
  const fx = useHub(() => ({ dev: false, config }));

  it('refuses each bad token with UNAUTHENTICATED on the socket and 401 over HTTP, and accepts each good one', async () => {
    for (const { kind, what, token, good } of cases) {
      const hello = await (await fx.open()).call({ op: 'hello', token });
      const res = await fetch(`${fx.hub.url}/v1/channels`, { headers: { authorization: `Bearer ${token}` } });
      if (good) {
        assert.equal(hello.op, 'welcome', `${kind} ${what} (socket): ${JSON.stringify(hello)}`);
        assert.equal(res.status, 200, `${kind} ${what} (HTTP)`);
        continue;
      }
      assert.equal(hello.code, 'UNAUTHENTICATED', `${kind} ${what} (socket): ${JSON.stringify(hello)}`);
      assert.equal(res.status, 401, `${kind} ${what} (HTTP)`);
      assert.equal(((await res.json()) as { code: string }).code, 'UNAUTHENTICATED');
    }
  });
});

/** The token with another `alg` in its header (the signature unchanged). */
async function swapAlg(token: string, alg: string): Promise<string> {
  const [h, p, s] = token.split('.');
  const header = { ...JSON.parse(Buffer.from(h!, 'base64url').toString()), alg };
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${p}.${s}`;
}

/** The token with its payload changed (`sub` → `admin`), the signature unchanged. */
function tamper(token: string): string {
  const [h, p, s] = token.split('.');
  const payload = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin', 'sb.admin': true };
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}
