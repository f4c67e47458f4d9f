import { readFileSync } from 'node:fs';
import { DLQ_PREFIX, dlqChannel, matchChannel } from '@switchboard/protocol';
import type { FeatureHost } from '../features/feature.js';
import { WINDOW_SECONDS } from './rate-window.js';
import type { Traffic } from './traffic.js';

/** The hub package's version (its package.json, two folders up from this file in `src/` and in `dist/`). */
export const HUB_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

/** What the status and the map are made from. */
export interface StatusSource {
  host: FeatureHost;
  traffic: Traffic;
  /** Epoch ms when the hub was made. */
  startedAt: number;
}

/** One row of `channels` in `GET /v1/admin/status` (docs/reference/http.md says what each field means). */
export interface ChannelStatus {
  ch: string;
  durable: boolean;
  head: number;
  retained?: { first: number; count: number };
  last_minute: { published: number; delivered: number; refused: number };
  per_second: { published: number; delivered: number; refused: number };
  /** Per second over the last {@link RECENT_SECONDS} whole seconds: what flows now. */
  recent_per_second: { published: number; delivered: number; refused: number };
  subscribers: number;
  groups: { group: string; members: number; ack_floor: number; lag: number; pending: number }[];
  dlq: { depth: number; head: number };
  contract: { address: string; file: string; message_types: string[] } | null;
}

/** Whether a live subscription to `pattern` takes messages of `ch` (a `$` channel only by a `$` pattern). */
export function covers(pattern: string, ch: string): boolean {
  if (pattern === ch) return true;
  if (ch.startsWith('$') && !pattern.startsWith('$')) return false;
  return matchChannel(pattern, ch);
}

/** The channels to report: stored and opened ones, `$dlq.<ch>` folded into `<ch>`. At most `limit`. */
async function channelNames(src: StatusSource): Promise<{ names: string[]; stored: Set<string>; truncated: boolean; limit: number }> {
  const stored = new Set(await src.host.store.channels());
  const names = new Set<string>();
  for (const ch of stored) names.add(ch.startsWith(DLQ_PREFIX) ? ch.slice(DLQ_PREFIX.length) : ch);
  for (const c of src.host.inspect.channels()) if (!c.ch.startsWith(DLQ_PREFIX)) names.add(c.ch);
  const sorted = [...names].sort();
  const limit = 1000;
  return { names: sorted.slice(0, limit), stored, truncated: sorted.length > limit, limit };
}

/** `GET /v1/admin/status`: this node, its store and cluster, who is connected, and every channel. */
export async function buildStatus(src: StatusSource): Promise<Record<string, unknown>> {
  const { host, traffic } = src;
  const now = traffic.now();
  let store: { kind: string; reachable: boolean; error?: string } = { kind: host.store.kind, reachable: true };
  try {
    await host.store.ping();
  } catch (err) {
    store = { kind: host.store.kind, reachable: false, error: (err as Error).message };
  }
  const conns = host.inspect.connections();
  const byComponent = new Map<string, { component: string; version: string | null; connections: number }>();
  for (const c of conns) {
    const key = `${c.component}\u0000${c.version ?? ''}`;
    const hit = byComponent.get(key);
    if (hit) hit.connections++;
    else byComponent.set(key, { component: c.component, version: c.version ?? null, connections: 1 });
  }
  const channels: ChannelStatus[] = [];
  let names = { names: [] as string[], stored: new Set<string>(), truncated: false, limit: 0 };
  if (store.reachable) names = await channelNames(src);
  else names.names = host.inspect.channels().map((c) => c.ch);
  const opened = new Map(host.inspect.channels().map((c) => [c.ch, c]));
  const groups = host.inspect.groups();
  const subs = conns.flatMap((c) => c.subscriptions);
  const contracts = host.contracts();
  for (const ch of names.names) {
    const open = opened.get(ch);
    const durable = open ? open.durable : names.stored.has(ch);
    const info = durable && names.stored.has(ch) ? await host.store.info(ch) : undefined;
    const head = Math.max(info?.last ?? 0, open?.head ?? 0);
    const dlq = names.stored.has(dlqChannel(ch)) ? await host.store.info(dlqChannel(ch)) : { count: 0, last: 0 };
    const published = traffic.published.total(ch);
    const delivered = traffic.delivered.total(ch);
    const refused = traffic.refused.total(ch);
    const lastSecond = Math.floor(now / 1000) - 1;
    const recent = (t: Traffic['published']) =>
      Math.round(((t.window(ch)?.sum(lastSecond - RECENT_SECONDS + 1, lastSecond) ?? 0) / RECENT_SECONDS) * 100) / 100;
    const contract = ch.startsWith('$') ? undefined : contracts.channel(ch);
    channels.push({
      ch,
      durable,
      head,
      ...(info ? { retained: { first: info.first, count: info.count } } : {}),
      last_minute: { published, delivered, refused },
      per_second: { published: perSecond(published), delivered: perSecond(delivered), refused: perSecond(refused) },
      recent_per_second: { published: recent(traffic.published), delivered: recent(traffic.delivered), refused: recent(traffic.refused) },
      subscribers: subs.filter((s) => covers(s.pattern, ch)).length,
      groups: groups
        .filter((g) => g.ch === ch)
        .map((g) => ({ group: g.group, members: g.members, ack_floor: g.ackFloor, lag: durable ? Math.max(0, head - g.ackFloor) : 0, pending: g.pending })),
      dlq: { depth: dlq.count, head: dlq.last },
      contract: contract ? { address: contract.address, file: contract.file, message_types: [...contract.messageTypes] } : null,
    });
  }
  return {
    // Sections of other features first: a core field of the same name wins.
    ...(await host.statusSections()),
    node: host.config.nodeId,
    version: HUB_VERSION,
    started_at: new Date(src.startedAt).toISOString(),
    uptime_s: Math.max(0, Math.round((now - src.startedAt) / 100) / 10),
    store,
    cluster: { kind: host.cluster.kind, nodes: (await host.cluster.nodes()).map(({ node, since, self }) => ({ node, since, self })) },
    connections: { total: conns.length, by_component: [...byComponent.values()].sort((a, b) => a.component.localeCompare(b.component)) },
    window_s: WINDOW_SECONDS,
    channels,
    ...(names.truncated ? { channels_truncated: names.limit } : {}),
    untracked_rates: traffic.untracked(),
  };
}

/** A count over the window as a rate per second, two decimals. */
/** Seconds of `recent_per_second`: the last 5 whole seconds. */
export const RECENT_SECONDS = 5;

export function perSecond(count: number): number {
  return Math.round((count / WINDOW_SECONDS) * 100) / 100;
}
