import { matchChannel, SwitchboardError } from '@switchboard/protocol';
import type { HubConfig } from '../config/config.js';
import { createTokenVerifier } from './token-keys.js';

/** Who a connection or HTTP call is, and what its token allows. */
export interface Identity {
  component: string;
  /** Channel patterns it may publish to; undefined = any. */
  pub?: string[];
  /** Channel patterns it may subscribe to; undefined = any. */
  sub?: string[];
  /** Component id patterns it may send requests to (`sb.req`); undefined = any. */
  req?: string[];
  /** Document patterns and whether it may read (`r`) and update (`w`) them; undefined = any. */
  docs?: DocGrant[];
  /** Token expiry (seconds since epoch). */
  exp?: number;
  /** The token's `sb.admin` claim is `true`: it may run hub operations such as a contract reload. */
  admin?: boolean;
}

/** Checks tokens against the configured keys. */
export interface Authenticator {
  /** Resolves the identity of a `hello` or an HTTP call; rejects with UNAUTHENTICATED or FORBIDDEN. */
  authenticate(token: string | undefined, claimedComponent: string | undefined): Promise<Identity>;
}

const COMPONENT = /^[A-Za-z0-9_.\-:@/]{1,128}$/;

/**
 * Creates the authenticator for a config: dev mode without keys trusts the claimed component; otherwise JWTs,
 * HS256 with the shared secret or RS256/ES256/EdDSA against the JWKS (see {@link createTokenVerifier}).
 */
export function createAuthenticator(config: HubConfig): Authenticator {
  const keyed = config.auth.hs256Secret !== undefined || config.auth.jwks !== undefined;
  const verifier = keyed ? createTokenVerifier(config.auth) : undefined;
  return {
    async authenticate(token, claimed) {
      if (claimed !== undefined && (typeof claimed !== 'string' || !COMPONENT.test(claimed))) {
        throw new SwitchboardError('BAD_FRAME', '"component" must be 1-128 characters of A-Z a-z 0-9 _ . - : @ /');
      }
      if (token === undefined || token === '') {
        if (config.auth.dev) {
          if (!claimed) throw new SwitchboardError('BAD_FRAME', '"component" is required: name the component that connects, e.g. "core-engine"');
          return { component: claimed };
        }
        throw new SwitchboardError('UNAUTHENTICATED', 'a token is required: pass a JWT in "token" (socket) or "Authorization: Bearer <JWT>" (HTTP)');
      }
      if (typeof token !== 'string') throw new SwitchboardError('BAD_FRAME', '"token" must be a string (a JWT)');
      if (!verifier) {
        // Dev mode without a key: tokens are not checked, the claimed component is trusted.
        if (config.auth.dev) {
          if (!claimed) throw new SwitchboardError('BAD_FRAME', '"component" is required: name the component that connects, e.g. "core-engine"');
          return { component: claimed };
        }
        throw new SwitchboardError('UNAUTHENTICATED', 'this hub has no token key configured; start it with --token-secret or --jwks, or use --dev');
      }
      const payload = await verifier.verify(token);
      const sub = payload.sub;
      if (typeof sub !== 'string' || !COMPONENT.test(sub))
        throw new SwitchboardError('UNAUTHENTICATED', 'the token has no valid "sub" claim naming the component');
      if (claimed && claimed !== sub)
        throw new SwitchboardError('FORBIDDEN', `the token is for component "${sub}", not "${claimed}"; connect as "${sub}" or use that component's token`);
      const sb = (payload.sb ?? {}) as Record<string, unknown>;
      return {
        component: sub,
        pub: patterns(payload['sb.pub'] ?? sb.pub),
        sub: patterns(payload['sb.sub'] ?? sb.sub),
        docs: docGrants(payload['sb.docs'] ?? sb.docs),
        req: patterns(payload['sb.req'] ?? sb.req),
        exp: typeof payload.exp === 'number' ? payload.exp : undefined,
        ...((payload['sb.admin'] ?? sb.admin) === true ? { admin: true } : {}),
      };
    },
  };
}

function patterns(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === 'string');
}

/** Whether `id` may use what is for admins (contract reload, the admin API, `$sys.*`): dev mode, or `"sb.admin": true`. */
export function isAdmin(config: HubConfig, id: Identity): boolean {
  return config.auth.dev || id.admin === true;
}

/** Throws FORBIDDEN, naming the claim to add, unless `id` {@link isAdmin}; `what` says what was refused ("reload the contracts"). */
export function assertAdmin(config: HubConfig, id: Identity, what: string): void {
  if (isAdmin(config, id)) return;
  throw new SwitchboardError(
    'FORBIDDEN',
    `component "${id.component}" may not ${what}; use a token with the claim "sb.admin": true (switchboard token --admin)`,
  );
}

/** Throws FORBIDDEN unless the identity may publish to `ch`. */
export function assertMayPublish(id: Identity, ch: string): void {
  if (id.pub && !id.pub.some((p) => matchChannel(p, ch))) {
    throw new SwitchboardError('FORBIDDEN', `component "${id.component}" may not publish to "${ch}"; its token allows: ${id.pub.join(', ') || 'nothing'}`);
  }
}

/** Throws FORBIDDEN unless the identity may subscribe to `pattern`. */
export function assertMaySubscribe(id: Identity, pattern: string): void {
  if (id.sub && !id.sub.some((p) => p === pattern || matchChannel(p, pattern))) {
    throw new SwitchboardError(
      'FORBIDDEN',
      `component "${id.component}" may not subscribe to "${pattern}"; its token allows: ${id.sub.join(', ') || 'nothing'}`,
    );
  }
}

/**
 * Throws FORBIDDEN unless the identity may send a request to component `to` (`sb.req`: component id patterns,
 * segments separated by `.` or `/`, `*` one segment, a final `>` the rest), naming the patterns it has.
 */
export function assertMayRequest(id: Identity, to: string): void {
  if (id.req && !id.req.some((p) => matchDoc(p, to))) {
    throw new SwitchboardError(
      'FORBIDDEN',
      `component "${id.component}" may not send requests to "${to}"; its token's sb.req allows: ${id.req.join(', ') || 'nothing'}`,
      { claim: 'sb.req', allowed: id.req },
    );
  }
}

/** One entry of a token's `sb.docs` claim. */
export interface DocGrant {
  pattern: string;
  r: boolean;
  w: boolean;
}

/**
 * Reads `sb.docs`: an object `{"<pattern>": "r" | "w" | "rw"}` or a list of `"<pattern>:r"`, `"<pattern>:w"`,
 * `"<pattern>:rw"` (a bare `"<pattern>"` means `rw`). Anything else grants nothing.
 */
function docGrants(v: unknown): DocGrant[] | undefined {
  if (v === undefined) return undefined;
  const grant = (pattern: string, mode: string): DocGrant => ({ pattern, r: mode.includes('r'), w: mode.includes('w') });
  if (Array.isArray(v)) {
    return v
      .filter((x): x is string => typeof x === 'string')
      .map((x) => {
        const m = /^(.*):(r|w|rw|wr)$/.exec(x);
        return m ? grant(m[1]!, m[2]!) : grant(x, 'rw');
      });
  }
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([p, mode]) => grant(p, mode));
  }
  return [];
}

/**
 * True when document pattern `pattern` matches `doc`: segments are separated by `/` or `.`; `*` matches one
 * segment, a final `>` one or more.
 */
export function matchDoc(pattern: string, doc: string): boolean {
  if (pattern === doc) return true;
  const p = pattern.split(/[/.]/);
  const d = doc.split(/[/.]/);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>' && i === p.length - 1) return d.length > i;
    if (i >= d.length) return false;
    if (p[i] !== '*' && p[i] !== d[i]) return false;
  }
  return p.length === d.length;
}

/** Throws FORBIDDEN unless the identity may read (`r`) or update (`w`) document `doc`. */
export function assertMayDoc(id: Identity, doc: string, mode: 'r' | 'w'): void {
  if (id.docs && !id.docs.some((g) => g[mode] && matchDoc(g.pattern, doc))) {
    const verb = mode === 'r' ? 'read' : 'update';
    const allowed = id.docs.filter((g) => g[mode]).map((g) => g.pattern);
    throw new SwitchboardError(
      'FORBIDDEN',
      `component "${id.component}" may not ${verb} document "${doc}"; its token's sb.docs allows ${mode} on: ${allowed.join(', ') || 'nothing'}`,
    );
  }
}
