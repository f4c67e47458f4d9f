import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ContractLoadError, createReplay, type ContractSet, type ReplayChannel, type ReplayReport } from '@switchboard/contracts';
import { openStoreFileReader } from '@switchboard/hub';
import { loadContractPaths, parseVerbArgs, plural } from './contracts-common.js';

export const CONTRACTS_CAN_DEPLOY_HELP = `Usage: switchboard contracts can-deploy NEW... (--hub URL [--token T] | --data DIR) [options]

Replays the most recent stored messages of every channel through the validators of the NEW contracts (files
or directories, loaded as one set, as the hub loads them) and reports, per channel, message type and producing
component, how many of them the new contracts would refuse and on which field, with the components that
subscribe to the channel. Dead-letter logs ($dlq.*) are skipped. No broker is needed: the hub's log is the
evidence.

Options:
  --hub URL           A running hub (its HTTP API), e.g. http://127.0.0.1:7700; its socket URL
                      (ws://127.0.0.1:7700/v1/ws, wss://…) names the same hub
  --token T           Token for the hub (SWITCHBOARD_TOKEN); not needed in dev mode
  --data DIR          Read the hub's store file DIR/switchboard.db directly, read-only (safe while a hub runs)
  --limit N           Messages per channel, the most recent ones (default 10000)
  --json              Print the report as JSON
  -h, --help          Show this help

Exit status: 0 no message would be refused, 1 some would (or the contracts, the hub or the store cannot be
read), 2 usage error.
`;

/** Who subscribes to a channel: a live subscription (hub) or a consumer group recorded in the store (data). */
interface SubscriberRow {
  component?: string;
  pattern?: string;
  group?: string;
  ack?: string;
  connections?: number;
}

/** Where the stored messages come from. */
interface MessageSource {
  describe: string;
  channels(): Promise<Array<{ ch: string; head: number; subscribers: SubscriberRow[] }>>;
  /** Messages with seq > after, at most `limit`, oldest first, as envelopes. */
  read(ch: string, after: number, limit: number): Promise<Array<Record<string, unknown>>>;
  close(): void;
}

const PAGE = 1000;

/** `switchboard contracts can-deploy`. */
export async function canDeployCommand(argv: string[]): Promise<number> {
  const parsed = parseVerbArgs('can-deploy', CONTRACTS_CAN_DEPLOY_HELP, argv, {
    hub: { type: 'string' },
    token: { type: 'string' },
    data: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed) return 2;
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(CONTRACTS_CAN_DEPLOY_HELP);
    return 0;
  }
  const usage = (msg: string): number => {
    process.stderr.write(`switchboard contracts can-deploy: ${msg}\n\n${CONTRACTS_CAN_DEPLOY_HELP}`);
    return 2;
  };
  if (positionals.length === 0) return usage('name the NEW contracts (an AsyncAPI file or directory)');
  if ((v.hub === undefined) === (v.data === undefined)) return usage('give exactly one of --hub URL and --data DIR');
  const limitText = v.limit ?? '10000';
  if (!/^\d+$/.test(limitText) || Number(limitText) < 1) return usage(`--limit must be a whole number ≥ 1, not "${limitText}"`);
  const limit = Number(limitText);

  let set: ContractSet;
  try {
    set = await loadContractPaths(positionals);
  } catch (e) {
    if (!(e instanceof ContractLoadError)) throw e;
    process.stderr.write(`switchboard contracts can-deploy: cannot load NEW: ${e.message}\n`);
    return 1;
  }
  let source: MessageSource;
  try {
    source = v.hub !== undefined ? hubSource(v.hub, v.token ?? process.env.SWITCHBOARD_TOKEN) : dataSource(v.data!);
  } catch (e) {
    process.stderr.write(`switchboard contracts can-deploy: ${(e as Error).message}\n`);
    return 1;
  }
  const replay = createReplay(set);
  const heads = new Map<string, number>();
  const subscribers = new Map<string, SubscriberRow[]>();
  try {
    for (const c of await source.channels()) {
      if (c.ch.startsWith('$')) continue;
      heads.set(c.ch, c.head);
      subscribers.set(c.ch, c.subscribers);
      replay.channel(c.ch);
      let after = Math.max(0, c.head - limit);
      let read = 0;
      while (after < c.head) {
        const page = await source.read(c.ch, after, Math.min(PAGE, c.head - after));
        const current = page.filter((env) => Number(env.seq) <= c.head);
        for (const env of current) replay.add({ ch: c.ch, type: String(env.type), source: String(env.source), seq: Number(env.seq), data: env.data });
        read += current.length;
        // Stop at the head as listed (later messages are not "today's"), or when retention left nothing more.
        if (current.length === 0 || current.length < page.length) break;
        after = Number(current[current.length - 1]!.seq);
      }
      if (!v.json) process.stderr.write(`  read ${plural(read, 'message')} of ${c.ch}\n`);
    }
  } catch (e) {
    process.stderr.write(`switchboard contracts can-deploy: cannot read the messages from ${source.describe}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    source.close();
  }
  const report = replay.report();
  if (v.json) {
    process.stdout.write(
      JSON.stringify(
        {
          ok: report.refused === 0,
          new: positionals,
          source: source.describe,
          limit,
          checked: report.checked,
          refused: report.refused,
          channels: report.channels.map((c) => ({ ...c, head: heads.get(c.ch) ?? 0, subscribers: subscribers.get(c.ch) ?? [] })),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    process.stdout.write(formatReport(report, subscribers));
    process.stdout.write(
      `\n${plural(report.checked, 'message')} of ${plural(report.channels.length, 'channel')} from ${source.describe} checked against the new contracts: ${report.refused} would be refused\n`,
    );
    if (report.refused > 0) {
      const refusing = report.channels.flatMap((c) => c.groups.filter((g) => g.refused > 0));
      process.stderr.write(
        `switchboard contracts can-deploy: the new contracts would refuse ${plural(report.refused, 'message')} that ${[...new Set(refusing.map((g) => g.source))].join(', ')} sent; do not deploy them as they are\n`,
      );
    }
  }
  return report.refused === 0 ? 0 : 1;
}

function formatReport(report: ReplayReport, subscribers: Map<string, SubscriberRow[]>): string {
  const rows: string[][] = [];
  for (const c of report.channels) {
    const subs = describeSubscribers(subscribers.get(c.ch) ?? []);
    if (c.groups.length === 0) rows.push([c.ch, '', '', '0', '0', '', '', subs]);
    for (const g of c.groups) {
      const fields = g.fields.map((f) => `${f.path || '(payload)'} ${f.rule} ×${f.count}`).join(', ');
      rows.push([
        c.ch + channelNote(c),
        g.type,
        g.source,
        String(g.checked),
        String(g.refused),
        fields,
        g.sample ? cut(`#${g.sample.seq} ${g.sample.message}`, 70) : '',
        subs,
      ]);
    }
  }
  const head = ['channel', 'type', 'producer', 'checked', 'refused', 'failing fields', 'sample', 'subscribers'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function channelNote(c: ReplayChannel): string {
  return c.declared ? '' : ' (no contract)';
}

function describeSubscribers(subs: SubscriberRow[]): string {
  if (subs.length === 0) return '—';
  return subs
    .map((s) => {
      const who = s.component ?? 'group';
      const extra = [
        s.group !== undefined && s.component !== undefined ? `group ${s.group}` : s.group,
        s.connections && s.connections > 1 ? `×${s.connections}` : undefined,
      ].filter(Boolean);
      return extra.length ? `${who} (${extra.join(', ')})` : who;
    })
    .join(', ');
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * The hub's HTTP base URL from `--hub`: `http(s)://host:port`, or the socket URL a client uses (`ws://` → `http://`,
 * `wss://` → `https://`, a trailing `/v1/ws` dropped), since both name the same hub.
 */
export function hubBaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--hub must be the hub's URL, e.g. http://127.0.0.1:7700 (or ws://127.0.0.1:7700/v1/ws), not "${url}"`);
  }
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[u.protocol];
  if (scheme === undefined) throw new Error(`--hub must be an http://, https://, ws:// or wss:// URL of the hub, e.g. http://127.0.0.1:7700, not "${url}"`);
  const path = u.pathname.replace(/\/v1\/ws\/?$/, '').replace(/\/?$/, '/');
  return new URL(`${scheme}//${u.host}${path}`);
}

function hubSource(url: string, token: string | undefined): MessageSource {
  const base = hubBaseUrl(url);
  const headers: Record<string, string> = { 'x-switchboard-component': 'contracts-can-deploy' };
  if (token) {
    headers.authorization = `Bearer ${token}`;
    delete headers['x-switchboard-component'];
  }
  const get = async (path: string): Promise<unknown> => {
    const target = new URL(path.replace(/^\//, ''), base);
    let res: Response;
    try {
      res = await fetch(target, { headers });
    } catch (e) {
      throw new Error(
        `${target.origin} does not answer (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); is the hub running there?`,
      );
    }
    const body = await res.text();
    if (!res.ok) {
      let detail = body;
      try {
        const j = JSON.parse(body) as { code?: string; message?: string };
        detail = `${j.code}: ${j.message}`;
      } catch {
        /* not JSON */
      }
      throw new Error(`GET ${target.pathname} answered ${res.status} (${detail})`);
    }
    return JSON.parse(body);
  };
  return {
    describe: base.href.replace(/\/$/, ''),
    async channels() {
      const body = (await get('/v1/channels')) as { channels: Array<{ ch: string; head: number; subscribers: SubscriberRow[] }> };
      return body.channels;
    },
    async read(ch, after, limit) {
      const body = (await get(`/v1/channels/${encodeURIComponent(ch)}/messages?from=${after}&limit=${Math.min(limit, PAGE)}`)) as {
        messages: Array<Record<string, unknown>>;
      };
      return body.messages;
    },
    close() {},
  };
}

function dataSource(dir: string): MessageSource {
  const file = existsSync(dir) && statSync(dir).isFile() ? dir : join(dir, 'switchboard.db');
  const reader = openStoreFileReader(file);
  const groups = reader.groups();
  return {
    describe: file,
    async channels() {
      return reader.channels().map((c) => ({
        ch: c.ch,
        head: c.head,
        subscribers: groups.filter((g) => g.ch === c.ch).map((g) => ({ group: g.group })),
      }));
    },
    async read(ch, after, limit) {
      return reader.read(ch, after, limit).map((m) => JSON.parse(m.json) as Record<string, unknown>);
    },
    close: () => reader.close(),
  };
}
