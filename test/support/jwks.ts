// Signing keys for tests of JWKS authentication: real key pairs made with jose, their public halves as a JWKS (in a
// file, or served by a real local HTTP server that counts its fetches), and tokens signed with them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

/** One key pair of a test issuer. */
export interface TestKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  privateKey: KeyLike;
  /** The public key as it goes into the JWKS. */
  jwk: JWK;
}

/** Makes a key pair for `alg` with key id `kid`; `pinAlg` false leaves `alg` out of the public JWK. */
export async function makeKey(alg: TestKey['alg'], kid: string, pinAlg = true): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', ...(pinAlg ? { alg } : {}) };
  return { kid, alg, privateKey, jwk };
}

/** Writes a JWKS file holding the public keys; resolves with its path. */
export function writeJwks(keys: TestKey[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  return file;
}

/** Signs a token with `key` (its alg and kid in the header), expiring in `ttl` (jose time span, default 5m). */
export function signWith(key: TestKey, claims: Record<string, unknown>, ttl: string | number = '5m', header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key.privateKey);
}

/** A JWKS served over HTTP by a real local server; `keys` can be changed between fetches. */
export interface JwksServer {
  readonly url: string;
  /** The keys served now. */
  keys: TestKey[];
  /** How many times the JWKS was fetched. */
  fetches(): number;
  close(): Promise<void>;
}

/** Serves `keys` as a JWKS at `http://127.0.0.1:PORT/jwks.json`, counting the requests. */
export async function serveJwks(keys: TestKey[]): Promise<JwksServer> {
  let count = 0;
  const state = { keys };
  const server: Server = createServer((req, res) => {
    count++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get keys() {
      return state.keys;
    },
    set keys(k: TestKey[]) {
      state.keys = k;
    },
    fetches: () => count,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Writes a switchboard.yaml with `yaml` as its text; resolves with its path. */
export function writeConfig(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-config-')), 'switchboard.yaml');
  writeFileSync(file, yaml);
  return file;
}
