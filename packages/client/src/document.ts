import { SwitchboardError, type DocOp, type DocPatchFrame, type DocUpdateFrame, type FrameId } from '@switchboard/protocol';
import { Emitter } from './emitter.js';
import { DocumentError } from './errors.js';
import { applyPatch } from './json-patch.js';
import type { Link } from './link.js';
import type { DocumentChange, DocumentChangeKind, DocumentUpdateOptions, SharedDocument } from './types.js';

/** Changes kept for an iterator that does not keep up; past it they are folded into one `snapshot`. */
const ITERATOR_BUFFER = 1000;

/** What a document handle needs from its client. */
export interface DocumentHost {
  readonly link: Link;
  /** This client's component id (the `by` of its own changes). */
  readonly component: string;
  /** Time an update may wait for its answer, queue time included. */
  readonly updateTimeoutMs: number;
  /** Time the hub has to answer `doc.sub`. */
  readonly requestTimeoutMs: number;
  /** A fresh `ref` for a `doc.update`. */
  newRef(): string;
  emitError(err: Error): void;
  /** The handle closed: forget it. */
  forget(doc: DocumentImpl<unknown>): void;
}

/** An update of this handle, from the call to the hub's patch. */
interface Update {
  readonly ops: DocOp[];
  readonly ifVersion: number | undefined;
  readonly ref: string;
  resolve(version: number): void;
  reject(err: DocumentError): void;
  timer: ReturnType<typeof setTimeout>;
  /** `queued`: not sent; `sent`: awaiting the answer; `acked`: answered, its patch not received yet. */
  state: 'queued' | 'sent' | 'acked';
  callId?: FrameId;
  /** The version it produced, once known (from its patch or its `ok`). */
  version?: number;
  /** Its patch arrived: the confirmed value holds it, so the local value must not apply it again. */
  seen: boolean;
  /** Its promise settled. */
  done: boolean;
}

interface Waiter<T> {
  resolve(r: IteratorResult<DocumentChange<T>>): void;
  reject(err: unknown): void;
}

function isWholeReplace(ops: DocOp[]): boolean {
  return ops.length === 1 && ops[0]!.op === 'replace' && ops[0]!.path === '';
}

/**
 * A document handle. The confirmed state (`version`, and the value the hub's snapshot and patches give) is kept
 * apart from this handle's updates not yet in it; `value` is the one with the others on top, recomputed whenever
 * either side changes, so that a refused update disappears and a remote change lands under the pending ones.
 */
export class DocumentImpl<T> implements SharedDocument<T> {
  private confirmedValue: unknown = null;
  private confirmedVersion = 0;
  private view: unknown = null;
  private readonly updates: Update[] = [];
  /** `subscribing`: a `doc.sub` is on the way (patches are stashed); `live`; `detached`: no socket; `closed`. */
  private state: 'subscribing' | 'live' | 'detached' | 'closed' = 'detached';
  private stash: DocPatchFrame[] = [];
  /** The socket dropped while a `doc.sub` was on the way: the value must be taken anew. */
  private stale = false;
  private readonly emitter = new Emitter<{ change: DocumentChange<T> }>();
  private first: { resolve(): void; reject(err: Error): void; timer: ReturnType<typeof setTimeout> } | undefined;
  readonly ready: Promise<void>;
  private iterating = false;
  private readonly buffer: DocumentChange<T>[] = [];
  private waiter: Waiter<T> | undefined;
  private endError: Error | undefined;

  constructor(
    readonly name: string,
    private readonly host: DocumentHost,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new SwitchboardError('TIMEOUT', `the hub did not send the snapshot of document "${name}" within ${host.requestTimeoutMs} ms`);
        this.first = undefined;
        this.end(err);
        reject(err);
      }, host.requestTimeoutMs);
      this.first = { resolve, reject, timer };
    });
    this.ready.catch(() => {
      /* the caller of doc() gets the error */
    });
  }

  get value(): T {
    return this.view as T;
  }
  get version(): number {
    return this.confirmedVersion;
  }
  get pending(): number {
    return this.updates.filter((u) => !u.seen).length;
  }
  get isClosed(): boolean {
    return this.state === 'closed';
  }
  /** True when the hub holds a subscription of this handle on the current socket and its value is known. */
  get isLive(): boolean {
    return this.state === 'live';
  }

  on(event: 'change', fn: (change: DocumentChange<T>) => void): () => void {
    return this.emitter.on(event, fn);
  }

  // ---- subscription ----

  /** Sends `doc.sub` (after `doc.unsub` when `again`): the snapshot that follows replaces the value. */
  subscribe(again = false): void {
    if (this.state === 'closed' || !this.host.link.up) return;
    this.state = 'subscribing';
    this.stale = false;
    this.stash = [];
    if (again) this.host.link.send({ op: 'doc.unsub', doc: this.name });
    this.host.link.call(
      { op: 'doc.sub', doc: this.name, batch: true },
      {
        ok: (f) => this.snapshot(typeof f.version === 'number' ? f.version : 0, f.value ?? null),
        err: (f) => {
          const err = new DocumentError(
            this.name,
            [],
            f.code,
            this.first ? f.message : `subscribing again to document "${this.name}" after a reconnect failed: ${f.message}`,
            f.details,
          );
          if (!this.first) this.host.emitError(err);
          this.end(err);
        },
        drop: () => {
          /* subscribed again on the next welcome */
        },
      },
    );
  }

  /** The hub restored this handle's subscription on a resumed session, continuing after `version`. */
  resumed(version: number): void {
    if (this.state === 'closed') return;
    if (version !== this.confirmedVersion || this.stale || this.first) {
      this.subscribe(true);
      return;
    }
    this.state = 'live';
    this.flush();
  }

  /** The socket dropped: updates awaiting an answer are lost with it (see `update`). */
  detach(): void {
    if (this.state === 'closed') return;
    this.stale = this.state === 'subscribing';
    this.state = 'detached';
    this.stash = [];
  }

  private snapshot(version: number, value: unknown): void {
    if (this.state === 'closed') return;
    const initial = this.first !== undefined;
    const before = this.view;
    this.confirmedVersion = version;
    this.confirmedValue = value;
    this.state = 'live';
    this.settleConfirmed();
    this.recompute();
    if (this.first) {
      clearTimeout(this.first.timer);
      this.first.resolve();
      this.first = undefined;
    }
    if (!initial && JSON.stringify(before) !== JSON.stringify(this.view)) this.emit('snapshot', [{ op: 'replace', path: '', value }], '$hub');
    const stash = this.stash;
    this.stash = [];
    for (const p of stash) this.patch(p);
    this.flush();
  }

  /** A `doc.patch` for this document. */
  patch(p: DocPatchFrame): void {
    if (this.state === 'subscribing') {
      this.stash.push(p);
      return;
    }
    if (this.state !== 'live' || p.version <= this.confirmedVersion) return;
    const whole = isWholeReplace(p.ops);
    if (p.version !== this.confirmedVersion + 1 && !whole) {
      this.subscribe(true);
      return;
    }
    let next: unknown;
    try {
      next = applyPatch(this.confirmedValue, p.ops);
    } catch {
      this.subscribe(true); // the local copy is not what the hub patched: take a fresh one
      return;
    }
    this.confirmedValue = next;
    this.confirmedVersion = p.version;
    const own = p.ref === undefined ? undefined : this.updates.find((u) => u.ref === p.ref);
    if (own) {
      own.seen = true;
      own.version = p.version;
    }
    this.settleConfirmed();
    const before = this.view;
    this.recompute();
    if (!own) this.emit(whole ? 'snapshot' : 'remote', p.ops, p.by);
    else if (JSON.stringify(before) !== JSON.stringify(this.view)) this.emit('rebase', [{ op: 'replace', path: '', value: this.view }], '$hub');
  }

  /** Drops the updates the confirmed value now holds and whose answer came. */
  private settleConfirmed(): void {
    for (let i = this.updates.length - 1; i >= 0; i--) {
      const u = this.updates[i]!;
      if (u.state === 'acked' && (u.seen || (u.version !== undefined && u.version <= this.confirmedVersion))) this.updates.splice(i, 1);
    }
  }

  private recompute(): void {
    let v = this.confirmedValue;
    for (const u of this.updates) {
      if (u.seen) continue;
      try {
        v = applyPatch(v, u.ops);
      } catch {
        /* the hub decides; it will most likely refuse it */
      }
    }
    this.view = v;
  }

  // ---- updates ----

  update(ops: DocOp[], options: DocumentUpdateOptions = {}): Promise<number> {
    if (this.state === 'closed')
      return Promise.reject(new DocumentError(this.name, ops, 'UNAVAILABLE', `document "${this.name}" is closed; open it again with client.doc()`));
    if (!Array.isArray(ops) || ops.length === 0) {
      return Promise.reject(
        new DocumentError(
          this.name,
          ops,
          'BAD_FRAME',
          '"ops" must be a non-empty array of JSON Patch operations, e.g. [{"op":"replace","path":"/title","value":"Q&A"}]',
        ),
      );
    }
    return new Promise<number>((resolve, reject) => {
      const u: Update = {
        ops,
        ifVersion: options.ifVersion,
        ref: this.host.newRef(),
        resolve,
        reject,
        state: 'queued',
        seen: false,
        done: false,
        timer: setTimeout(
          () =>
            this.fail(
              u,
              'TIMEOUT',
              `the hub did not answer the update of document "${this.name}" within ${this.host.updateTimeoutMs} ms (queue time included); it may or may not have been applied`,
            ),
          this.host.updateTimeoutMs,
        ),
      };
      this.updates.push(u);
      const before = this.view;
      this.recompute();
      if (JSON.stringify(before) !== JSON.stringify(this.view)) this.emit('local', ops, this.host.component);
      if (this.state === 'live') this.send(u);
    });
  }

  inc(path: string, n = 1): Promise<number> {
    return this.update([{ op: 'inc', path, value: n }]);
  }

  /** Sends the queued updates, in order. */
  private flush(): void {
    for (const u of this.updates) if (u.state === 'queued' && this.state === 'live') this.send(u);
  }

  private send(u: Update): void {
    if (!this.host.link.up) return;
    const frame: DocUpdateFrame = { op: 'doc.update', doc: this.name, ops: u.ops, ref: u.ref };
    if (u.ifVersion !== undefined) frame.if_version = u.ifVersion;
    u.state = 'sent';
    u.callId = this.host.link.call(frame, {
      ok: (f) => {
        if (u.done) return;
        u.done = true;
        clearTimeout(u.timer);
        const version = typeof f.version === 'number' ? f.version : (u.version ?? this.confirmedVersion);
        u.state = 'acked';
        u.version ??= version;
        this.settleConfirmed();
        const before = this.view;
        this.recompute();
        if (JSON.stringify(before) !== JSON.stringify(this.view)) this.emit('rebase', [{ op: 'replace', path: '', value: this.view }], '$hub');
        u.resolve(version);
      },
      err: (f) => this.fail(u, f.code, f.message, f.details),
      drop: () => {
        if (u.seen && !u.done) {
          // Its patch came before the socket dropped: it was applied.
          u.done = true;
          clearTimeout(u.timer);
          u.state = 'acked';
          this.settleConfirmed();
          u.resolve(u.version!);
          return;
        }
        this.fail(
          u,
          'UNAVAILABLE',
          `the connection to the hub dropped before it answered the update of document "${this.name}"; it may or may not have been applied (the value after the reconnect tells)`,
        );
      },
    });
  }

  /** The update did not apply (or its fate is unknown): out of the local value, and its promise rejects. */
  private fail(u: Update, code: DocumentError['code'], message: string, details?: unknown): void {
    if (u.done) return;
    u.done = true;
    clearTimeout(u.timer);
    const i = this.updates.indexOf(u);
    if (i >= 0) this.updates.splice(i, 1);
    if (u.state === 'sent' && u.callId !== undefined) this.host.link.cancel(u.callId);
    const err = new DocumentError(this.name, u.ops, code, message, details);
    const before = this.view;
    this.recompute();
    if (JSON.stringify(before) !== JSON.stringify(this.view)) this.emit('rollback', u.ops, this.host.component, err);
    u.reject(err);
  }

  // ---- changes ----

  private emit(kind: DocumentChangeKind, ops: DocOp[], by: string, error?: DocumentError): void {
    const change: DocumentChange<T> = { kind, value: this.view as T, version: this.confirmedVersion, ops, by };
    if (error) change.error = error;
    this.emitter.emit('change', change);
    if (!this.iterating) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: change, done: false });
      return;
    }
    this.buffer.push(change);
    if (this.buffer.length > ITERATOR_BUFFER) {
      this.buffer.length = 0;
      this.buffer.push({
        kind: 'snapshot',
        value: this.view as T,
        version: this.confirmedVersion,
        ops: [{ op: 'replace', path: '', value: this.view }],
        by: '$hub',
      });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<DocumentChange<T>> {
    if (this.iterating) throw new TypeError(`document "${this.name}" is already being iterated; use on('change') for more listeners`);
    this.iterating = true;
    return {
      next: () => {
        if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift()!, done: false });
        if (this.state === 'closed') return this.endError ? Promise.reject(this.endError) : Promise.resolve({ value: undefined, done: true });
        if (this.waiter) return Promise.reject(new TypeError('next() called again before the previous call resolved'));
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  // ---- end ----

  /**
   * Ends the handle locally: updates not sent reject with `err` (or `UNAVAILABLE`), and with `all` (the client
   * closed) the sent ones too; an iteration ends, throwing `err` unless `quiet`.
   */
  end(err?: Error, { all = false, quiet = false }: { all?: boolean; quiet?: boolean } = {}): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.endError = quiet ? undefined : err;
    this.host.forget(this as DocumentImpl<unknown>);
    if (this.first) {
      clearTimeout(this.first.timer);
      this.first.reject(err ?? new SwitchboardError('UNAVAILABLE', `document "${this.name}" was closed before its snapshot arrived`));
      this.first = undefined;
    }
    // Updates already sent settle with their answer (or their timer); the others are never sent.
    for (const u of this.updates.splice(0)) {
      if ((u.state !== 'queued' && !all) || u.done) continue;
      u.done = true;
      clearTimeout(u.timer);
      u.reject(
        new DocumentError(
          this.name,
          u.ops,
          err instanceof SwitchboardError ? err.code : 'UNAVAILABLE',
          `document "${this.name}" was closed before the hub answered the update${err ? `: ${err.message}` : ''}`,
        ),
      );
    }
    const w = this.waiter;
    this.waiter = undefined;
    if (!w) return;
    if (this.endError) w.reject(this.endError);
    else w.resolve({ value: undefined, done: true });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasSubscribed = this.state === 'live' || this.state === 'subscribing';
    this.end();
    if (!wasSubscribed || !this.host.link.up) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.host.link.cancel(id);
        resolve();
      }, this.host.requestTimeoutMs);
      const id = this.host.link.call(
        { op: 'doc.unsub', doc: this.name },
        {
          ok: () => {
            clearTimeout(timer);
            resolve();
          },
          err: () => {
            clearTimeout(timer);
            resolve();
          },
          drop: () => {
            clearTimeout(timer);
            resolve();
          },
        },
      );
    });
  }
}
