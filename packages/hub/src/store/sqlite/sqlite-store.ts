import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SwitchboardError } from '@switchboard/protocol';
import type {
  AppendInput,
  AppendResult,
  ChannelInfo,
  ChannelStoreOptions,
  GroupCursor,
  GroupOptions,
  KvKeysOptions,
  StoredMessage,
  Store,
  StoreLogger,
  VersionedValue,
} from '../store.js';
import { encodeEnvelope } from '../envelope-json.js';
import { INSERT_ROWS, prepareDatabase, probeWrite, storageError, type Statements } from './schema.js';
import { makeDirectory } from './make-directory.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { GroupState, type GroupHost } from './group-state.js';

/** Options of the embedded SQLite store. */
export interface SqliteStoreOptions {
  /** Database file; its directory is created when missing. */
  path: string;
  /** Window within which the same `msgId` on a channel is stored once (ms, default 120000). */
  dedupeWindowMs?: number;
  /**
   * `fsync` (default): WAL with `synchronous=FULL`; an append resolves once its commit is fsynced, so it
   * survives a power loss. `process`: WAL with `synchronous=NORMAL`; it survives a crash of the process but
   * the last commits may be lost on a power loss or OS crash.
   */
  durability?: 'fsync' | 'process';
  /** How often retention (max messages, max age) and dedupe expiry run (ms, default 1000). */
  retentionIntervalMs?: number;
  /** How long a write waits for a lock held by another process before failing with `UNAVAILABLE` (ms, default 2000). */
  busyTimeoutMs?: number;
  /**
   * How often a worker thread checkpoints the WAL into the database file (ms, default 200). `0` leaves it to
   * SQLite's automatic checkpoint, which runs inside a commit and holds up the event loop while it flushes.
   */
  checkpointIntervalMs?: number;
  /** Clock in epoch milliseconds (default `Date.now`): message age, dedupe window, ack deadlines. */
  now?: () => number;
  /** Where warnings go (and, with `info`, a store's recovery); default `console`. */
  logger?: StoreLogger;
}

/**
 * Opens (creating when absent) the embedded store: one SQLite file, for one hub node. Rejects with `UNAVAILABLE`
 * when the folder cannot be made or the file cannot be written (a write probe runs at open).
 *
 * Durability policy: the database runs in WAL mode. Appends, acks, terms and key-value writes are queued and
 * committed together in one transaction per event-loop turn (group commit); every promise of that batch
 * resolves only after the commit returned, and rejects with `UNAVAILABLE` (storage fault: disk full, I/O
 * error, lock held elsewhere) or `INTERNAL` when it failed; nothing of a failed batch is kept, and its seqs
 * are assigned again. With `durability: 'fsync'` a commit is fsynced before it returns; with `'process'` it
 * survives a process crash but not a power loss. Retention runs on a timer. In-flight group deliveries,
 * ack deadlines and nack delays live in memory: after a restart every seq that was handed out and not
 * acknowledged is due again (with `deliveries` counting on from 1). The store serves one hub node: its
 * state is this process's file and memory only.
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const path = resolve(options.path);
  try {
    await makeDirectory(dirname(path));
  } catch (err) {
    throw new SwitchboardError(
      'UNAVAILABLE',
      `Cannot create the directory of the SQLite store ${path}: ${(err as Error).message}; choose a writable path.`,
      undefined,
      { cause: err },
    );
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 2000 });
    const stmts = prepareDatabase(db, options.durability ?? 'fsync');
    // SQLite opens a file it may not write read-only without a word, and then refuses every write: find out now.
    try {
      probeWrite(db, stmts);
    } catch (err) {
      throw storageError(err, path, 'be written');
    }
    const intervalMs = options.checkpointIntervalMs ?? 200;
    let checkpointer: Checkpointer | undefined;
    if (intervalMs > 0) {
      const opened = db;
      opened.pragma('wal_autocheckpoint = 0');
      checkpointer = startCheckpointer({
        path,
        intervalMs,
        busyTimeoutMs: options.busyTimeoutMs ?? 2000,
        onFailure: (reason) => {
          (options.logger ?? console).warn(`SQLite store ${path}: the checkpoint worker failed (${reason}); SQLite checkpoints on its own again`);
          if (opened.open) opened.pragma('wal_autocheckpoint = 1000');
        },
      });
    }
    return new SqliteStore(db, stmts, path, options, checkpointer);
  } catch (err) {
    db?.close();
    throw storageError(err, path, 'open');
  }
}

interface ChannelState {
  /** Last durable seq. */
  last: number;
  /** Last seq handed to an append, durable or queued. */
  assigned: number;
  /** Oldest retained seq, 0 when nothing is retained. */
  first: number;
  maxMessages: number | null;
  maxAgeMs: number | null;
}

interface QueuedMessage {
  ch: string;
  seq: number;
  tsMs: number;
  msgId: string | null;
  json: string;
}
interface QueuedKv {
  bucket: string;
  key: string;
  json: string;
  revision: number;
}

interface QueuedTrim {
  name: string;
  st: ChannelState;
  upTo: number;
  removed: number;
  first: number;
}

/** Everything written by the next group commit. */
interface Batch {
  messages: QueuedMessage[];
  /** Per channel: highest seq and first seq queued. */
  channels: Map<ChannelState, { name: string; first: number; last: number }>;
  /** `ch \0 msgId` → seq queued in this batch. */
  dedupe: Map<string, number>;
  /** `bucket \0 key` → last write queued in this batch. */
  kv: Map<string, QueuedKv>;
  groups: Set<GroupState>;
  /** Purges (`trim`), run after the inserts; `removed` and `first` are filled in by the commit. */
  trims: QueuedTrim[];
  /** In call order, three entries per write: resolve, reject, value. */
  settles: unknown[];
}

function newBatch(): Batch {
  return { messages: [], channels: new Map(), dedupe: new Map(), kv: new Map(), groups: new Set(), trims: [], settles: [] };
}

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly channelStates = new Map<string, ChannelState>();
  private readonly groups = new Map<string, GroupState>();
  private batch = newBatch();
  private flushScheduled = false;
  private closed = false;
  private readonly retentionTimer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly dedupeWindowMs: number;
  private readonly logger: StoreLogger;
  /** Set while writes fail: since when, how many commits failed and how many writes they refused. */
  private outage: { since: number; failures: number; writes: number } | undefined;
  private readonly commit: (batch: Batch) => void;
  private readonly trimRetention: (now: number) => Array<[ChannelState, number]>;
  private readonly groupHost: GroupHost;

  constructor(
    private readonly db: Database.Database,
    private readonly stmts: Statements,
    private readonly path: string,
    options: SqliteStoreOptions,
    private readonly checkpointer?: Checkpointer,
  ) {
    this.now = options.now ?? Date.now;
    this.dedupeWindowMs = options.dedupeWindowMs ?? 120_000;
    this.logger = options.logger ?? console;
    for (const row of stmts.allChannels.all()) {
      const stats = stmts.channelStats.get(row.ch);
      const last = Math.max(row.last_seq, stats?.last ?? 0);
      this.channelStates.set(row.ch, { last, assigned: last, first: stats?.first ?? 0, maxMessages: row.max_messages, maxAgeMs: row.max_age_ms });
    }
    this.commit = db.transaction((batch: Batch) => this.writeBatch(batch));
    this.trimRetention = db.transaction((now: number) => this.trimAll(now));
    this.groupHost = {
      now: this.now,
      assertOpen: () => this.assertOpen(),
      goneThrough: (ch) => {
        const st = this.channelStates.get(ch);
        if (!st) return 0;
        return st.first > 0 ? st.first - 1 : st.last;
      },
      readAfter: (ch, afterSeq, limit) => this.query(() => this.stmts.readAfter.all(ch, afterSeq, limit)),
      readOne: (ch, seq) => this.query(() => this.stmts.readOne.get(ch, seq)),
      persist: (state) => this.enqueue((batch) => batch.groups.add(state)),
      warn: (message, err) => this.logger.warn({ err, path: this.path }, `sqlite store: ${message}`),
    };
    const interval = options.retentionIntervalMs ?? 1000;
    this.retentionTimer = setInterval(() => this.runRetention(), interval);
    this.retentionTimer.unref();
  }

  async ensureChannel(ch: string, options: ChannelStoreOptions = {}): Promise<void> {
    this.assertOpen();
    const maxMessages = options.maxMessages ?? null;
    const maxAgeMs = options.maxAgeMs ?? null;
    this.query(() => this.stmts.upsertChannelLimits.run(ch, maxMessages, maxAgeMs), 'declare a channel');
    const st = this.channelState(ch);
    st.maxMessages = maxMessages;
    st.maxAgeMs = maxAgeMs;
  }

  append(ch: string, input: AppendInput): Promise<AppendResult> {
    if (this.closed) return Promise.reject(this.closedError());
    const tsMs = this.now();
    const st = this.channelState(ch);
    const msgId = input.msgId ?? null;
    let dedupeKey = '';
    if (msgId !== null) {
      dedupeKey = `${ch}\u0000${msgId}`;
      const queued = this.batch.dedupe.get(dedupeKey);
      if (queued !== undefined) return new Promise<AppendResult>((ok, fail) => this.settleAfterCommit(ok, fail, { seq: queued, duplicate: true }));
      let earlier: { seq: number; ts_ms: number } | undefined;
      try {
        earlier = this.stmts.dedupeGet.get(ch, msgId);
      } catch (err) {
        return Promise.reject(storageError(err, this.path, 'read the dedupe index'));
      }
      if (earlier && tsMs - earlier.ts_ms < this.dedupeWindowMs) return Promise.resolve({ seq: earlier.seq, duplicate: true });
    }
    const seq = st.assigned + 1;
    let json: string;
    try {
      json = encodeEnvelope(
        { id: input.id, ch, type: input.type, source: input.source, ts: input.ts, seq, data: input.data, meta: input.meta },
        input.dataText,
        input.metaText,
      );
    } catch (err) {
      return Promise.reject(
        new SwitchboardError('BAD_FRAME', `The message data cannot be serialised as JSON (${(err as Error).message}); send plain JSON values only.`),
      );
    }
    st.assigned = seq;
    const batch = this.batch;
    batch.messages.push({ ch, seq, tsMs, msgId, json });
    const range = batch.channels.get(st);
    if (range) range.last = seq;
    else batch.channels.set(st, { name: ch, first: seq, last: seq });
    if (msgId !== null) batch.dedupe.set(dedupeKey, seq);
    const result: AppendResult = { seq, duplicate: false, message: { ch, seq, json } };
    return new Promise<AppendResult>((ok, fail) => this.settleAfterCommit(ok, fail, result));
  }

  async read(ch: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    this.assertOpen();
    if (!(limit > 0) || !this.channelStates.has(ch)) return [];
    const rows = this.query(() => this.stmts.readAfter.all(ch, afterSeq, Math.floor(limit)));
    return rows.map((row) => ({ ch, seq: row.seq, json: row.json }));
  }

  async info(ch: string): Promise<ChannelInfo> {
    this.assertOpen();
    const st = this.channelStates.get(ch);
    if (!st || st.last === 0) return { first: 0, last: 0, count: 0 };
    if (st.first === 0) return { first: st.last + 1, last: st.last, count: 0 };
    return { first: st.first, last: st.last, count: st.last - st.first + 1 };
  }

  trim(ch: string, upToSeq: number): Promise<number> {
    if (this.closed) return Promise.reject(this.closedError());
    const st = this.channelStates.get(ch);
    if (!st || st.first === 0 || !(Math.floor(upToSeq) >= st.first)) return Promise.resolve(0);
    const t: QueuedTrim = { name: ch, st, upTo: Math.min(Math.floor(upToSeq), st.last), removed: 0, first: 0 };
    return this.enqueue((batch) => batch.trims.push(t)).then(() => t.removed);
  }

  async channels(): Promise<string[]> {
    this.assertOpen();
    const out: string[] = [];
    for (const [name, st] of this.channelStates) if (st.last > 0) out.push(name);
    return out.sort();
  }

  async group(ch: string, group: string, options: GroupOptions): Promise<GroupCursor> {
    this.assertOpen();
    if (!(options.ackWaitMs > 0)) {
      throw new SwitchboardError(
        'BAD_FRAME',
        `ackWaitMs of group "${group}" on "${ch}" must be a positive number of milliseconds, got ${String(options.ackWaitMs)}.`,
      );
    }
    const key = `${ch}\u0000${group}`;
    let state = this.groups.get(key);
    if (!state) {
      const row = this.query(() => this.stmts.groupGet.get(ch, group));
      if (row) {
        const acks = this.query(() => this.stmts.groupAcks.all(ch, group)).map((r) => r.seq);
        state = new GroupState(this.groupHost, ch, group, row.ack_floor, row.cursor, acks, true);
        this.groups.set(key, state);
      } else {
        const start = this.startOf(ch, group, options.from);
        state = new GroupState(this.groupHost, ch, group, start, start, [], false);
        this.groups.set(key, state);
        await this.groupHost.persist(state);
      }
    }
    return state.handle(options);
  }

  async kvGet(bucket: string, key: string): Promise<VersionedValue | undefined> {
    this.assertOpen();
    const row = this.query(() => this.stmts.kvGet.get(bucket, key));
    return row ? { value: JSON.parse(row.value) as unknown, revision: row.revision } : undefined;
  }

  async kvPut(bucket: string, key: string, value: unknown, expectedRevision?: number): Promise<number> {
    this.assertOpen();
    const id = `${bucket}\u0000${key}`;
    const current = this.batch.kv.get(id)?.revision ?? this.query(() => this.stmts.kvGet.get(bucket, key))?.revision ?? 0;
    if (expectedRevision !== undefined && expectedRevision !== current) {
      throw new SwitchboardError(
        'CONFLICT',
        current === 0
          ? `Key "${key}" of bucket "${bucket}" does not exist, so revision ${expectedRevision} cannot match; write it with expected revision 0.`
          : `Key "${key}" of bucket "${bucket}" is at revision ${current}, not ${expectedRevision}; read it again and retry with revision ${current}.`,
        { revision: current },
      );
    }
    const revision = current + 1;
    const json = JSON.stringify(value ?? null);
    await this.enqueue((batch) => batch.kv.set(id, { bucket, key, json, revision }));
    return revision;
  }

  async kvKeys(bucket: string, options: KvKeysOptions = {}): Promise<string[]> {
    this.assertOpen();
    const prefix = options.prefix ?? '';
    // The highest code point: every key that starts with `prefix` sorts below prefix + U+10FFFF.
    const rows = this.query(() => this.stmts.kvKeys.all(bucket, prefix, `${prefix}\u{10FFFF}`, options.limit ?? 1000));
    return rows.map((r) => r.key);
  }

  /** Resolves when the store can be written, not only read: `/readyz` must not say ready while appends fail. */
  async ping(): Promise<void> {
    this.assertOpen();
    this.query(() => probeWrite(this.db, this.stmts), 'be written (readiness probe)');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    for (const state of this.groups.values()) state.stopTimer();
    this.flush();
    await this.checkpointer?.stop();
    this.db.close();
  }

  private startOf(ch: string, group: string, from: GroupOptions['from']): number {
    const st = this.channelStates.get(ch);
    if (from === 'earliest') return st ? (st.first > 0 ? st.first - 1 : st.last) : 0;
    if (from === 'latest') return st?.last ?? 0;
    if (typeof from === 'number' && Number.isInteger(from) && from >= 0) return from;
    throw new SwitchboardError(
      'BAD_FRAME',
      `"from" of group "${group}" on "${ch}" must be "earliest", "latest" or a seq (an integer >= 0), got ${JSON.stringify(from)}.`,
    );
  }

  private channelState(ch: string): ChannelState {
    let st = this.channelStates.get(ch);
    if (!st) {
      st = { last: 0, assigned: 0, first: 0, maxMessages: null, maxAgeMs: null };
      this.channelStates.set(ch, st);
    }
    return st;
  }

  /** Adds work to the next group commit; resolves after that commit, rejects when it failed. */
  private enqueue(add: (batch: Batch) => void): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise<void>((ok, fail) => {
      add(this.batch);
      this.settleAfterCommit(ok, fail, undefined);
    });
  }

  /** Resolves `ok` with `value` after the next group commit, or calls `fail` when it fails. */
  private settleAfterCommit<T>(ok: (value: T) => void, fail: (err: SwitchboardError) => void, value: T): void {
    const b = this.batch;
    b.settles.push(ok as (value: unknown) => void, fail, value);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.settles.length === 0 && batch.groups.size === 0) return;
    this.batch = newBatch();
    try {
      if (!this.db.open) throw this.closedError();
      this.commit(batch);
    } catch (err) {
      const error = storageError(err, this.path, 'write');
      this.writeFailed(err, error, batch.settles.length / 3);
      for (const st of batch.channels.keys()) st.assigned = st.last;
      // Group positions are state, not events: keep them for the next commit.
      for (const state of batch.groups) this.batch.groups.add(state);
      for (let i = 0; i < batch.settles.length; i += 3) (batch.settles[i + 1] as (e: SwitchboardError) => void)(error);
      return;
    }
    for (const [st, range] of batch.channels) {
      if (st.first === 0) st.first = range.first;
      st.last = range.last;
    }
    this.writeSucceeded();
    for (const t of batch.trims) t.st.first = t.first;
    for (const state of batch.groups) state.committed();
    for (let i = 0; i < batch.settles.length; i += 3) (batch.settles[i] as (v: unknown) => void)(batch.settles[i + 2]);
  }

  private writeBatch(batch: Batch): void {
    const s = this.stmts;
    const ms = batch.messages;
    let i = 0;
    if (ms.length >= INSERT_ROWS) {
      const args: unknown[] = new Array(INSERT_ROWS * 5);
      for (; i + INSERT_ROWS <= ms.length; i += INSERT_ROWS) {
        for (let j = 0; j < INSERT_ROWS; j++) {
          const m = ms[i + j]!;
          const o = j * 5;
          args[o] = m.ch;
          args[o + 1] = m.seq;
          args[o + 2] = m.tsMs;
          args[o + 3] = m.msgId;
          args[o + 4] = m.json;
        }
        s.insertMessages.run(args);
      }
    }
    for (; i < ms.length; i++) {
      const m = ms[i]!;
      s.insertMessage.run(m.ch, m.seq, m.tsMs, m.msgId, m.json);
    }
    for (const m of ms) if (m.msgId !== null) s.dedupePut.run(m.ch, m.msgId, m.seq, m.tsMs);
    for (const range of batch.channels.values()) s.upsertChannelLast.run(range.name, range.last);
    for (const kv of batch.kv.values()) s.kvPut.run(kv.bucket, kv.key, kv.json, kv.revision);
    for (const state of batch.groups) state.write(s);
    for (const t of batch.trims) {
      t.removed = s.deleteUpTo.run(t.name, t.upTo).changes;
      t.first = s.firstSeq.get(t.name)?.first ?? 0;
    }
  }

  private runRetention(): void {
    if (this.closed) return;
    try {
      const trimmed = this.trimRetention(this.now());
      for (const [st, first] of trimmed) st.first = first;
    } catch (err) {
      this.writeFailed(err, storageError(err, this.path, 'apply retention'), 0);
    }
  }

  /**
   * Logs an outage once: the first failed write of a series is a warning line, later ones are only counted until
   * a group commit succeeds again ({@link writeSucceeded}), so that a full disk does not print a line per batch.
   */
  private writeFailed(err: unknown, error: SwitchboardError, writes: number): void {
    if (this.outage) {
      this.outage.failures++;
      this.outage.writes += writes;
      return;
    }
    this.outage = { since: this.now(), failures: 1, writes };
    const sqlite = (err as { code?: unknown })?.code;
    this.logger.warn(
      { path: this.path, sqlite: typeof sqlite === 'string' ? sqlite : undefined, reason: error.message },
      `sqlite store: writes fail, appends are refused with ${error.code} until they succeed again (${error.message})`,
    );
  }

  private writeSucceeded(): void {
    if (!this.outage) return;
    const { since, failures, writes } = this.outage;
    this.outage = undefined;
    const outageMs = this.now() - since;
    this.logger.info?.({ path: this.path, failures, refused_writes: writes, outage_ms: outageMs }, `sqlite store: writes succeed again after ${outageMs} ms`);
  }

  /** Deletes what retention no longer keeps; returns the new first seq of each trimmed channel. */
  private trimAll(now: number): Array<[ChannelState, number]> {
    const s = this.stmts;
    const trimmed: Array<[ChannelState, number]> = [];
    for (const [name, st] of this.channelStates) {
      if (st.first === 0 || (st.maxMessages === null && st.maxAgeMs === null)) continue;
      let upTo = 0;
      if (st.maxMessages !== null && st.last - st.first + 1 > st.maxMessages) upTo = st.last - st.maxMessages;
      if (st.maxAgeMs !== null) {
        const kept = s.firstNotOlder.get(name, now - st.maxAgeMs);
        upTo = Math.max(upTo, kept ? kept.seq - 1 : st.last);
      }
      if (upTo < st.first) continue;
      s.deleteUpTo.run(name, upTo);
      trimmed.push([st, s.firstSeq.get(name)?.first ?? 0]);
    }
    s.dedupePrune.run(now - this.dedupeWindowMs);
    return trimmed;
  }

  private query<T>(fn: () => T, action = 'read'): T {
    try {
      return fn();
    } catch (err) {
      throw storageError(err, this.path, action);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): SwitchboardError {
    return new SwitchboardError(
      'UNAVAILABLE',
      `The SQLite store at ${this.path} is closed; open it again with createSqliteStore (or restart the hub) before using it.`,
    );
  }
}
