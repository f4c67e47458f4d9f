import { table } from './admin-client.js';

/** The parts of `GET /v1/admin/status` that `switchboard status` prints (docs/reference/http.md has them all). */
export interface StatusJson {
  node: string;
  version: string;
  uptime_s: number;
  store: { kind: string; reachable: boolean; error?: string };
  cluster: { kind: string; nodes: { node: string; since: string; self: boolean }[] };
  connections: { total: number; by_component: { component: string; version: string | null; connections: number }[] };
  channels: {
    ch: string;
    durable: boolean;
    head: number;
    per_second: { published: number; delivered: number; refused: number };
    last_minute: { published: number; delivered: number; refused: number };
    subscribers: number;
    groups: { group: string; members: number; ack_floor: number; lag: number; pending: number }[];
    dlq: { depth: number };
    contract: { file: string; message_types: string[] } | null;
  }[];
}

/** `1h 02m`, `3m 07s`, `12s`. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s % 60)}s`;
  return `${s}s`;
}

/** The status as the tables `switchboard status` prints. */
export function renderStatus(s: StatusJson): string {
  const store = `${s.store.kind} (${s.store.reachable ? 'reachable' : `NOT reachable: ${s.store.error ?? ''}`})`;
  let out = `Switchboard ${s.node}  v${s.version}  up ${formatUptime(s.uptime_s)}  store ${store}  cluster ${s.cluster.kind}: ${s.cluster.nodes.map((n) => n.node).join(', ')}\n\n`;
  out += `Connections: ${s.connections.total}\n`;
  if (s.connections.by_component.length > 0) {
    out += table([['COMPONENT', 'VERSION', 'CONNECTIONS'], ...s.connections.by_component.map((c) => [c.component, c.version ?? '-', String(c.connections)])]);
  }
  const shown = s.channels.filter((c) => !c.ch.startsWith('$sys.'));
  out += `\nChannels: ${shown.length} (rates over the last minute)\n`;
  if (shown.length > 0) {
    out += table([
      ['CHANNEL', 'MODE', 'HEAD', 'PUB/S', 'DELIV/S', 'REFUSED', 'SUBS', 'DLQ', 'CONTRACT'],
      ...shown.map((c) => [
        c.ch,
        c.durable ? 'durable' : 'ephemeral',
        String(c.head),
        String(c.per_second.published),
        String(c.per_second.delivered),
        String(c.last_minute.refused),
        String(c.subscribers),
        String(c.dlq.depth),
        c.contract ? `${c.contract.file.split(/[\\/]/).pop()} (${c.contract.message_types.join(', ')})` : '-',
      ]),
    ]);
  }
  const groups = shown.flatMap((c) => c.groups.map((g) => ({ ch: c.ch, ...g })));
  if (groups.length > 0) {
    out += `\nConsumer groups\n`;
    out += table([
      ['CHANNEL', 'GROUP', 'MEMBERS', 'ACK FLOOR', 'LAG', 'PENDING'],
      ...groups.map((g) => [g.ch, g.group, String(g.members), String(g.ack_floor), String(g.lag), String(g.pending)]),
    ]);
  }
  return out;
}
