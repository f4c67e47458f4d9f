import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { parseDuration } from '@switchboard/contracts';

export const TOKEN_HELP = `Usage: switchboard token --component ID [options]

Prints an HS256 JWT for a component, signed with the hub's shared secret.

Options:
  --component ID      The component id (the token's "sub")                      (required)
  --secret S          Shared secret; same as the hub's --token-secret            SWITCHBOARD_TOKEN_SECRET
  --pub PATTERN       Channel pattern it may publish to (repeatable; default: any)
  --sub PATTERN       Channel pattern it may subscribe to (repeatable; default: any)
  --ttl DURATION      Lifetime, e.g. 30m, 12h, 7d                                (default 24h)
  --admin             May run hub operations such as a contract reload (claim "sb.admin": true)
  -h, --help          Show this help
`;

/** `switchboard token`: prints a signed token. */
export async function tokenCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        component: { type: 'string' },
        secret: { type: 'string' },
        pub: { type: 'string', multiple: true },
        sub: { type: 'string', multiple: true },
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
  const secret = v.secret ?? process.env.SWITCHBOARD_TOKEN_SECRET;
  if (!secret) {
    process.stderr.write("switchboard token: no secret: pass --secret or set SWITCHBOARD_TOKEN_SECRET (the hub's --token-secret)\n");
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
  if (v.admin) claims['sb.admin'] = true;
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(v.component)
    .setIssuedAt()
    .setExpirationTime(Math.floor((Date.now() + ttlMs) / 1000))
    .sign(new TextEncoder().encode(secret));
  process.stdout.write(jwt + '\n');
  return 0;
}
