import { dlqChannel, isErrorCode, PAYLOAD_MEMBERS, rawMembers, SwitchboardError, withoutMember } from '@switchboard/protocol';
import type { FeatureHost } from '../features/feature.js';
import type { StoredMessage } from '../store/store.js';
import { markKey, parseDeadLetter, REPLAY_BUCKET, type ReplayMark } from './dlq-entries.js';

/** A `replaying` mark older than this is taken to be left by a node that stopped mid-replay, and is taken over. */
const STALE_CLAIM_MS = 60_000;
/** Entries one `{"all":true}` replay goes through at most; the answer says `more` when some are left. */
export const MAX_REPLAY_ALL = 10_000;

/** What a replay did with one entry (docs/reference/http.md lists the statuses). */
export interface ReplayOutcome {
  seq: number;
  status: 'replayed' | 'already_replayed' | 'refused' | 'in_progress' | 'not_found' | 'not_a_dead_letter';
  /** The message id the replay published with (the publisher's `msg_id`, else the dead letter's envelope id). */
  msg_id?: string;
  /** The seq in the original channel (replayed, already_replayed). */
  channel_seq?: number;
  /** The channel already had this message id within the dedupe window: nothing new was stored. */
  duplicate?: boolean;
  /** A refused entry: the protocol error of the publish. */
  code?: string;
  message?: string;
  details?: unknown;
}

/** What a replay needs of the hub. */
export interface ReplayDeps {
  host: FeatureHost;
  now: () => number;
}

/** The body of `POST /v1/admin/dlq/{ch}/replay`: `{"seqs":[…]}` or `{"all":true}`. */
export function replayRequest(body: unknown): { seqs: number[] } | { all: true } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { seqs?: unknown; all?: unknown };
  if (b.all === true && b.seqs === undefined) return { all: true };
  if (Array.isArray(b.seqs) && b.seqs.length > 0 && b.seqs.length <= MAX_REPLAY_ALL && b.seqs.every((s) => Number.isSafeInteger(s) && (s as number) >= 1)) {
    return { seqs: [...new Set(b.seqs as number[])] };
  }
  throw new SwitchboardError(
    'BAD_FRAME',
    `the body must be {"seqs":[n, …]} (1 to ${MAX_REPLAY_ALL} dead-letter seqs, whole numbers ≥ 1) or {"all":true}; list the entries with GET /v1/admin/dlq/{ch}`,
  );
}

/** Replays the entries `seqs` of `$dlq.<ch>`, one after the other in the order given. */
export async function replaySeqs(deps: ReplayDeps, ch: string, seqs: readonly number[], by: string): Promise<ReplayOutcome[]> {
  const out: ReplayOutcome[] = [];
  for (const seq of seqs) {
    const [m] = await deps.host.store.read(dlqChannel(ch), seq - 1, 1);
    if (!m || m.seq !== seq) out.push({ seq, status: 'not_found', message: `no entry ${seq} in ${dlqChannel(ch)} (purged, or never written)` });
    else out.push(await replayOne(deps, ch, m, by));
  }
  return out;
}

/** Replays every entry of `$dlq.<ch>` up to its head now (at most {@link MAX_REPLAY_ALL}), oldest first. */
export async function replayAll(deps: ReplayDeps, ch: string, by: string): Promise<{ results: ReplayOutcome[]; more: boolean }> {
  const dlq = dlqChannel(ch);
  const head = (await deps.host.store.info(dlq)).last;
  const results: ReplayOutcome[] = [];
  let from = 0;
  while (results.length < MAX_REPLAY_ALL) {
    const page = await deps.host.store.read(dlq, from, Math.min(500, MAX_REPLAY_ALL - results.length));
    const mine = page.filter((m) => m.seq <= head);
    for (const m of mine) results.push(await replayOne(deps, ch, m, by));
    if (mine.length < page.length || page.length === 0) return { results, more: false };
    from = page[page.length - 1]!.seq;
  }
  return { results, more: from < head };
}

/**
 * Replays one dead letter: claims it in the replay bucket (compare-and-set, so two admins or two nodes never
 * publish it at once), checks it against the contract in force, publishes it through the one publish path with
 * the original message id and the publisher's exact text, and marks the outcome. A refused entry stays (and is
 * not dead-lettered again); a replayed one is never published again.
 */
async function replayOne(deps: ReplayDeps, ch: string, m: StoredMessage, by: string): Promise<ReplayOutcome> {
  const { host } = deps;
  const entry = parseDeadLetter(m);
  const seq = m.seq;
  if (!entry.dlq) return { seq, status: 'not_a_dead_letter', message: 'the entry has no meta.dlq (it was not written by the hub); nothing to replay' };
  const msgId = entry.dlq.msg_id ?? entry.envelope.id;
  const key = markKey(ch, seq);
  const current = await host.store.kvGet(REPLAY_BUCKET, key);
  const mark = current?.value as ReplayMark | undefined;
  if (mark?.state === 'replayed') return already(seq, msgId, mark);
  if (mark?.state === 'replaying' && deps.now() - Date.parse(mark.at) < STALE_CLAIM_MS) return inProgress(seq, msgId, mark);
  const stamp = { by, at: new Date(deps.now()).toISOString(), node: host.config.nodeId };
  let revision: number;
  try {
    revision = await host.store.kvPut(REPLAY_BUCKET, key, { state: 'replaying', ...stamp } satisfies ReplayMark, current?.revision ?? 0);
  } catch (err) {
    if (!(err instanceof SwitchboardError && err.code === 'CONFLICT')) throw err;
    const now = (await host.store.kvGet(REPLAY_BUCKET, key))?.value as ReplayMark | undefined;
    return now?.state === 'replayed' ? already(seq, msgId, now) : inProgress(seq, msgId, now ?? { state: 'replaying', ...stamp });
  }
  const finish = async (outcome: ReplayOutcome, next: ReplayMark): Promise<ReplayOutcome> => {
    await host.store.kvPut(REPLAY_BUCKET, key, next, revision);
    return outcome;
  };

  const target = entry.dlq.original_ch || ch;
  const { type, source, data } = entry.envelope;
  const raw = rawMembers(m.json, PAYLOAD_MEMBERS);
  const { dlq: _dlq, ...rest } = entry.envelope.meta ?? {};
  const meta = Object.keys(rest).length > 0 ? rest : undefined;
  const metaText = meta !== undefined && raw?.meta !== undefined ? withoutMember(raw.meta, 'dlq') : undefined;
  const violation = host.contracts().validate(target, type, data);
  if (violation) {
    const outcome: ReplayOutcome = {
      seq,
      status: 'refused',
      msg_id: msgId,
      code: 'CONTRACT_VIOLATION',
      message: violation.message,
      details: violation.details,
    };
    return finish(outcome, { state: 'refused', ...stamp, code: 'CONTRACT_VIOLATION', message: violation.message });
  }
  try {
    // A dead letter of a hub-owned channel (a webhook's `$webhook.<name>`) goes back to that channel, as the hub.
    const system = target.startsWith('$');
    const r = await host.router.publish({ ch: target, type, data, meta, dataText: raw?.data, metaText, msgId, source, system });
    const duplicate = r.duplicate === true;
    return finish(
      { seq, status: 'replayed', msg_id: msgId, channel_seq: r.seq, ...(duplicate ? { duplicate } : {}) },
      { state: 'replayed', ...stamp, channel_seq: r.seq, ...(duplicate ? { duplicate } : {}) },
    );
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; details?: unknown };
    const code = isErrorCode(e.code) ? e.code : 'INTERNAL';
    const message = typeof e.message === 'string' ? e.message : String(err);
    return finish(
      { seq, status: 'refused', msg_id: msgId, code, message, ...(e.details !== undefined ? { details: e.details } : {}) },
      { state: 'refused', ...stamp, code, message },
    );
  }
}

function already(seq: number, msgId: string, mark: ReplayMark): ReplayOutcome {
  return {
    seq,
    status: 'already_replayed',
    msg_id: msgId,
    ...(mark.channel_seq !== undefined ? { channel_seq: mark.channel_seq } : {}),
    message: `replayed before (${mark.at} by ${mark.by}); nothing was published again`,
  };
}

function inProgress(seq: number, msgId: string, mark: ReplayMark): ReplayOutcome {
  return { seq, status: 'in_progress', msg_id: msgId, message: `a replay by ${mark.by} on ${mark.node} is under way since ${mark.at}; try again later` };
}
