import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { SwitchboardError } from '@switchboard/protocol';
import { AUTH_DEFAULTS, type AuthConfig } from '../config/auth-config.js';

/** Algorithms verified against a JWKS; each key is pinned to one of them. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** A JWKS source, fetched or read, with what it holds now. */
interface KeySet {
  /** Where it comes from (a file path or URL), for messages. */
  source: string;
  getKey: JWTVerifyGetKey;
  /** The keys known now (undefined before a URL was first fetched). */
  jwks(): JSONWebKeySet | undefined;
}

/** The algorithm a JWK is for: its `alg`, else the one its type allows (RSA: RS256, EC P-256: ES256, OKP Ed25519: EdDSA). */
export function pinnedAlgorithm(jwk: JWK): string | undefined {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448')) return 'EdDSA';
  return undefined;
}

function openKeySet(source: string, auth: Required<Pick<AuthConfig, 'jwksTimeoutMs' | 'jwksCooldownMs' | 'jwksMaxAgeMs'>>, now: () => number): KeySet {
  if (/^https?:\/\//i.test(source)) {
    const remote = createRemoteJWKSet(new URL(source), {
      timeoutDuration: auth.jwksTimeoutMs,
      cooldownDuration: auth.jwksCooldownMs,
      cacheMaxAge: auth.jwksMaxAgeMs,
    });
    return { source, getKey: remote, jwks: () => remote.jwks() };
  }
  let jwks = readJwksFile(source);
  let local = createLocalJWKSet(jwks);
  let readAt = now();
  // A file is read again on a token with an unknown kid (a key added for a rotation), at most once per cooldown; a
  // file that became unreadable or invalid meanwhile leaves the keys as they were.
  const getKey: JWTVerifyGetKey = async (header, input) => {
    try {
      return await local(header, input);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || now() - readAt < auth.jwksCooldownMs) throw err;
      readAt = now();
      try {
        jwks = readJwksFile(source);
        local = createLocalJWKSet(jwks);
      } catch {
        throw err;
      }
      return local(header, input);
    }
  };
  return { source, getKey, jwks: () => jwks };
}

/** Reads and checks a JWKS file: a `keys` list of public keys. Throws saying what is wrong. */
function readJwksFile(source: string): JSONWebKeySet {
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(readFileSync(source, 'utf8')) as JSONWebKeySet;
  } catch (err) {
    throw new Error(`cannot read the JWKS file ${source}: ${(err as Error).message}; give a JSON Web Key Set file or an https:// URL`);
  }
  if (!Array.isArray(jwks?.keys)) throw new Error(`${source} is not a JSON Web Key Set: it needs a "keys" list`);
  if (jwks.keys.some((k) => 'd' in k))
    throw new Error(`${source} holds a private key; give the hub the public keys only (switchboard keys generate writes both)`);
  return jwks;
}

/** The verified claims of a token. */
export type VerifiedClaims = JWTPayload & Record<string, unknown>;

/** Verifies tokens: HS256 with the shared secret; RS256, ES256 and EdDSA against the JWKS of the token's issuer. */
export interface TokenVerifier {
  /** Resolves with the claims; rejects with UNAUTHENTICATED saying why (never quoting the token). */
  verify(token: string): Promise<VerifiedClaims>;
}

/**
 * Builds the verifier of an auth config. Key sets are cached by issuer (one JWKS each, or one for every issuer),
 * and within a set by `kid` (jose imports each key once; a URL is fetched, and a file read, again on an unknown
 * `kid`, at most once per `jwks_cooldown`, timed by `now`). A token's algorithm must be the one its key is pinned to ({@link pinnedAlgorithm}).
 */
export function createTokenVerifier(config: AuthConfig, now: () => number = Date.now): TokenVerifier {
  const auth = { ...AUTH_DEFAULTS, ...config };
  const secret = auth.hs256Secret ? new TextEncoder().encode(auth.hs256Secret) : undefined;
  const anyIssuer = typeof auth.jwks === 'string' ? openKeySet(auth.jwks, auth, now) : undefined;
  const byIssuer = new Map<string, KeySet>();
  if (auth.jwks !== undefined && typeof auth.jwks !== 'string')
    for (const [iss, src] of Object.entries(auth.jwks)) byIssuer.set(iss, openKeySet(src, auth, now));
  const claimChecks = {
    clockTolerance: auth.clockSkewMs / 1000,
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  };

  const keySetFor = (token: string): KeySet => {
    if (anyIssuer) return anyIssuer;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      iss = undefined;
    }
    const set = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
    if (!set)
      throw refused(`its issuer ${typeof iss === 'string' ? `"${iss}"` : '(none)'} has no JWKS here; known issuers: ${[...byIssuer.keys()].join(', ')}`);
    return set;
  };

  return {
    async verify(token) {
      let alg: unknown;
      let kid: unknown;
      try {
        ({ alg, kid } = decodeProtectedHeader(token));
      } catch {
        throw refused('it is not a JWT (three base64url parts: header.payload.signature)');
      }
      if (alg === 'HS256') {
        if (!secret) throw refused("it is signed with HS256, and this hub has no shared secret; sign it with a key of the hub's JWKS (RS256, ES256 or EdDSA)");
        return check(() => jwtVerify(token, secret, { ...claimChecks, algorithms: ['HS256'] }), "sign it with the hub's secret (HS256)");
      }
      if (!(JWKS_ALGORITHMS as readonly unknown[]).includes(alg)) {
        throw refused(
          `its algorithm ${JSON.stringify(alg)} is not accepted; use ${[...(secret ? ['HS256'] : []), ...(auth.jwks ? JWKS_ALGORITHMS : [])].join(', ')}`,
        );
      }
      if (!auth.jwks) throw refused(`it is signed with ${String(alg)}, and this hub has no JWKS (--jwks); sign it with the hub's secret (HS256)`);
      const set = keySetFor(token);
      const pinned: JWTVerifyGetKey = async (header, input) => {
        const key = await set.getKey(header, input);
        const keys = set.jwks()?.keys ?? [];
        const forKid = keys.filter((k) => kid === undefined || k.kid === kid);
        if (forKid.length > 0 && !forKid.some((k) => pinnedAlgorithm(k) === header.alg)) {
          const want = [...new Set(forKid.map((k) => pinnedAlgorithm(k) ?? '?'))].join(' or ');
          throw refused(`key ${kid === undefined ? '' : `"${String(kid)}" `}is for ${want}, and the token says ${String(header.alg)}`);
        }
        return key;
      };
      return check(() => jwtVerify(token, pinned, { ...claimChecks, algorithms: [...JWKS_ALGORITHMS] }), `sign it with a key of ${set.source}`, kid);
    },
  };
}

function refused(why: string): SwitchboardError {
  return new SwitchboardError('UNAUTHENTICATED', `the token is not valid: ${why}`);
}

async function check(verify: () => Promise<{ payload: JWTPayload }>, fix: string, kid?: unknown): Promise<VerifiedClaims> {
  try {
    return (await verify()).payload as VerifiedClaims;
  } catch (err) {
    if (err instanceof SwitchboardError) throw err;
    const code = (err as { code?: string }).code;
    const claim = (err as { claim?: string }).claim;
    if (code === 'ERR_JWT_EXPIRED') throw new SwitchboardError('UNAUTHENTICATED', 'the token has expired; get a new one');
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (claim === 'iss' || claim === 'aud'))
      throw refused(`its "${claim}" claim is not one this hub accepts (${(err as Error).message}); get a token for this hub`);
    if (code === 'ERR_JWKS_NO_MATCHING_KEY')
      throw refused(`no key${kid === undefined ? '' : ` with kid "${String(kid)}"`} of the hub's JWKS matches it; ${fix}`);
    if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC')
      throw new SwitchboardError('UNAVAILABLE', `the JWKS could not be fetched to check the token (${(err as Error).message}); retry later`);
    throw refused(`${(err as Error).message}; ${fix}`);
  }
}
