import jsonpatch from 'fast-json-patch';
import { pointerSegments, RESERVED_KEYS, SwitchboardError, type DocOp, type DocPatch } from '@switchboard/protocol';
import type { ValueChange } from '@switchboard/contracts';
import type { StoredMessage, Store } from '../store/store.js';
import type { LimitName } from '../metrics/limit-names.js';

const { applyOperation, JsonPatchError } = jsonpatch;

export type { DocOp, DocPatch };

/** KV bucket that holds every shared state document. */
export const DOC_BUCKET = 'docs';
/** Channel name prefix of the document-change announcements carried by the cluster bus. */
export const DOC_ANNOUNCE_PREFIX = '$doc:';
/** How many recent patches a document record keeps, so that any node can fill a gap in what it forwarded. */
const RECENT_PATCHES = 64;
const MAX_CAS_ATTEMPTS = 200;
/** Document names: segments of A-Z a-z 0-9 _ - separated by `/` or `.`, at most 200 characters. */
const DOC_NAME = /^[A-Za-z0-9_-]+(?:[./][A-Za-z0-9_-]+)*$/;
/** Documents {@link Documents.known} remembers at most (the most recently used). */
const MAX_KNOWN = 1000;
const PATCH_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test', 'inc']);

/** A document as stored: its version, its value and its most recent patches. */
interface DocRecord {
  version: number;
  value: unknown;
  recent: DocPatch[];
}

/** An update waiting for its turn, with the callbacks of its promise. */
interface QueuedUpdate {
  ops: DocOp[];
  u: DocUpdate;
  resolve(result: { version: number }): void;
  reject(err: unknown): void;
}

/**
 * Receives the patches of the documents it subscribed to, in version order, each once: a run of consecutive
 * versions at a time (the patches of one write come together), the same array for every listener.
 */
export type DocListener = (patches: readonly DocPatch[]) => void;

/** Checks a whole document value against its contract; returns the violation details, or undefined when valid. */
/**
 * Checks a document's next value. `changes`, when given, says the value differs from the previous one (which passed)
 * only by these in-place `inc`s, so a check may look at those places alone.
 */
export type DocValidator = (doc: string, value: unknown, changes?: readonly ValueChange[]) => { message: string; details: unknown } | undefined;

export interface DocumentsDeps {
  store: Store;
  limits: { maxDocBytes: number; maxDocOps: number };
  /** Counts a refusal by one of `limits` (`switchboard_limit_refusals_total`). */
  onLimit?: (limit: Extract<LimitName, 'doc_bytes' | 'doc_ops'>) => void;
  /** Tells the other hub nodes about a change (the cluster bus); their `onAnnounce` forwards it. */
  announce: (message: StoredMessage) => void;
  validate?: DocValidator;
  /** Told of each change: made on this node, or announced by another (the bus may lose an announcement). */
  changed?: (doc: string, version: number, local?: DocPatch[]) => void;
  /** Told when this node wrote a value of `doc` that passed `validate` (the store holds it now). */
  stored?: (doc: string) => void;
}

/** What `update` is asked to do. */
export interface DocUpdate {
  ops: unknown;
  by: string;
  ifVersion?: number;
  ref?: string;
}

/** Throws BAD_FRAME unless `doc` is a valid document name. */
export function checkDocName(doc: unknown): string {
  if (typeof doc !== 'string' || doc.length > 200 || !DOC_NAME.test(doc)) {
    throw new SwitchboardError(
      'BAD_FRAME',
      '"doc" must name a document: segments of A-Z a-z 0-9 _ - separated by "/" or ".", at most 200 characters, e.g. "session/42"',
    );
  }
  return doc;
}

/**
 * Shared state documents: versioned JSON values kept in the store's KV (`docs` bucket), changed by JSON Patch
 * (plus `inc`) with compare-and-set, and the live forwarding of each change to this node's subscribers.
 * Every node forwards the changes it makes and the ones other nodes announce; a gap (an announcement lost) is
 * filled from the patches the record keeps, read from the store.
 */
export class Documents {
  /** Per subscribed document: the last version sent, patches held until the gap before them is filled, the listeners, and a fill from the store in flight up to `wanted`. */
  private readonly listeners = new Map<string, { sent: number; pending: Map<number, DocPatch>; set: Set<DocListener>; filling: boolean; wanted: number }>();

  /** The updates of each document waiting on this node; present while that document's updates are being applied. */
  private readonly queues = new Map<string, QueuedUpdate[]>();

  /** Patches other nodes announced in this turn of the event loop, per document: forwarded together at its end. */
  private readonly announced = new Map<string, DocPatch[]>();

  /** Documents subscribed to or updated on this node since it started, least recently used first (at most {@link MAX_KNOWN}). */
  private readonly seen = new Set<string>();

  constructor(private readonly deps: DocumentsDeps) {}

  private touch(doc: string): void {
    this.seen.delete(doc);
    this.seen.add(doc);
    if (this.seen.size > MAX_KNOWN) this.seen.delete(this.seen.values().next().value!);
  }

  /**
   * The documents this node knows of: subscribed to or updated here since it started (the store's KV cannot be
   * listed), the most recently used first, each with the subscribers it has on this node.
   */
  known(): { doc: string; subscribers: number }[] {
    return [...this.seen].reverse().map((doc) => ({ doc, subscribers: this.listeners.get(doc)?.set.size ?? 0 }));
  }

  /** Names of the documents in the store (ever written), in order, at most `limit`. */
  stored(limit: number): Promise<string[]> {
    return this.deps.store.kvKeys(DOC_BUCKET, { limit });
  }

  /** The current version and value; a document never written is version 0 with value null. */
  async snapshot(doc: string): Promise<{ version: number; value: unknown }> {
    const rec = await this.read(doc);
    return { version: rec.record.version, value: rec.record.value };
  }

  /**
   * Subscribes `listener` to the patches of `doc` and resolves with the snapshot they follow: the first patch
   * given to the listener is the one of version `snapshot.version + 1`. `recent` are the latest patches up to the
   * snapshot that the record keeps (at most 64, oldest first), for a subscriber that continues from an older version.
   */
  async subscribe(doc: string, listener: DocListener): Promise<{ version: number; value: unknown; recent: DocPatch[]; unsubscribe: () => void }> {
    this.touch(doc);
    // Forwarding follows the store (a patch is forwarded after its write), so a read that is not behind what
    // this node forwarded, followed in the same tick by adding the listener, misses nothing.
    let start = (await this.read(doc)).record;
    for (let i = 0; (this.listeners.get(doc)?.sent ?? 0) > start.version; i++) {
      if (i >= 20) throw new SwitchboardError('UNAVAILABLE', `document "${doc}" changes too fast to take a snapshot; retry`);
      start = (await this.read(doc)).record;
    }
    let entry = this.listeners.get(doc);
    if (!entry) {
      entry = { sent: start.version, pending: new Map(), set: new Set(), filling: false, wanted: 0 };
      this.listeners.set(doc, entry);
    }
    const threshold = start.version;
    const e = entry;
    const wrapped: DocListener = (ps) => {
      if (ps[0]!.version > threshold) listener(ps);
      else if (ps[ps.length - 1]!.version > threshold) listener(ps.filter((p) => p.version > threshold));
    };
    e.set.add(wrapped);
    if (start.version > e.sent) this.fill(doc, start.version);
    return {
      version: start.version,
      value: start.value,
      recent: start.recent ?? [],
      unsubscribe: () => {
        e.set.delete(wrapped);
        if (e.set.size === 0 && this.listeners.get(doc) === e) this.listeners.delete(doc);
      },
    };
  }

  /**
   * Applies `ops` atomically; resolves with the new version. Updates of one document run in arrival order on a
   * node; those that arrive in the same turn of the event loop, or queue up while the document is being written,
   * are applied together, each with its own version and patch, in one write, so their patches leave together (one
   * `doc.patches` frame to a subscriber that asked for them). Between nodes the store's compare-and-set
   * decides, and a lost race is retried on the new value.
   */
  update(doc: string, u: DocUpdate): Promise<{ version: number }> {
    const ops = this.checkOps(u.ops);
    this.touch(doc);
    return new Promise((resolve, reject) => {
      const running = this.queues.get(doc);
      const queue = running ?? [];
      queue.push({ ops, u, resolve, reject });
      if (running) return;
      this.queues.set(doc, queue);
      // The first update waits for the end of this turn of the event loop, so that the updates of every socket read
      // in the same turn (a room voting at once) are applied in one write and leave as one run of patches.
      setImmediate(() => void this.run(doc, queue));
    });
  }

  /** Applies the queued updates of `doc`, as many as are waiting at a time, until none is left. */
  private async run(doc: string, queue: QueuedUpdate[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0);
      try {
        await this.applyBatch(doc, batch);
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    }
    this.queues.delete(doc);
  }

  private async applyBatch(doc: string, batch: QueuedUpdate[]): Promise<void> {
    const limit = this.deps.limits.maxDocBytes;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { record, revision } = await this.read(doc);
      let value = record.value;
      let version = record.version;
      // `value` is this batch's own copy once `owned`: updates made only of `inc` then change it in place (undone
      // when refused) instead of copying the whole document for each vote. `bytes` bounds its JSON size from above.
      let owned = false;
      let bytes: number | undefined;
      const patches: DocPatch[] = [];
      const outcomes: Array<{ q: QueuedUpdate; version?: number; error?: unknown }> = [];
      for (const q of batch) {
        const undo: IncUndo[] = [];
        try {
          const onlyInc = q.ops.every((o) => o.op === 'inc');
          if (q.u.ifVersion !== undefined && q.u.ifVersion !== version && !onlyInc) {
            throw new SwitchboardError(
              'CONFLICT',
              `document "${doc}" is at version ${version}, not ${q.u.ifVersion}; apply your change to version ${version} (doc.sub or GET /v1/docs) and send it again`,
              { version },
            );
          }
          const inPlace = onlyInc && q.ops.every((o) => o.path !== '');
          let next: unknown;
          let nextBytes: number | undefined;
          if (inPlace) {
            if (!owned) value = structuredClone(value);
            owned = true;
            q.ops.forEach((op, index) => applyInc(value, op, index, undo));
            next = value;
            nextBytes = bytes === undefined ? undefined : bytes + undo.reduce((n, u) => n + incGrowthBound(u.key), 0);
          } else next = applyOps(value, q.ops, version);
          const changes = inPlace ? q.ops.map((op, i) => ({ path: pointerSegments(op.path), created: !undo[i]!.had })) : undefined;
          const violation = this.deps.validate?.(doc, next, changes);
          if (violation)
            throw new SwitchboardError(
              'CONTRACT_VIOLATION',
              `the update would break the contract of document "${doc}": ${violation.message}; nothing was changed`,
              violation.details,
            );
          if (nextBytes === undefined || nextBytes > limit) nextBytes = Buffer.byteLength(JSON.stringify(next ?? null));
          if (nextBytes > limit) {
            this.deps.onLimit?.('doc_bytes');
            throw new SwitchboardError(
              'TOO_LARGE',
              `document "${doc}" would be ${nextBytes} bytes, over the limit of ${limit}; keep it smaller or raise limits.max_doc_bytes`,
              { bytes: nextBytes, limit },
            );
          }
          if (!inPlace) owned = true;
          value = next;
          bytes = nextBytes;
          version += 1;
          const patch: DocPatch = { doc, version, ops: q.ops, by: q.u.by };
          if (q.u.ref !== undefined) patch.ref = q.u.ref;
          patches.push(patch);
          outcomes.push({ q, version });
        } catch (error) {
          undoIncs(undo);
          outcomes.push({ q, error });
        }
      }
      if (patches.length > 0) {
        try {
          await this.deps.store.kvPut(DOC_BUCKET, doc, { version, value, recent: keepRecent(record.recent, patches, limit) } satisfies DocRecord, revision);
        } catch (err) {
          if (err instanceof SwitchboardError && err.code === 'CONFLICT') continue;
          throw err;
        }
        for (const patch of patches) this.deps.announce({ ch: DOC_ANNOUNCE_PREFIX + doc, seq: patch.version, json: JSON.stringify(patch) });
        this.forward(doc, patches);
        this.deps.stored?.(doc);
        this.deps.changed?.(doc, version, patches);
      }
      for (const o of outcomes) {
        if (o.version !== undefined) o.q.resolve({ version: o.version });
        else o.q.reject(o.error);
      }
      return;
    }
    throw new SwitchboardError('UNAVAILABLE', `document "${doc}" is being changed too often to apply this update (${MAX_CAS_ATTEMPTS} attempts); retry later`);
  }

  /** Compares every subscribed document with the store and forwards what this node missed (announcements lost). */
  resync(): void {
    for (const doc of this.listeners.keys()) this.fill(doc, 0);
  }

  /** A change announced by another node. */
  onAnnounce(message: StoredMessage): void {
    this.deps.changed?.(message.ch.slice(DOC_ANNOUNCE_PREFIX.length), message.seq);
    if (!this.listeners.has(message.ch.slice(DOC_ANNOUNCE_PREFIX.length))) return;
    let patch: DocPatch;
    try {
      patch = JSON.parse(message.json) as DocPatch;
    } catch {
      return; // a malformed announcement is ignored; the gap is filled from the store
    }
    const doc = message.ch.slice(DOC_ANNOUNCE_PREFIX.length);
    if (patch.doc !== doc || typeof patch.version !== 'number') return;
    // The announcements of one write of another node arrive together: their subscribers get them as one run.
    const waiting = this.announced.get(doc);
    if (waiting) {
      waiting.push(patch);
      return;
    }
    this.announced.set(doc, [patch]);
    setImmediate(() => {
      const patches = this.announced.get(doc) ?? [];
      this.announced.delete(doc);
      this.forward(doc, patches);
    });
  }

  /** Forwards `patches` (of `doc`, in version order) to this node's subscribers, after any they still miss. */
  private forward(doc: string, patches: DocPatch[]): void {
    const entry = this.listeners.get(doc);
    if (!entry) return;
    let upTo = 0;
    for (const p of patches) {
      if (p.version > entry.sent) entry.pending.set(p.version, p);
      upTo = Math.max(upTo, p.version);
    }
    this.drain(entry);
    if (entry.pending.size > 0) this.fill(doc, upTo);
  }

  /** Hands the run of pending patches that follows the last one sent to every listener, as one array. */
  private drain(entry: { sent: number; pending: Map<number, DocPatch>; set: Set<DocListener> }): void {
    const run: DocPatch[] = [];
    for (let p = entry.pending.get(entry.sent + 1); p; p = entry.pending.get(entry.sent + 1)) {
      entry.pending.delete(p.version);
      entry.sent = p.version;
      run.push(p);
    }
    if (run.length > 0) for (const l of entry.set) l(run);
  }

  /**
   * Reads the record to forward the patches this node missed, up to `upTo`, and again until they are all sent. A fill
   * asked for while one is in flight raises its target (the read in flight may predate the version now wanted).
   */
  private fill(doc: string, upTo: number): void {
    const entry = this.listeners.get(doc);
    if (!entry) return;
    entry.wanted = Math.max(entry.wanted, upTo);
    if (entry.filling) return;
    entry.filling = true;
    void this.read(doc).then(
      ({ record }) => {
        entry.filling = false;
        for (const p of record.recent) if (p.version > entry.sent) entry.pending.set(p.version, p);
        if (record.version > entry.sent && !entry.pending.has(entry.sent + 1)) {
          // The missing patches are older than the record keeps: one patch replaces the whole value instead.
          for (const v of entry.pending.keys()) if (v <= record.version) entry.pending.delete(v);
          entry.pending.set(record.version, { doc, version: record.version, ops: [{ op: 'replace', path: '', value: record.value }], by: '$hub' });
          entry.sent = record.version - 1;
        }
        this.drain(entry);
        if (entry.sent < entry.wanted) setTimeout(() => this.fill(doc, entry.wanted), 20).unref();
      },
      () => {
        entry.filling = false;
      },
    );
  }

  private async read(doc: string): Promise<{ record: DocRecord; revision: number }> {
    const got = await this.deps.store.kvGet(DOC_BUCKET, doc);
    if (!got) return { record: { version: 0, value: null, recent: [] }, revision: 0 };
    return { record: got.value as DocRecord, revision: got.revision };
  }

  private checkOps(ops: unknown): DocOp[] {
    if (!Array.isArray(ops) || ops.length === 0)
      throw new SwitchboardError(
        'BAD_FRAME',
        '"ops" must be a non-empty array of JSON Patch operations, e.g. [{"op":"replace","path":"/title","value":"Q&A"}]',
      );
    if (ops.length > this.deps.limits.maxDocOps) {
      this.deps.onLimit?.('doc_ops');
      throw new SwitchboardError(
        'TOO_LARGE',
        `${ops.length} operations in one update, over the limit of ${this.deps.limits.maxDocOps}; split the update or raise limits.max_doc_ops`,
      );
    }
    ops.forEach((o, i) => {
      const where = `ops[${i}]`;
      if (typeof o !== 'object' || o === null || Array.isArray(o))
        throw new SwitchboardError('BAD_FRAME', `${where} must be an object such as {"op":"add","path":"/a","value":1}`, { index: i });
      const op = o as Record<string, unknown>;
      if (typeof op.op !== 'string' || !PATCH_OPS.has(op.op))
        throw new SwitchboardError('BAD_FRAME', `${where}.op must be one of ${[...PATCH_OPS].join(', ')}`, { index: i });
      for (const key of ['path', 'from'] as const) {
        const p = op[key];
        if (key === 'from' && p === undefined) continue;
        if (typeof p !== 'string' || (p !== '' && !p.startsWith('/')))
          throw new SwitchboardError('BAD_FRAME', `${where}.${key} must be a JSON Pointer such as "/questions/q1" ("" for the whole document)`, {
            index: i,
            path: p,
          });
        for (const seg of pointerSegments(p)) {
          if (RESERVED_KEYS.has(seg)) {
            throw new SwitchboardError('BAD_FRAME', `${where}.${key} "${p}" uses the reserved segment "${seg}"; rename that key`, { index: i, path: p });
          }
        }
      }
      if (op.op === 'inc' && (typeof op.value !== 'number' || !Number.isFinite(op.value))) {
        throw new SwitchboardError('BAD_FRAME', `${where}: "inc" needs a finite number "value" to add, e.g. {"op":"inc","path":"/votes","value":1}`, {
          index: i,
        });
      }
    });
    return ops as DocOp[];
  }
}

/**
 * The recent patches a record keeps after `added`: at most {@link RECENT_PATCHES}, and within `limit` bytes of JSON
 * (the newest first; the newest one is always kept).
 */
function keepRecent(before: DocPatch[], added: DocPatch[], limit: number): DocPatch[] {
  const all = before.concat(added);
  const recent: DocPatch[] = [];
  let kept = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const p = all[i]!;
    kept += Buffer.byteLength(JSON.stringify(p));
    if (recent.length >= RECENT_PATCHES || (kept > limit && recent.length > 0)) break;
    recent.push(p);
  }
  return recent.reverse();
}

/** Applies the operations to a copy of `value`; throws (changing nothing) when one of them fails. */
function applyOps(value: unknown, ops: DocOp[], version: number): unknown {
  let doc = structuredClone(value);
  ops.forEach((op, index) => {
    if (op.op === 'inc') {
      doc = applyInc(doc, op, index);
      return;
    }
    try {
      doc = applyOperation(doc, op as never, true, true, true, index).newDocument;
    } catch (err) {
      if (err instanceof JsonPatchError) {
        if (err.name === 'TEST_OPERATION_FAILED') {
          throw new SwitchboardError(
            'CONFLICT',
            `ops[${index}]: the "test" at "${op.path}" failed; the document (version ${version}) holds another value there; nothing was changed`,
            { version, index, path: op.path },
          );
        }
        throw new SwitchboardError(
          'BAD_FRAME',
          `ops[${index}] (${op.op} at "${op.path}") cannot be applied: ${err.name} (${err.message.split('\n')[0]}); nothing was changed`,
          { index, path: op.path, rule: err.name },
        );
      }
      // fast-json-patch walks into a primitive (a path below null, a number, a string) with a TypeError
      if (err instanceof TypeError)
        throw new SwitchboardError(
          'BAD_FRAME',
          `ops[${index}] (${op.op} at "${op.path}") cannot be applied: the path goes through a value that is not an object or an array; nothing was changed`,
          { index, path: op.path, rule: 'OPERATION_PATH_UNRESOLVABLE' },
        );
      throw err;
    }
  });
  return doc;
}

/** What an in-place `inc` changed: the key of a container, and its value before (absent: the key was created). */
interface IncUndo {
  container: Record<string, unknown>;
  key: string;
  had: boolean;
  before: unknown;
}

/** Puts back what in-place `inc`s changed, the last first. */
function undoIncs(undo: IncUndo[]): void {
  for (let i = undo.length - 1; i >= 0; i--) {
    const u = undo[i]!;
    if (u.had) u.container[u.key] = u.before;
    else delete u.container[u.key];
  }
  undo.length = 0;
}

/** At most how many bytes of JSON an `inc` of `key` adds: the key quoted with `,` and `:`, plus a number's digits. */
function incGrowthBound(key: string): number {
  return JSON.stringify(key).length + 2 + 24;
}

/**
 * `inc`: adds `value` to the number at `path`, creating it (from 0) when the key is absent. Changes `doc` in place
 * (and records the change in `undo`, when given) unless the path is the whole document.
 */
function applyInc(doc: unknown, op: DocOp, index: number, undo?: IncUndo[]): unknown {
  const fail = (why: string): never => {
    throw new SwitchboardError('BAD_FRAME', `ops[${index}] (inc at "${op.path}") cannot be applied: ${why}; nothing was changed`, { index, path: op.path });
  };
  const by = op.value as number;
  if (op.path === '') {
    if (typeof doc !== 'number') fail('the document is not a number');
    return (doc as number) + by;
  }
  const segs = pointerSegments(op.path);
  let parent: unknown = doc;
  for (const s of segs.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null || !Object.hasOwn(parent, s)) fail(`"${s}" does not exist; add the parent first`);
    parent = (parent as Record<string, unknown>)[s];
  }
  const last = segs[segs.length - 1]!;
  if (typeof parent !== 'object' || parent === null) return fail('its parent is not an object or an array');
  const container = parent as Record<string, unknown>;
  if (Array.isArray(container) && !/^(0|[1-9]\d*)$/.test(last)) fail(`"${last}" is not an array index`);
  const current = Object.hasOwn(container, last) ? container[last] : 0;
  if (typeof current !== 'number') fail('the value there is not a number');
  if (Array.isArray(container) && Number(last) >= container.length) fail(`index ${last} is past the end of the array`);
  undo?.push({ container, key: last, had: Object.hasOwn(container, last), before: container[last] });
  container[last] = (current as number) + by;
  return doc;
}
