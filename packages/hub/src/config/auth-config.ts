import { bool, ConfigError, dur, isObject, str } from './config-values.js';

/** How clients prove who they are (the `auth:` key). */
export interface AuthConfig {
  /** Dev mode: no token needed; `hello.component` is trusted. */
  dev: boolean;
  /** Shared secret for HS256 tokens. */
  hs256Secret?: string;
  /**
   * Public keys for RS256, ES256 and EdDSA tokens: a JWKS file or `http(s)://` URL for tokens of any issuer, or a
   * mapping from issuer (`iss`) to the JWKS of that issuer.
   */
  jwks?: string | Record<string, string>;
  /** When set, a token's `iss` must be one of these. */
  issuer?: string[];
  /** When set, a token's `aud` must name one of these. */
  audience?: string[];
  /** Allowance for clocks that differ, on `exp` and `nbf` (ms). */
  clockSkewMs?: number;
  /** A JWKS URL is fetched again on an unknown `kid` at most once per this interval (ms). */
  jwksCooldownMs?: number;
  /** A JWKS URL fetch that takes longer fails (ms). */
  jwksTimeoutMs?: number;
  /** A fetched JWKS is used at most this long before it is fetched again (ms). */
  jwksMaxAgeMs?: number;
}

/** Defaults of the `auth:` timings, used where a config (e.g. one built in code) leaves them out. */
export const AUTH_DEFAULTS = Object.freeze({ clockSkewMs: 30_000, jwksCooldownMs: 30_000, jwksTimeoutMs: 5_000, jwksMaxAgeMs: 600_000 });

/** Defaults of the `auth:` key. */
export function defaultAuthConfig(): AuthConfig {
  return { dev: false, ...AUTH_DEFAULTS };
}

const KNOWN = ['dev', 'hs256_secret', 'jwks', 'issuer', 'audience', 'clock_skew', 'jwks_cooldown', 'jwks_timeout', 'jwks_max_age'];

/** Reads the `auth:` mapping (`where` names it in errors). */
export function authConfigFromObject(v: unknown, where: string): AuthConfig {
  if (!isObject(v)) throw new ConfigError(`${where} must be a mapping`);
  for (const k of Object.keys(v)) if (!KNOWN.includes(k)) throw new ConfigError(`${where}: unknown key "auth.${k}"; known: ${KNOWN.join(', ')}`);
  const c = defaultAuthConfig();
  if (v.dev !== undefined) c.dev = bool(v.dev, `${where}.dev`);
  if (v.hs256_secret !== undefined) c.hs256Secret = str(v.hs256_secret, `${where}.hs256_secret`);
  if (v.jwks !== undefined) c.jwks = jwksSource(v.jwks, `${where}.jwks`);
  if (v.issuer !== undefined) c.issuer = strings(v.issuer, `${where}.issuer`);
  if (v.audience !== undefined) c.audience = strings(v.audience, `${where}.audience`);
  if (v.clock_skew !== undefined) c.clockSkewMs = v.clock_skew === 0 || v.clock_skew === '0s' ? 0 : dur(v.clock_skew, `${where}.clock_skew`);
  if (v.jwks_cooldown !== undefined) c.jwksCooldownMs = dur(v.jwks_cooldown, `${where}.jwks_cooldown`);
  if (v.jwks_timeout !== undefined) c.jwksTimeoutMs = dur(v.jwks_timeout, `${where}.jwks_timeout`);
  if (v.jwks_max_age !== undefined) c.jwksMaxAgeMs = dur(v.jwks_max_age, `${where}.jwks_max_age`);
  return c;
}

/** A JWKS source (`FILE` or `http(s)://URL`), or a mapping of issuer to source. */
export function jwksSource(v: unknown, where: string): string | Record<string, string> {
  if (typeof v === 'string') return str(v, where);
  if (!isObject(v) || Object.keys(v).length === 0)
    throw new ConfigError(
      `${where} must be a JWKS file or URL, or a mapping of issuer to JWKS file or URL, e.g. {"https://idp.example.com/": "https://idp.example.com/jwks.json"}`,
    );
  const out: Record<string, string> = {};
  for (const [iss, src] of Object.entries(v)) out[iss] = str(src, `${where}."${iss}"`);
  return out;
}

function strings(v: unknown, where: string): string[] {
  if (typeof v === 'string') return [str(v, where)];
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`${where} must be a string or a non-empty list of strings`);
  return v.map((x, i) => str(x, `${where}[${i}]`));
}
