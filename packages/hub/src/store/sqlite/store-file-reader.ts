import Database from 'better-sqlite3';
import { SwitchboardError } from '@switchboard/protocol';
import type { StoredMessage } from '../store.js';

/** A channel of a store file, as a reader sees it. */
export interface StoredChannel {
  ch: string;
  /** Seq of the newest message ever appended (0 when none). */
  head: number;
  /** Oldest retained seq (0 when nothing is retained). */
  first: number;
  count: number;
}

/** Read-only access to the log of an embedded store file, e.g. for `contracts can-deploy --data`. */
export interface StoreFileReader {
  /** Every channel with a retained message, dead-letter logs included, sorted. */
  channels(): StoredChannel[];
  /** Up to `limit` messages of `ch` with `seq > afterSeq`, oldest first. */
  read(ch: string, afterSeq: number, limit: number): StoredMessage[];
  /** The consumer groups recorded in the file, by channel. */
  groups(): Array<{ ch: string; group: string }>;
  close(): void;
}

/**
 * Opens an embedded store file (`switchboard.db`) read-only. Safe while a hub writes to it: SQLite's WAL mode
 * lets a reader see the last committed state without blocking the writer. Throws `UNAVAILABLE` when the file
 * cannot be opened as a Switchboard store.
 */
export function openStoreFileReader(path: string): StoreFileReader {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare('SELECT 1 FROM messages LIMIT 1').get();
  } catch (err) {
    throw new SwitchboardError(
      'UNAVAILABLE',
      `cannot read the store file ${path} (${(err as Error).message}); point at the data directory of a hub (the one given to switchboard start --data)`,
      undefined,
      { cause: err },
    );
  }
  const channels = db.prepare<[], { ch: string; head: number; first: number | null; count: number }>(
    'SELECT c.ch AS ch, MAX(c.last_seq, IFNULL(MAX(m.seq), 0)) AS head, MIN(m.seq) AS first, COUNT(m.seq) AS count ' +
      'FROM channels c LEFT JOIN messages m ON m.ch = c.ch GROUP BY c.ch ORDER BY c.ch',
  );
  const read = db.prepare<[string, number, number], { seq: number; json: string }>(
    'SELECT seq, json FROM messages WHERE ch = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const groups = db.prepare<[], { ch: string; grp: string }>('SELECT ch, grp FROM groups ORDER BY ch, grp');
  return {
    channels: () =>
      channels
        .all()
        .filter((c) => c.count > 0)
        .map((c) => ({ ch: c.ch, head: c.head, first: c.first ?? 0, count: c.count })),
    read: (ch, afterSeq, limit) => read.all(ch, afterSeq, limit).map((r) => ({ ch, seq: r.seq, json: r.json })),
    groups: () => groups.all().map((g) => ({ ch: g.ch, group: g.grp })),
    close: () => db.close(),
  };
}
