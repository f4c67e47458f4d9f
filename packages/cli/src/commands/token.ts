import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importJWK, importPKCS8, SignJWT, type JWK, type KeyLike } from 'jose';
import { parseDuration } from '@switchboard/contracts';

export const TOKEN_HELP = `Usage: switchboard token --component ID [options]

Prints a JWT for a component: HS256 signed with the hub's shared secret, or RS256/ES256/EdDSA signed with a
private key whose public half is in the hub's JWKS (--key; see switchboard keys generate).

Options:
  --component ID      The component id (the token's "sub")                      (required)
  --secret S          Shared secret; same as the hub's --token-secret            SWITCHBOARD_TOKEN_SECRET
  --key FILE          Sign with this private key instead: a JWK file from        SWITCHBOARD_TOKEN_KEY
                      'switchboard keys generate' (kid and alg inside), or a
                      PKCS#8 PEM file (give --alg, and --kid when the JWKS has
                      several keys)
  --alg ALG           RS256, ES256 or EdDSA (with a PEM --key)
  --kid KID           The key id to put in the token's header (with a PEM --key)
  --issuer ISS        The "iss" claim (the hub's auth.issuer, when it sets one)
  --audience AUD      The "aud" claim (the hub's auth.audience, when it sets one)
  --pub PATTERN       Channel pattern it may publish to (repeatable; default: any)
  --sub PATTERN       Channel pattern it may subscribe to (repeatable; default: any)
  --req PATTERN       Component id pattern it may send requests to (repeatable; default: any)
  --ttl DURATION      Lifetime, e.g. 30m, 12h, 7d                                (default 24h)
  --admin             May run hub operations such as a contract reload (claim "sb.admin": true)
  -h, --help          Show this help
`;

const ALGS = ['RS256', 'ES256', 'EdDSA'];

/** `switchboard token`: prints a signed token. */
export async function tokenCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        component: { type: 'string' },
        secret: { type: 'string' },
        key: { type: 'string' },
        alg: { type: 'string' },
        kid: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        pub: { type: 'string', multiple: true },
        sub: { type: 'string', multiple: true },
        req: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        admin: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`switchboard token: ${(err as Error).message}\n\n${TOKEN_HELP}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  if (!v.component) {
    process.stderr.write(`switchboard token: --component is required (the component id the token is for)\n`);
    return 2;
  }
  const keyFile = v.key ?? process.env.SWITCHBOARD_TOKEN_KEY;
  const secret = v.secret ?? process.env.SWITCHBOARD_TOKEN_SECRET;
  let signing: { key: KeyLike | Uint8Array; header: { alg: string; kid?: string } };
  if (keyFile) {
    try {
      signing = await privateKey(keyFile, v.alg, v.kid);
    } catch (err) {
      process.stderr.write(`switchboard token: --key ${keyFile}: ${(err as Error).message}\n`);
      return 2;
    }
  } else if (secret) {
    signing = { key: new TextEncoder().encode(secret), header: { alg: 'HS256' } };
  } else {
    process.stderr.write("switchboard token: no secret: pass --secret or set SWITCHBOARD_TOKEN_SECRET (the hub's --token-secret), or sign with --key FILE\n");
    return 2;
  }
  let ttlMs: number;
  try {
    ttlMs = parseDuration(v.ttl ?? '24h');
  } catch (err) {
    process.stderr.write(`switchboard token: --ttl: ${(err as Error).message}\n`);
    return 2;
  }
  const claims: Record<string, unknown> = {};
  if (v.pub) claims['sb.pub'] = v.pub;
  if (v.sub) claims['sb.sub'] = v.sub;
  if (v.req) claims['sb.req'] = v.req;
  if (v.admin) claims['sb.admin'] = true;
  let jwt = new SignJWT(claims)
    .setProtectedHeader(signing.header)
    .setSubject(v.component)
    .setIssuedAt()
    .setExpirationTime(Math.floor((Date.now() + ttlMs) / 1000));
  if (v.issuer) jwt = jwt.setIssuer(v.issuer);
  if (v.audience) jwt = jwt.setAudience(v.audience);
  process.stdout.write((await jwt.sign(signing.key)) + '\n');
  return 0;
}

/** The private key of `file` (a private JWK, or PKCS#8 PEM with `alg`) and the header it signs with. */
async function privateKey(file: string, alg: string | undefined, kid: string | undefined): Promise<{ key: KeyLike; header: { alg: string; kid?: string } }> {
  const text = readFileSync(file, 'utf8');
  if (alg !== undefined && !ALGS.includes(alg)) throw new Error(`--alg must be one of ${ALGS.join(', ')}, not "${alg}"`);
  if (text.trimStart().startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    if (typeof jwk.d !== 'string')
      throw new Error('this JWK is a public key; sign with the private one (the .private.jwk.json file of switchboard keys generate)');
    const a = alg ?? jwk.alg;
    if (!a || !ALGS.includes(a)) throw new Error(`the key names no algorithm; give --alg (${ALGS.join(', ')})`);
    const key = await importJWK(jwk, a);
    if (key instanceof Uint8Array) throw new Error('a symmetric key cannot sign these tokens; use --secret for HS256');
    const k = kid ?? jwk.kid;
    return { key, header: { alg: a, ...(k ? { kid: k } : {}) } };
  }
  if (!alg) throw new Error(`a PEM key needs --alg (${ALGS.join(', ')})`);
  return { key: await importPKCS8(text, alg), header: { alg, ...(kid ? { kid } : {}) } };
}
