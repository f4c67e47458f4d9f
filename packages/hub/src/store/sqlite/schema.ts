import type Database from 'better-sqlite3';
import { SwitchboardError } from '@switchboard/protocol';

/** Tables of the embedded store. `channels.last_seq` keeps seq gap-free after retention emptied a channel. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS channels (
  ch TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL DEFAULT 0,
  max_messages INTEGER,
  max_age_ms INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  ch TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  msg_id TEXT,
  json TEXT NOT NULL,
  PRIMARY KEY (ch, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedupe (
  ch TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  PRIMARY KEY (ch, msg_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dedupe_ts ON dedupe (ts_ms);
CREATE TABLE IF NOT EXISTS groups (
  ch TEXT NOT NULL,
  grp TEXT NOT NULL,
  ack_floor INTEGER NOT NULL,
  cursor INTEGER NOT NULL,
  PRIMARY KEY (ch, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_acks (
  ch TEXT NOT NULL,
  grp TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (ch, grp, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  revision INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
`;

export interface ChannelRow {
  ch: string;
  last_seq: number;
  max_messages: number | null;
  max_age_ms: number | null;
}
export interface MessageRow {
  seq: number;
  json: string;
}
export interface GroupRow {
  ack_floor: number;
  cursor: number;
}
export interface KvRow {
  value: string;
  revision: number;
}

/** Rows per multi-row INSERT: a group commit writes its messages this many per statement (fewer native calls). */
export const INSERT_ROWS = 16;

/** Every prepared statement of the store, created once when the database opens. */
export interface Statements {
  allChannels: Database.Statement<[], ChannelRow>;
  channelStats: Database.Statement<[string], { first: number | null; last: number | null }>;
  upsertChannelLimits: Database.Statement<[string, number | null, number | null]>;
  upsertChannelLast: Database.Statement<[string, number]>;
  insertMessage: Database.Statement<[string, number, number, string | null, string]>;
  /** {@link INSERT_ROWS} messages in one statement: 5 parameters per row, in `insertMessage`'s order. */
  insertMessages: Database.Statement<unknown[]>;
  readAfter: Database.Statement<[string, number, number], MessageRow>;
  readOne: Database.Statement<[string, number], MessageRow>;
  firstSeq: Database.Statement<[string], { first: number | null }>;
  deleteUpTo: Database.Statement<[string, number]>;
  firstNotOlder: Database.Statement<[string, number], { seq: number }>;
  dedupeGet: Database.Statement<[string, string], { seq: number; ts_ms: number }>;
  dedupePut: Database.Statement<[string, string, number, number]>;
  dedupePrune: Database.Statement<[number]>;
  groupGet: Database.Statement<[string, string], GroupRow>;
  groupPut: Database.Statement<[string, string, number, number]>;
  groupAcks: Database.Statement<[string, string], { seq: number }>;
  groupAckPut: Database.Statement<[string, string, number]>;
  groupAcksPrune: Database.Statement<[string, string, number]>;
  kvGet: Database.Statement<[string, string], KvRow>;
  kvPut: Database.Statement<[string, string, string, number]>;
  kvDelete: Database.Statement<[string, string]>;
  kvKeys: Database.Statement<[string, string, string, number], { key: string }>;
}

/** Applies pragmas and the schema, then prepares every statement. */
export function prepareDatabase(db: Database.Database, durability: 'fsync' | 'process'): Statements {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    throw new SwitchboardError(
      'UNAVAILABLE',
      `SQLite refused WAL mode (got "${String(mode)}"); put the store file on a local file system that supports shared memory.`,
    );
  }
  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
  db.exec(SCHEMA);
  return {
    allChannels: db.prepare('SELECT ch, last_seq, max_messages, max_age_ms FROM channels'),
    channelStats: db.prepare('SELECT MIN(seq) AS first, MAX(seq) AS last FROM messages WHERE ch = ?'),
    upsertChannelLimits: db.prepare(
      'INSERT INTO channels (ch, last_seq, max_messages, max_age_ms) VALUES (?, 0, ?, ?) ' +
        'ON CONFLICT (ch) DO UPDATE SET max_messages = excluded.max_messages, max_age_ms = excluded.max_age_ms',
    ),
    upsertChannelLast: db.prepare('INSERT INTO channels (ch, last_seq) VALUES (?, ?) ON CONFLICT (ch) DO UPDATE SET last_seq = excluded.last_seq'),
    insertMessage: db.prepare('INSERT INTO messages (ch, seq, ts_ms, msg_id, json) VALUES (?, ?, ?, ?, ?)'),
    insertMessages: db.prepare(`INSERT INTO messages (ch, seq, ts_ms, msg_id, json) VALUES ${Array(INSERT_ROWS).fill('(?, ?, ?, ?, ?)').join(', ')}`),
    readAfter: db.prepare('SELECT seq, json FROM messages WHERE ch = ? AND seq > ? ORDER BY seq LIMIT ?'),
    readOne: db.prepare('SELECT seq, json FROM messages WHERE ch = ? AND seq = ?'),
    firstSeq: db.prepare('SELECT MIN(seq) AS first FROM messages WHERE ch = ?'),
    deleteUpTo: db.prepare('DELETE FROM messages WHERE ch = ? AND seq <= ?'),
    firstNotOlder: db.prepare('SELECT seq FROM messages WHERE ch = ? AND ts_ms >= ? ORDER BY seq LIMIT 1'),
    dedupeGet: db.prepare('SELECT seq, ts_ms FROM dedupe WHERE ch = ? AND msg_id = ?'),
    dedupePut: db.prepare('INSERT OR REPLACE INTO dedupe (ch, msg_id, seq, ts_ms) VALUES (?, ?, ?, ?)'),
    dedupePrune: db.prepare('DELETE FROM dedupe WHERE ts_ms < ?'),
    groupGet: db.prepare('SELECT ack_floor, cursor FROM groups WHERE ch = ? AND grp = ?'),
    groupPut: db.prepare('INSERT OR REPLACE INTO groups (ch, grp, ack_floor, cursor) VALUES (?, ?, ?, ?)'),
    groupAcks: db.prepare('SELECT seq FROM group_acks WHERE ch = ? AND grp = ? ORDER BY seq'),
    groupAckPut: db.prepare('INSERT OR IGNORE INTO group_acks (ch, grp, seq) VALUES (?, ?, ?)'),
    groupAcksPrune: db.prepare('DELETE FROM group_acks WHERE ch = ? AND grp = ? AND seq <= ?'),
    kvGet: db.prepare('SELECT value, revision FROM kv WHERE bucket = ? AND key = ?'),
    kvPut: db.prepare('INSERT OR REPLACE INTO kv (bucket, key, value, revision) VALUES (?, ?, ?, ?)'),
    kvDelete: db.prepare('DELETE FROM kv WHERE bucket = ? AND key = ?'),
    kvKeys: db.prepare('SELECT key FROM kv WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?'),
  };
}

/** The bucket of {@link probeWrite}'s row: never a bucket of the hub's (those never start with `$`). */
const PROBE_BUCKET = '$store-probe';

/**
 * A real write, committed: a row put in and taken out in one transaction. It throws what an append would throw
 * (SQLITE_READONLY on a file opened read-only, SQLITE_FULL, SQLITE_IOERR…); `BEGIN IMMEDIATE` does not — SQLite
 * grants it on a read-only file.
 */
export function probeWrite(db: Database.Database, stmts: Statements): void {
  db.transaction(() => {
    stmts.kvPut.run(PROBE_BUCKET, 'write', 'null', 0);
    stmts.kvDelete.run(PROBE_BUCKET, 'write');
  })();
}

const UNAVAILABLE_CODES = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
];

/** Wraps a SQLite failure as a protocol error: storage faults are `UNAVAILABLE`, anything else `INTERNAL`. */
export function storageError(err: unknown, path: string, action: string): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  const reason = err instanceof Error ? err.message : String(err);
  if (code.startsWith('SQLITE_READONLY')) {
    return new SwitchboardError(
      'UNAVAILABLE',
      `The SQLite store at ${path} is read-only (${code}: ${reason}): it cannot ${action}; make the file and its folder writable by this process (permissions, a read-only mount, the immutable attribute: lsattr), or use another path.`,
      { sqlite: code },
      { cause: err },
    );
  }
  if (UNAVAILABLE_CODES.some((c) => code.startsWith(c))) {
    return new SwitchboardError(
      'UNAVAILABLE',
      `The SQLite store at ${path} could not ${action} (${code}: ${reason}); check free disk space, file permissions and that no other process holds the database, then retry.`,
      { sqlite: code },
      { cause: err },
    );
  }
  return new SwitchboardError(
    'INTERNAL',
    `The SQLite store at ${path} failed to ${action} (${code || 'error'}: ${reason}); the message was not accepted.`,
    code ? { sqlite: code } : undefined,
    { cause: err },
  );
}
