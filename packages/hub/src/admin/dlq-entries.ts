import { dlqChannel, DLQ_PREFIX, SwitchboardError } from '@switchboard/protocol';
import type { Store, StoredMessage } from '../store/store.js';

/** The KV bucket where replayed dead letters are marked (shared by every node of a cluster through the store). */
export const REPLAY_BUCKET = 'dlq-replays';

/** What the hub wrote into `meta.dlq` of a dead letter (`Router.deadLetter`). */
export interface DlqMeta {
  reason: string;
  code: string;
  original_ch: string;
  details?: unknown;
  msg_id?: string;
  original_seq?: number;
  deliveries?: number;
}

/** A dead letter as read from `$dlq.<ch>`: the stored envelope, parsed, and its `dlq` meta. */
export interface DeadLetter {
  seq: number;
  message: StoredMessage;
  envelope: { id: string; type: string; source: string; ts: string; data: unknown; meta?: Record<string, unknown> };
  /** Undefined when the entry has no `meta.dlq` (it was not written by the hub's dead-lettering). */
  dlq?: DlqMeta;
}

/** The replay mark of one entry, in {@link REPLAY_BUCKET}. */
export interface ReplayMark {
  state: 'replaying' | 'replayed' | 'refused';
  /** Admin component that ran the replay. */
  by: string;
  /** ISO time of the state. */
  at: string;
  /** The node that ran it. */
  node: string;
  /** replayed: the seq in the original channel (the first one when `duplicate`). */
  channel_seq?: number;
  duplicate?: boolean;
  /** refused: why. */
  code?: string;
  message?: string;
}

/** The original channel named by a path segment: `market.ticks` or `$dlq.market.ticks` both mean `market.ticks`. */
export function originalChannel(param: string): string {
  return param.startsWith(DLQ_PREFIX) ? param.slice(DLQ_PREFIX.length) : param;
}

/** The key of an entry's replay mark. */
export function markKey(ch: string, seq: number): string {
  return `${ch}/${seq}`;
}

/** Parses a stored dead letter. */
export function parseDeadLetter(message: StoredMessage): DeadLetter {
  const envelope = JSON.parse(message.json) as DeadLetter['envelope'];
  const raw = envelope.meta?.dlq;
  const dlq = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as DlqMeta) : undefined;
  return { seq: message.seq, message, envelope, ...(dlq ? { dlq } : {}) };
}

/** Reads the replay marks of `entries` of `ch` (one KV read each, in parallel). */
export async function replayMarks(store: Store, ch: string, seqs: readonly number[]): Promise<Map<number, ReplayMark>> {
  const got = await Promise.all(seqs.map((seq) => store.kvGet(REPLAY_BUCKET, markKey(ch, seq))));
  const out = new Map<number, ReplayMark>();
  got.forEach((v, i) => {
    if (v) out.set(seqs[i]!, v.value as ReplayMark);
  });
  return out;
}

/**
 * One entry as `GET /v1/admin/dlq/{ch}` lists it, as JSON text: the fields an operator reads, then `message`, the
 * stored envelope spliced in as it is (so that the payload keeps every digit the publisher wrote).
 */
export function entryJson(entry: DeadLetter, mark: ReplayMark | undefined): string {
  const { envelope: e, dlq } = entry;
  const summary = {
    seq: entry.seq,
    id: e.id,
    type: e.type,
    source: e.source,
    ts: e.ts,
    original_ch: dlq?.original_ch ?? null,
    reason: dlq?.reason ?? null,
    code: dlq?.code ?? null,
    details: dlq?.details ?? null,
    msg_id: dlq?.msg_id ?? null,
    original_seq: dlq?.original_seq ?? null,
    deliveries: dlq?.deliveries ?? null,
    replay: mark ?? null,
  };
  return JSON.stringify(summary).slice(0, -1) + ',"message":' + entry.message.json + '}';
}

/** `GET /v1/admin/dlq/{ch}` as JSON text: depth, head and a page of entries after `from`. */
export async function listDeadLetters(store: Store, ch: string, from: number, limit: number): Promise<string> {
  const dlq = dlqChannel(ch);
  const [info, page] = await Promise.all([store.info(dlq), store.read(dlq, from, limit)]);
  const entries = page.map(parseDeadLetter);
  const marks = await replayMarks(
    store,
    ch,
    entries.map((e) => e.seq),
  );
  const next = page.length ? page[page.length - 1]!.seq : from;
  const head = JSON.stringify({ ch, dlq, depth: info.count, first: info.first, head: info.last, next });
  return head.slice(0, -1) + ',"entries":[' + entries.map((e) => entryJson(e, marks.get(e.seq))).join(',') + ']}';
}

/** `GET /v1/admin/dlq`: every dead-letter log with its depth. */
export async function listDeadLetterLogs(store: Store): Promise<{ ch: string; dlq: string; depth: number; first: number; head: number }[]> {
  const logs = (await store.channels()).filter((c) => c.startsWith(DLQ_PREFIX));
  return Promise.all(
    logs.map(async (dlq) => {
      const info = await store.info(dlq);
      return { ch: dlq.slice(DLQ_PREFIX.length), dlq, depth: info.count, first: info.first, head: info.last };
    }),
  );
}

/** Checks `up_to_seq` of a purge body. */
export function purgeBound(body: unknown): number {
  const b = body as { up_to_seq?: unknown } | null;
  const n = b?.up_to_seq;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new SwitchboardError('BAD_FRAME', 'the body must be {"up_to_seq": n} with n the last seq to remove (a whole number ≥ 1); see GET /v1/admin/dlq/{ch}');
  }
  return n;
}
