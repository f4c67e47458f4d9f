// The shapes of the admin API's answers the page reads (docs/reference/http.md#admin-api); those the hub exports
// are its own types (type-only: no hub code is bundled).
import type { ChannelDetail, ChannelHistory, ChannelStatus, PublishEdge, SubscribeEdge } from '@switchboard/hub';

export type { ChannelDetail, ChannelHistory, ChannelStatus };

export interface Status {
  node: string;
  version: string;
  started_at: string;
  uptime_s: number;
  store: { kind: string; reachable: boolean; error?: string };
  cluster: { kind: string; nodes: { node: string; since: string; self: boolean }[] };
  connections: { total: number; by_component: { component: string; version: string | null; connections: number }[] };
  window_s: number;
  channels: ChannelStatus[];
  untracked_rates: number;
}

export interface MapData {
  node: string;
  window_s: number;
  components: { component: string; versions: string[]; connections: number }[];
  publishes: PublishEdge[];
  subscribes: SubscribeEdge[];
}

export interface ViolationDetail {
  path: string;
  rule: string;
  message: string;
}

export interface DeadLetter {
  seq: number;
  id: string;
  type: string;
  source: string;
  ts: string;
  original_ch: string;
  reason: string;
  code: string;
  details: ViolationDetail[] | null;
  msg_id: string | null;
  replay: { state: string; by: string; at: string; channel_seq?: number; code?: string; message?: string } | null;
  message: { data: unknown; meta?: unknown };
}

export interface DeadLetterPage {
  ch: string;
  depth: number;
  first: number;
  head: number;
  next: number;
  entries: DeadLetter[];
}

export interface DeadLetterLog {
  ch: string;
  dlq: string;
  depth: number;
  first: number;
  head: number;
}

export interface ReplayOutcome {
  seq: number;
  status: string;
  msg_id?: string;
  channel_seq?: number;
  code?: string;
  message?: string;
}

/** One `$sys.violations` event, with the dead letter it left (its payload) once found. */
export interface Violation {
  key: number;
  at: string;
  node: string;
  ch: string | null;
  type: string | null;
  component: string;
  code: string;
  reason: string;
  details: ViolationDetail[] | null;
  entry?: DeadLetter;
}

export interface ComponentEvent {
  key: number;
  type: string;
  component: string;
  version: string | null;
  session: string;
  at: string;
  code?: number;
}

export interface AlertEvent {
  key: number;
  alert: string;
  state: string;
  ch?: string;
  group?: string;
  value?: number;
  threshold?: number;
  message: string;
  at: string;
}
