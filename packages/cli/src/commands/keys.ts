import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';

export const KEYS_HELP = `Usage: switchboard keys generate [options]

Writes a new signing key pair for RS256, ES256 or EdDSA tokens, and adds its public key to a JWKS file for the hub
(--jwks FILE). Run it again to add a second key (rotation): the hub accepts tokens of every key in the JWKS, chosen
by the token's "kid"; remove the old key from the JWKS once its tokens have expired.

Options:
  --alg ALG           ES256 (default), RS256 or EdDSA
  --out DIR           Where to write the files                         (default ./keys)
  --kid KID           The key id (default: from the key's thumbprint)
  -h, --help          Show this help

Writes DIR/<kid>.private.jwk.json (the private key, mode 0600: for switchboard token --key, never for the hub)
and DIR/jwks.json (the public keys, for the hub's --jwks).
`;

const ALGS = ['ES256', 'RS256', 'EdDSA'];

/** `switchboard keys generate`: a new key pair, its public key added to `jwks.json`. */
export async function keysCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '-h' || verb === '--help') {
    process.stdout.write(KEYS_HELP);
    return verb === undefined ? 2 : 0;
  }
  if (verb !== 'generate') {
    process.stderr.write(`switchboard keys: unknown verb "${verb}"; use: switchboard keys generate\n`);
    return 2;
  }
  let v;
  try {
    v = parseArgs({
      args: rest,
      options: { alg: { type: 'string' }, out: { type: 'string' }, kid: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`switchboard keys generate: ${(err as Error).message}\n\n${KEYS_HELP}`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(KEYS_HELP);
    return 0;
  }
  const alg = v.alg ?? 'ES256';
  if (!ALGS.includes(alg)) {
    process.stderr.write(`switchboard keys generate: --alg must be one of ${ALGS.join(', ')}, not "${alg}"\n`);
    return 2;
  }
  if (v.kid !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(v.kid)) {
    process.stderr.write('switchboard keys generate: --kid must be 1 to 64 letters, digits, ".", "_" or "-"\n');
    return 2;
  }
  const out = resolve(v.out ?? './keys');
  const jwksFile = join(out, 'jwks.json');
  let jwks: JSONWebKeySet = { keys: [] };
  if (existsSync(jwksFile)) {
    try {
      jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as JSONWebKeySet;
      if (!Array.isArray(jwks.keys)) throw new Error('it has no "keys" list');
    } catch (err) {
      process.stderr.write(`switchboard keys generate: ${jwksFile} is not a JWKS (${(err as Error).message}); move it away or choose another --out\n`);
      return 1;
    }
  }
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const pub = await exportJWK(publicKey);
  const kid = v.kid ?? (await calculateJwkThumbprint(pub)).slice(0, 16);
  if (jwks.keys.some((k) => k.kid === kid)) {
    process.stderr.write(`switchboard keys generate: ${jwksFile} already has a key "${kid}"; choose another --kid\n`);
    return 1;
  }
  const priv = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  mkdirSync(out, { recursive: true });
  const privFile = join(out, `${kid}.private.jwk.json`);
  writeFileSync(privFile, JSON.stringify(priv, null, 2) + '\n', { mode: 0o600 });
  jwks.keys.push({ ...pub, kid, alg, use: 'sig' });
  writeFileSync(jwksFile, JSON.stringify(jwks, null, 2) + '\n');
  process.stdout.write(
    `Wrote ${privFile} (private key, ${alg}, kid ${kid}; keep it secret)\n` +
      `Added its public key to ${jwksFile} (${jwks.keys.length} key(s)); start the hub with --jwks ${jwksFile}\n` +
      `Sign a token: switchboard token --component ID --key ${privFile}\n`,
  );
  return 0;
}
