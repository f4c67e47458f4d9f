import { createInterface } from 'node:readline';
import { cut, table, type AdminClient } from '../admin/admin-client.js';
import { runAdminVerbs, UsageError } from '../admin/admin-verbs.js';

export const DLQ_HELP = `Usage: switchboard dlq <list|show|replay|purge> [CH] [options]

Reads and acts on dead letters: the messages of channel CH that the contract refused or that ran out of
deliveries, kept in $dlq.CH with the reason. Needs an admin token unless the hub runs --dev.

Verbs:
  list [CH]             Without CH: every dead-letter log and its depth. With CH: its entries
  show CH --seq N       One entry in full: reason, details, replay state and the stored envelope
  replay CH --seq N…    Re-publish entries to CH through the contract in force (or --all); each one once
  purge CH --up-to N    Remove the entries up to seq N (or --all); asks first unless --yes

Options:
  --hub URL           The hub (http://host:port or ws://host:port/v1/ws)   (default http://127.0.0.1:7700) SWITCHBOARD_HUB
  --token T           An admin token (switchboard token --admin)                                  SWITCHBOARD_TOKEN
  --seq N             An entry (repeatable for replay)
  --all               replay: every entry; purge: every entry up to the head now
  --up-to N           purge: the last seq to remove
  --from N            list: entries after seq N                                                   (default 0)
  --limit N           list: at most N entries                                                     (default 100)
  --yes               purge without asking
  --json              Print the hub's JSON answers
  -h, --help          Show this help

Exit status: 0 done; 1 the hub did not answer or refused, or some entry was not replayed (each is listed with
the reason); 2 a usage error. Guide: docs/guides/operations.md
`;

type Values = {
  hub?: string;
  token?: string;
  seq?: string[];
  all?: boolean;
  'up-to'?: string;
  from?: string;
  limit?: string;
  yes?: boolean;
  json?: boolean;
  help?: boolean;
};

interface Entry {
  seq: number;
  ts: string;
  type: string;
  source: string;
  code: string | null;
  reason: string | null;
  replay: { state: string; channel_seq?: number } | null;
}
interface Outcome {
  seq: number;
  status: string;
  channel_seq?: number;
  code?: string;
  message?: string;
}
interface ReplayAnswer {
  replayed: number;
  already_replayed: number;
  refused: number;
  in_progress: number;
  not_found: number;
  not_a_dead_letter: number;
  results: Outcome[];
}

/** Entries replayed per request, so that a long replay shows its progress. */
const REPLAY_CHUNK = 100;

/** `switchboard dlq …` */
export function dlqCommand(argv: string[]): Promise<number> {
  const options = {
    seq: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    'up-to': { type: 'string' },
    from: { type: 'string' },
    limit: { type: 'string' },
    yes: { type: 'boolean' },
  } as const;
  return runAdminVerbs<Values>('dlq', DLQ_HELP, argv, options, async ({ verb, args, values: v, client: connect }) => {
    const [ch, ...extra] = args;
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.map((e) => `"${e}"`).join(' ')}; give one channel`);
    if (!['list', 'show', 'replay', 'purge'].includes(verb)) throw new UsageError(`unknown verb "${verb}"; use list, show, replay or purge`);
    if (verb !== 'list' && ch === undefined) throw new UsageError(`which channel? e.g. switchboard dlq ${verb} market.ticks`);
    const client = connect();
    if (verb === 'list') return list(client, ch, v);
    if (verb === 'show') return show(client, ch!, v);
    if (verb === 'replay') return replay(client, ch!, v);
    return purge(client, ch!, v);
  });
}

function num(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${option} must be a whole number ≥ ${min}, not "${value}"`);
  return Number(value);
}

const path = (ch: string, rest = '') => `/v1/admin/dlq/${encodeURIComponent(ch)}${rest}`;

async function list(client: AdminClient, ch: string | undefined, v: Values): Promise<number> {
  if (ch === undefined) {
    const r = await client.get<{ logs: { ch: string; depth: number; first: number; head: number }[] }>('/v1/admin/dlq');
    if (v.json) return print(r);
    if (r.logs.length === 0) process.stdout.write('No dead letters.\n');
    else
      process.stdout.write(table([['CHANNEL', 'DEPTH', 'FIRST', 'HEAD'], ...r.logs.map((l) => [l.ch, String(l.depth), String(l.first), String(l.head)])], ''));
    return 0;
  }
  const q = new URLSearchParams({ from: String(num(v.from, '--from', 0) ?? 0), limit: String(num(v.limit, '--limit', 1) ?? 100) });
  const r = await client.get<{ depth: number; head: number; next: number; entries: Entry[] }>(`${path(ch)}?${q}`);
  if (v.json) return print(r);
  process.stdout.write(`$dlq.${ch}: ${r.depth} entries, head ${r.head}\n`);
  if (r.entries.length > 0) {
    const state = (e: Entry) => (e.replay ? `${e.replay.state}${e.replay.channel_seq !== undefined ? ` as ${e.replay.channel_seq}` : ''}` : '-');
    process.stdout.write(
      table([
        ['SEQ', 'TIME', 'TYPE', 'SOURCE', 'CODE', 'REPLAY', 'REASON'],
        ...r.entries.map((e) => [String(e.seq), e.ts, e.type, e.source, e.code ?? '-', state(e), cut(e.reason ?? '-', 80)]),
      ]),
    );
    if (r.entries.length > 0 && r.entries[r.entries.length - 1]!.seq < r.head) process.stdout.write(`More: switchboard dlq list ${ch} --from ${r.next}\n`);
  }
  return 0;
}

async function show(client: AdminClient, ch: string, v: Values): Promise<number> {
  const seq = num(v.seq?.[0], '--seq', 1);
  if (seq === undefined) throw new UsageError(`which entry? e.g. switchboard dlq show ${ch} --seq 1 (switchboard dlq list ${ch} lists them)`);
  const r = await client.get<{ entries: Entry[] }>(`${path(ch)}?from=${seq - 1}&limit=1`);
  const entry = r.entries.find((e) => e.seq === seq);
  if (!entry) {
    process.stderr.write(`switchboard dlq: no entry ${seq} in $dlq.${ch} (purged, or never written); switchboard dlq list ${ch} lists them\n`);
    return 1;
  }
  return print(entry);
}

async function replay(client: AdminClient, ch: string, v: Values): Promise<number> {
  if (Boolean(v.all) === (v.seq !== undefined)) throw new UsageError(`give the entries: --seq N (repeatable) or --all`);
  let seqs: number[];
  if (v.all) {
    seqs = [];
    for (let from = 0; ;) {
      const page = await client.get<{ entries: Entry[]; next: number }>(`${path(ch)}?from=${from}&limit=1000`);
      seqs.push(...page.entries.map((e) => e.seq));
      if (page.entries.length < 1000) break;
      from = page.next;
    }
  } else seqs = v.seq!.map((s) => num(s, '--seq', 1)!);
  const totals: ReplayAnswer = { replayed: 0, already_replayed: 0, refused: 0, in_progress: 0, not_found: 0, not_a_dead_letter: 0, results: [] };
  const progress = process.stderr.isTTY ? (s: string) => process.stderr.write(`\r${s}`) : (s: string) => process.stderr.write(`${s}\n`);
  for (let i = 0; i < seqs.length; i += REPLAY_CHUNK) {
    const r = await client.post<ReplayAnswer>(path(ch, '/replay'), { seqs: seqs.slice(i, i + REPLAY_CHUNK) });
    for (const k of ['replayed', 'already_replayed', 'refused', 'in_progress', 'not_found', 'not_a_dead_letter'] as const) totals[k] += r[k];
    totals.results.push(...r.results);
    if (seqs.length > REPLAY_CHUNK) {
      progress(`replaying ${Math.min(i + REPLAY_CHUNK, seqs.length)}/${seqs.length}: ${totals.replayed} replayed, ${totals.refused} refused`);
    }
  }
  if (seqs.length > REPLAY_CHUNK && process.stderr.isTTY) process.stderr.write('\n');
  if (v.json) print(totals);
  else {
    for (const r of totals.results) {
      if (r.status === 'replayed') continue;
      process.stdout.write(`  ${r.seq}: ${r.status.replace(/_/g, ' ')}${r.code ? ` (${r.code})` : ''}${r.message ? `: ${r.message}` : ''}\n`);
    }
    process.stdout.write(
      `$dlq.${ch}: ${totals.replayed} replayed, ${totals.already_replayed} already replayed, ${totals.refused} refused` +
        `${totals.not_found ? `, ${totals.not_found} not found` : ''}${totals.in_progress ? `, ${totals.in_progress} in progress elsewhere` : ''}\n`,
    );
  }
  return totals.refused + totals.not_found + totals.in_progress + totals.not_a_dead_letter > 0 ? 1 : 0;
}

async function purge(client: AdminClient, ch: string, v: Values): Promise<number> {
  const given = num(v['up-to'], '--up-to', 1);
  if (Boolean(v.all) === (given !== undefined)) throw new UsageError(`give the last seq to remove: --up-to N, or --all`);
  const info = await client.get<{ depth: number; first: number; head: number }>(`${path(ch)}?limit=1`);
  const upTo = given ?? info.head;
  const count = info.depth === 0 ? 0 : Math.max(0, Math.min(upTo, info.head) - info.first + 1);
  if (count === 0) {
    process.stdout.write(`$dlq.${ch}: nothing at or below seq ${upTo} to remove\n`);
    return 0;
  }
  if (!v.yes && !(await confirm(`Remove ${count} dead letters of ${ch} (seq ${info.first} to ${Math.min(upTo, info.head)})? This cannot be undone. [y/N] `))) {
    process.stderr.write('switchboard dlq: not purged (answer y to purge, or pass --yes)\n');
    return 1;
  }
  const r = await client.post<{ purged: number; depth: number }>(path(ch, '/purge'), { up_to_seq: upTo });
  if (v.json) return print(r);
  process.stdout.write(`$dlq.${ch}: ${r.purged} removed, ${r.depth} left\n`);
  return 0;
}

/** Asks `question` on the terminal (or reads the answer from a piped stdin); true for y or yes. */
function confirm(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}

function print(value: unknown): number {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  return 0;
}
