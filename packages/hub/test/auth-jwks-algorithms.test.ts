// RS256, ES256 and EdDSA tokens checked against a JWKS file, beside HS256 with the shared secret: each algorithm
// accepted with its own key, and every confusion refused (a public key used as an HS256 secret, a key used with
// another algorithm, `alg: none`, an unknown kid, a wrong issuer or audience).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { useHub } from '../../../test/support/hub-fixture.js';
import { makeKey, signWith, writeConfig, writeJwks, type TestKey } from '../../../test/support/jwks.js';
import type { ErrorBody } from '../../../test/support/http-bodies.js';

const SECRET = 'hs256-secret-beside-the-jwks-0123456789';
let rsa: TestKey, ec: TestKey, ed: TestKey, unpinnedRsa: TestKey, stranger: TestKey;
const keysReady = (async () => {
  [rsa, ec, ed, unpinnedRsa, stranger] = await Promise.all([
    makeKey('RS256', 'rsa-1'),
    makeKey('ES256', 'ec-1'),
    makeKey('EdDSA', 'ed-1'),
    makeKey('RS256', 'rsa-unpinned', false),
    makeKey('ES256', 'ec-1'), // same kid as `ec`, but not in the JWKS
  ]);
})();

describe('JWKS tokens beside HS256', () => {
  let config = '';
  before(async () => {
    await keysReady;
    const jwks = writeJwks([rsa, ec, ed, unpinnedRsa]);
    config = writeConfig(`auth:\n  jwks: ${jwks}\n  hs256_secret: ${SECRET}\n  issuer: https://idp.test/\n  audience: switchboard\n`);
  });
  const fx = useHub(() => ({ dev: false, config }));
  const good = { iss: 'https://idp.test/', aud: 'switchboard' };

  async function hello(token: string): Promise<{ op: string; code?: string; message?: string }> {
    const c = await fx.open();
    return c.call({ op: 'hello', token });
  }

  it('accepts an RS256, an ES256 and an EdDSA token, each with its key, on the socket and over HTTP', async () => {
    assert.match(fx.hub.output(), /HS256 tokens and RS256\/ES256\/EdDSA tokens \(JWKS /);
    for (const key of [rsa, ec, ed]) {
      const token = await signWith(key, { ...good, sub: `svc-${key.alg}` });
      const w = await hello(token);
      assert.equal(w.op, 'welcome', `${key.alg}: ${JSON.stringify(w)}`);
      const res = await fetch(`${fx.hub.url}/v1/channels/jwks.${key.alg}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ type: 't', data: 1 }),
      });
      assert.equal(res.status, 201, `${key.alg} over HTTP`);
    }
    const hs = await new SignJWT({ ...good, sub: 'svc-hs' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    assert.equal((await hello(hs)).op, 'welcome', 'HS256 with the secret works beside the JWKS');
  });

  it('refuses an HS256 token signed with a public key of the JWKS (algorithm confusion)', async () => {
    const pem = createPublicKey({ key: rsa.jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(rsa.jwk))]) {
      const forged = await new SignJWT({ ...good, sub: 'intruder' }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setExpirationTime('5m').sign(secret);
      const r = await hello(forged);
      assert.equal(r.code, 'UNAUTHENTICATED', JSON.stringify(r));
    }
  });

  it('refuses a key used with another algorithm than it is pinned to', async () => {
    // an ES256 signature under the kid of the RSA key
    const mismatched = await signWith(ec, { ...good, sub: 'intruder' }, '5m', { kid: 'rsa-1' });
    assert.equal((await hello(mismatched)).code, 'UNAUTHENTICATED');
    // RS384 with the key whose JWK names no alg: the hub pins an RSA key to RS256
    const rs384 = await new SignJWT({ ...good, sub: 'intruder' })
      .setProtectedHeader({ alg: 'RS384', kid: 'rsa-unpinned' })
      .setExpirationTime('5m')
      .sign(unpinnedRsa.privateKey);
    const r = await hello(rs384);
    assert.equal(r.code, 'UNAUTHENTICATED');
    assert.match(r.message!, /RS384/);
    // the same key with RS256 is fine
    assert.equal((await hello(await signWith(unpinnedRsa, { ...good, sub: 'svc-unpinned' }))).op, 'welcome');
  });

  it('refuses alg none, an unknown kid, a key not in the JWKS, an expired token and garbage', async () => {
    const none = new UnsecuredJWT({ ...good, sub: 'intruder' }).setExpirationTime('5m').encode();
    const unknownKid = await signWith(ec, { ...good, sub: 'intruder' }, '5m', { kid: 'nobody' });
    const strangerToken = await signWith(stranger, { ...good, sub: 'intruder' });
    const expired = await signWith(ed, { ...good, sub: 'svc' }, Math.floor(Date.now() / 1000) - 120);
    const header = base64url.encode(JSON.stringify({ alg: 'ES256', kid: 'ec-1' }));
    const cases: [string, string, RegExp][] = [
      ['none', none, /algorithm "none" is not accepted/],
      ['unknown kid', unknownKid, /no key with kid "nobody"/],
      ['key not in the JWKS', strangerToken, /signature/],
      ['expired', expired, /expired/],
      ['garbage', `${header}.e30.AAAA`, /not valid/],
    ];
    for (const [what, token, why] of cases) {
      const r = await hello(token);
      assert.equal(r.code, 'UNAUTHENTICATED', `${what}: ${JSON.stringify(r)}`);
      assert.match(r.message!, why, what);
      assert.ok(!r.message!.includes(token), `${what}: the message never quotes the token`);
    }
  });

  it('refuses a wrong issuer or audience, and a token without them', async () => {
    for (const [what, claims] of [
      ['issuer', { iss: 'https://evil.test/', aud: 'switchboard' }],
      ['audience', { iss: 'https://idp.test/', aud: 'another-service' }],
      ['neither', {}],
    ] as const) {
      const r = await hello(await signWith(rsa, { ...claims, sub: 'svc' }));
      assert.equal(r.code, 'UNAUTHENTICATED', what);
      assert.match(r.message!, /"(iss|aud)" claim/, what);
    }
    const res = await fetch(`${fx.hub.url}/v1/channels/jwks.x/messages`, {
      headers: { authorization: `Bearer ${await signWith(rsa, { iss: 'https://evil.test/', aud: 'switchboard', sub: 'svc' })}` },
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as ErrorBody).code, 'UNAUTHENTICATED');
  });
});

describe('a JWKS file with a private key', () => {
  it('is refused at start, saying to give the public keys only', async () => {
    await keysReady;
    const { startHubInProcess } = await import('../../../test/support/hub-in-process.js');
    const priv = { ...rsa.jwk, d: 'AAAA' };
    const file = writeConfig(JSON.stringify({ keys: [priv] }));
    await assert.rejects(startHubInProcess({ dev: false, jwks: file }), /private key/);
  });
});
