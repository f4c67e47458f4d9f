import { readFileSync } from 'node:fs';
import { connect } from '@switchboard/client';
import { table, type AdminClient } from '../admin/admin-client.js';
import { runAdminVerbs, UsageError } from '../admin/admin-verbs.js';
import { hubUrls } from '../hub-url.js';

export const FLAGS_HELP = `Usage: switchboard flags <list|get|set|history> [KEY] [options]

Feature flags: each flag is the shared document flags/<KEY>, a flagd flag definition (variants, default variant,
JSON Logic targeting, fractional rollout). Changes reach connected OpenFeature providers at once.

Verbs:
  list                     Every flag: version, state, default variant, variants, whether it targets
  get KEY                  A flag's definition and version; with --context, its evaluation for that context
  set KEY [DEFINITION]     Write a flag: a definition as JSON (or --file), or change one part of it with
                           --state ENABLED|DISABLED or --default VARIANT
  history KEY              The flag's recent changes: version, who made it, what changed

Options:
  --file F            set: read the definition from file F (JSON)
  --state S           set: ENABLED or DISABLED (a kill switch: DISABLED serves every caller its code default)
  --default V         set: the default variant
  --if-version N      set: write only if the flag is at version N (else exit 1, nothing written)
  --context JSON      get: evaluate for this context, e.g. '{"targetingKey":"u-42","plan":"pro"}'
  --hub URL           The hub (http://host:port or ws://host:port/v1/ws)   (default http://127.0.0.1:7700) SWITCHBOARD_HUB
  --token T           A token (list and history need an admin; set needs "sb.docs" write on flags/*) SWITCHBOARD_TOKEN
  --json              Print the hub's JSON answer
  -h, --help          Show this help

Exit status: 0 done; 1 the hub did not answer or refused (an invalid definition, a version conflict); 2 a usage
error. Guide: docs/guides/flags.md
`;

interface FlagsValues {
  file?: string;
  state?: string;
  default?: string;
  'if-version'?: string;
  context?: string;
  hub?: string;
  token?: string;
}

const OPTIONS = {
  file: { type: 'string' },
  state: { type: 'string' },
  default: { type: 'string' },
  'if-version': { type: 'string' },
  context: { type: 'string' },
} as const;

/** `switchboard flags …` */
export function flagsCommand(argv: string[]): Promise<number> {
  return runAdminVerbs<FlagsValues>('flags', FLAGS_HELP, argv, OPTIONS, async ({ verb, args, values, client }) => {
    const json = values.json === true;
    if (verb === 'list') {
      if (args.length > 0) throw new UsageError(`unexpected "${args[0]}"`);
      return list(client(), json);
    }
    if (!['get', 'set', 'history'].includes(verb)) throw new UsageError(`unknown verb "${verb}"; use list, get, set or history`);
    const [key, ...rest] = args;
    if (key === undefined) throw new UsageError(`which flag? e.g. switchboard flags ${verb} new-checkout (switchboard flags list shows them)`);
    if (verb === 'get') {
      if (rest.length > 0) throw new UsageError(`unexpected "${rest[0]}"`);
      return get(client(), key, values.context, json);
    }
    if (verb === 'history') {
      if (rest.length > 0) throw new UsageError(`unexpected "${rest[0]}"`);
      return history(client(), key, json);
    }
    return set(key, rest, values);
  });
}

interface FlagRow {
  key: string;
  version: number;
  state: string;
  variants: string[];
  default_variant: string | null;
  targeting: boolean;
}

async function list(client: AdminClient, json: boolean): Promise<number> {
  const body = await client.get<{ flags: FlagRow[] }>('/v1/admin/flags');
  if (json) process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  else if (body.flags.length === 0) process.stdout.write("No flags: write one with switchboard flags set KEY '{...}' (docs/guides/flags.md)\n");
  else {
    const rows = body.flags.map((f) => [f.key, String(f.version), f.state, f.default_variant ?? '-', f.variants.join(','), f.targeting ? 'yes' : 'no']);
    process.stdout.write(table([['KEY', 'VERSION', 'STATE', 'DEFAULT', 'VARIANTS', 'TARGETING'], ...rows], ''));
  }
  return 0;
}

async function get(client: AdminClient, key: string, context: string | undefined, json: boolean): Promise<number> {
  const doc = await client.get<{ version: number; value: unknown }>(`/v1/docs/flags/${encodeURIComponent(key)}`);
  if (doc.version === 0 || doc.value === null) {
    process.stderr.write(`switchboard flags: no flag "${key}"; switchboard flags list shows them\n`);
    return 1;
  }
  if (context === undefined) {
    process.stdout.write(
      json ? JSON.stringify({ key, ...doc }, null, 2) + '\n' : `flag ${key}  version ${doc.version}\n${JSON.stringify(doc.value, null, 2)}\n`,
    );
    return 0;
  }
  let ctx: unknown;
  try {
    ctx = JSON.parse(context);
  } catch {
    throw new UsageError(`--context must be a JSON object, e.g. '{"targetingKey":"u-42"}'; got ${context}`);
  }
  const r = await client.post<{ value?: unknown; variant?: string; reason?: string; errorCode?: string }>(
    `/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`,
    {
      context: ctx,
    },
  );
  if (json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else
    process.stdout.write(
      `${key} = ${'value' in r ? JSON.stringify(r.value) : '(the code default)'}  variant ${r.variant ?? '-'}  reason ${r.reason ?? r.errorCode}\n`,
    );
  return 0;
}

async function history(client: AdminClient, key: string, json: boolean): Promise<number> {
  const h = await client.get<{ version: number; changes: { version: number; by: string; ops: { op: string; path: string; value?: unknown }[] }[] }>(
    `/v1/admin/flags/${encodeURIComponent(key)}/history`,
  );
  if (json) {
    process.stdout.write(JSON.stringify(h, null, 2) + '\n');
    return 0;
  }
  const rows = h.changes.map((c) => [
    `v${c.version}`,
    c.by,
    c.ops.map((o) => `${o.op} ${o.path || '/'}${o.value !== undefined && o.path !== '' ? ` = ${JSON.stringify(o.value)}` : ''}`).join('; '),
  ]);
  process.stdout.write(table([['VERSION', 'BY', 'CHANGE'], ...rows], ''));
  return 0;
}

async function set(key: string, rest: string[], v: FlagsValues): Promise<number> {
  const ops: { op: 'replace' | 'add'; path: string; value: unknown }[] = [];
  const whole = v.file !== undefined ? readFileSync(v.file, 'utf8') : rest[0];
  if (rest.length > 1 || (v.file !== undefined && rest.length > 0)) throw new UsageError('give the definition once: as JSON, or with --file');
  if (whole !== undefined) {
    try {
      ops.push({ op: 'replace', path: '', value: JSON.parse(whole) });
    } catch {
      throw new UsageError(`the definition must be JSON, e.g. '{"state":"ENABLED","variants":{"on":true,"off":false},"defaultVariant":"off"}'`);
    }
  }
  if (v.state !== undefined) {
    if (v.state !== 'ENABLED' && v.state !== 'DISABLED') throw new UsageError(`--state must be ENABLED or DISABLED; got ${v.state}`);
    ops.push({ op: 'replace', path: '/state', value: v.state });
  }
  if (v.default !== undefined) ops.push({ op: 'replace', path: '/defaultVariant', value: v.default });
  if (ops.length === 0) throw new UsageError('nothing to write: give a definition, --file, --state or --default');
  let ifVersion: number | undefined;
  if (v['if-version'] !== undefined) {
    ifVersion = Number(v['if-version']);
    if (!Number.isInteger(ifVersion) || ifVersion < 0) throw new UsageError(`--if-version must be a whole number; got ${v['if-version']}`);
  }
  const hub = v.hub ?? (process.env.SWITCHBOARD_HUB || 'http://127.0.0.1:7700');
  const token = v.token ?? (process.env.SWITCHBOARD_TOKEN || undefined);
  const client = await connect({ url: hubUrls(hub).ws, component: 'switchboard-cli', reconnect: false, ...(token ? { token } : {}) }).catch((err: Error) => {
    process.stderr.write(`switchboard flags: cannot reach the hub at ${hub}: ${err.message}\n`);
    return undefined;
  });
  if (!client) return 1;
  try {
    const doc = await client.doc(`flags/${key}`);
    const version = await doc.update(ops, ifVersion !== undefined ? { ifVersion } : {});
    process.stdout.write(`flag ${key} is now version ${version}\n`);
    await doc.close();
    return 0;
  } catch (err) {
    process.stderr.write(`switchboard flags: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}
