import type { SharedFrame } from '../delivery/frames.js';
import type { FeatureConnection } from '../features/feature.js';
import { channelPatternProblem, isPattern, SwitchboardError } from '@switchboard/protocol';
import { assertMayDoc, assertMaySubscribe } from '../auth/authenticator.js';
import { checkDocName, type DocPatch, type Documents } from './documents.js';
import type { PresenceMember, PresenceTable } from './presence.js';
import { catchUpPatches, ParkedSharedState, type ParkedDoc } from './shared-state-resume.js';
import type { LimitName } from '../metrics/limit-names.js';

/** The ops of shared state documents and presence. */
export const SHARED_STATE_OPS = ['doc.sub', 'doc.unsub', 'doc.update', 'presence'] as const;

/** What the shared state ops need from the hub. */
export interface SharedStateDeps {
  documents: Documents;
  presence: PresenceTable;
  /** Largest `info` object (JSON bytes) of a `hello` or `sub`. */
  maxInfoBytes: number;
  /** Most `doc.update`s one connection may have waiting for their answer. */
  maxPendingUpdates: number;
  /** Counts a refusal by `maxInfoBytes` or `maxPendingUpdates` (`switchboard_limit_refusals_total`). */
  onLimit: (limit: Extract<LimitName, 'presence_info_bytes' | 'pending_doc_updates'>) => void;
  /** How long the presence memberships of a dropped connection are kept for a `resume` (without leave and join). */
  presenceGraceMs: number;
  /** The `doc.patch` frame of each patch, built once for all its subscribers. */
  patchFrames: PatchFrames;
}

/** Most patches in one `doc.patches` frame; a longer run is sent as several. */
export const MAX_PATCHES_PER_FRAME = 500;
/** Most bytes of patches in one `doc.patches` frame (a single larger patch still goes, alone). */
export const MAX_PATCHES_FRAME_BYTES = 1024 * 1024;

/**
 * Encodes each patch's `doc.patch` frame, and each run of patches' `doc.patches` frames, once: every subscriber
 * of the document is sent the same frames.
 */
export class PatchFrames {
  private readonly frames = new WeakMap<DocPatch, SharedFrame>();
  private readonly runs = new WeakMap<readonly DocPatch[], SharedFrame[]>();

  frame(p: DocPatch): SharedFrame {
    let f = this.frames.get(p);
    if (!f) {
      f = { text: patchFrame(p) };
      this.frames.set(p, f);
    }
    return f;
  }

  /**
   * The `doc.patches` frames of a run of patches of one document: at most {@link MAX_PATCHES_PER_FRAME} patches and
   * {@link MAX_PATCHES_FRAME_BYTES} of them in each.
   */
  batch(ps: readonly DocPatch[]): SharedFrame[] {
    let fs = this.runs.get(ps);
    if (!fs) {
      fs = [];
      const head = `{"op":"doc.patches","doc":${JSON.stringify(ps[0]!.doc)},"patches":[`;
      let parts: string[] = [];
      let bytes = 0;
      for (const p of ps) {
        const text = JSON.stringify(
          p.ref !== undefined ? { version: p.version, ops: p.ops, by: p.by, ref: p.ref } : { version: p.version, ops: p.ops, by: p.by },
        );
        const size = Buffer.byteLength(text);
        if (parts.length > 0 && (parts.length >= MAX_PATCHES_PER_FRAME || bytes + size > MAX_PATCHES_FRAME_BYTES)) {
          fs.push({ text: `${head}${parts.join(',')}]}` });
          parts = [];
          bytes = 0;
        }
        parts.push(text);
        bytes += size + 1;
      }
      fs.push({ text: `${head}${parts.join(',')}]}` });
      this.runs.set(ps, fs);
    }
    return fs;
  }
}

/** What the shared state ops need from their connection. */
export type SharedStateConnection = FeatureConnection;

type Frame = Record<string, unknown>;

/** Longest `ref` of a `doc.update`. */
const MAX_REF_LENGTH = 128;

/**
 * The document subscriptions and presence of one connection: the `doc.*` and `presence` ops, plus the presence
 * side of `hello`, `sub`, `unsub` and disconnect.
 */
export class SharedStateOps {
  private readonly docSubs = new Map<string, () => void>();
  /** Documents subscribed with `"batch":true`: a run of patches goes out as `doc.patches` frames. */
  private readonly batched = new Set<string>();
  /** document → the last version sent to this connection (its snapshot's, then each patch's). */
  private readonly docVersions = new Map<string, number>();
  /** sub id → channel it made this connection a member of (exact names only), and the member. */
  private readonly memberships = new Map<string, { ch: string; member: PresenceMember }>();
  /** sub id → what its `"presence":true` watch watches, and its stop function. */
  private readonly watches = new Map<string, { pattern: string; stop: () => void }>();
  private helloInfo: Record<string, unknown> = {};
  private closed = false;
  private pendingUpdates = 0;

  constructor(
    private readonly deps: SharedStateDeps,
    private readonly conn: SharedStateConnection,
  ) {}

  /** Checks an optional `info` object; throws BAD_FRAME or TOO_LARGE. */
  checkInfo(info: unknown): Record<string, unknown> | undefined {
    if (info === undefined) return undefined;
    if (typeof info !== 'object' || info === null || Array.isArray(info))
      throw new SwitchboardError('BAD_FRAME', '"info" must be an object, e.g. {"name":"Ada","role":"speaker"}');
    const bytes = Buffer.byteLength(JSON.stringify(info));
    if (bytes > this.deps.maxInfoBytes) {
      this.deps.onLimit('presence_info_bytes');
      throw new SwitchboardError(
        'TOO_LARGE',
        `"info" is ${bytes} bytes, over the limit of ${this.deps.maxInfoBytes}; send less or raise limits.max_presence_info_bytes`,
      );
    }
    return info as Record<string, unknown>;
  }

  /** Keeps the `hello.info` object (already checked) as the default presence info. */
  hello(info: Record<string, unknown> | undefined): void {
    if (info) this.helloInfo = info;
  }

  /** Runs one of {@link SHARED_STATE_OPS}; resolves with the `ok` body. */
  async handle(op: string, frame: Frame): Promise<Frame> {
    switch (op) {
      case 'doc.sub':
        return this.docSub(frame);
      case 'doc.unsub': {
        const doc = checkDocName(frame.doc);
        const stop = this.docSubs.get(doc);
        if (!stop) throw new SwitchboardError('NOT_FOUND', `this connection is not subscribed to document "${doc}"`);
        stop();
        this.docSubs.delete(doc);
        this.docVersions.delete(doc);
        this.batched.delete(doc);
        return {};
      }
      case 'doc.update': {
        const doc = checkDocName(frame.doc);
        assertMayDoc(this.conn.identity(), doc, 'w');
        const v = frame.if_version;
        if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
          throw new SwitchboardError('BAD_FRAME', '"if_version" must be the whole-number version the update was made against');
        const ref = frame.ref;
        if (ref !== undefined && (typeof ref !== 'string' || ref.length > MAX_REF_LENGTH))
          throw new SwitchboardError('BAD_FRAME', `"ref" must be a string of at most ${MAX_REF_LENGTH} characters, repeated in the doc.patch of the update`);
        if (this.pendingUpdates >= this.deps.maxPendingUpdates) {
          this.deps.onLimit('pending_doc_updates');
          throw new SwitchboardError(
            'RATE_LIMITED',
            `this connection has ${this.pendingUpdates} doc.update waiting, the limit; wait for their answers or raise limits.max_pending_requests`,
          );
        }
        this.pendingUpdates++;
        try {
          const result = await this.deps.documents.update(doc, {
            ops: frame.ops,
            by: this.conn.identity().component,
            ifVersion: v as number | undefined,
            ref: ref as string | undefined,
          });
          return { version: result.version };
        } finally {
          this.pendingUpdates--;
        }
      }
      case 'presence': {
        const ch = frame.ch;
        const problem = channelPatternProblem(ch);
        if (problem || isPattern(ch as string))
          throw new SwitchboardError(
            typeof ch === 'string' ? 'UNKNOWN_CHANNEL' : 'BAD_FRAME',
            `"ch" must be a channel name (no wildcards): ${problem ?? 'patterns have no presence'}`,
          );
        assertMaySubscribe(this.conn.identity(), ch as string);
        return { members: this.deps.presence.list(ch as string) };
      }
    }
    throw new SwitchboardError('UNKNOWN_OP', `unknown op "${op}"`);
  }

  private async docSub(frame: Frame): Promise<Frame> {
    const doc = checkDocName(frame.doc);
    assertMayDoc(this.conn.identity(), doc, 'r');
    if (this.docSubs.has(doc))
      throw new SwitchboardError('BAD_FRAME', `this connection is already subscribed to document "${doc}"; send doc.unsub first to take a new snapshot`);
    if (frame.batch !== undefined && typeof frame.batch !== 'boolean')
      throw new SwitchboardError('BAD_FRAME', '"batch" must be true (take runs of patches as doc.patches frames) or false');
    this.docSubs.set(doc, () => undefined);
    if (frame.batch === true) this.batched.add(doc);
    let sub;
    try {
      sub = await this.deps.documents.subscribe(doc, (ps) => this.sendPatches(doc, ps));
    } catch (err) {
      this.docSubs.delete(doc);
      this.batched.delete(doc);
      throw err;
    }
    if (this.closed || !this.docSubs.has(doc)) {
      sub.unsubscribe();
      return { version: sub.version, value: sub.value };
    }
    this.docSubs.set(doc, sub.unsubscribe);
    this.docVersions.set(doc, Math.max(this.docVersions.get(doc) ?? 0, sub.version));
    return { version: sub.version, value: sub.value };
  }

  /** Sends a run of patches of `doc`: one `doc.patches` frame when the subscriber asked for them, else a `doc.patch` each. */
  private sendPatches(doc: string, ps: readonly DocPatch[]): void {
    if (ps.length === 0) return;
    this.docVersions.set(doc, ps[ps.length - 1]!.version);
    if (ps.length > 1 && this.batched.has(doc)) for (const f of this.deps.patchFrames.batch(ps)) this.conn.send(f);
    else for (const p of ps) this.conn.send(this.deps.patchFrames.frame(p));
  }

  /** A `sub` succeeded: an exact channel name makes this connection a member; `presence: true` watches. */
  subscribed(subId: string, pattern: string, frame: Frame): void {
    if (this.closed) return;
    const info = this.checkInfoQuietly(frame.info) ?? this.helloInfo;
    if (frame.presence === true) this.watch(subId, pattern);
    if (isPattern(pattern) || pattern.startsWith('$')) return;
    const member: PresenceMember = { component: this.conn.identity().component, session: this.conn.session(), since: new Date().toISOString(), info };
    this.memberships.set(subId, { ch: pattern, member });
    this.deps.presence.join(pattern, member);
  }

  private watch(subId: string, pattern: string): void {
    this.watches.set(subId, { pattern, stop: this.deps.presence.watch({ pattern, send: (t) => this.conn.send(t) }) });
  }

  /** A subscription ended (`unsub`). */
  unsubscribed(subId: unknown): void {
    if (typeof subId !== 'string') return;
    this.watches.get(subId)?.stop();
    this.watches.delete(subId);
    const held = this.memberships.get(subId);
    if (held === undefined) return;
    this.memberships.delete(subId);
    this.deps.presence.leave(held.ch, this.conn.session());
  }

  /** The connection ended: its documents are unsubscribed and it leaves every channel. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.docSubs.values()) stop();
    this.docSubs.clear();
    this.batched.clear();
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
    for (const subId of [...this.memberships.keys()]) this.unsubscribed(subId);
  }

  /**
   * The connection ended and its session is parked for `resume`: like {@link close}, but what a resume takes back
   * is returned, and with `keepMembers` (the connection was lost rather than closed by the client) the memberships
   * stay for `presenceGraceMs`. Undefined when there is nothing to keep.
   */
  park(keepMembers: boolean): ParkedSharedState | undefined {
    if (this.closed) return undefined;
    const docs: ParkedDoc[] = [...this.docSubs.keys()].map((doc) => ({ doc, version: this.docVersions.get(doc) ?? 0, batch: this.batched.has(doc) }));
    const watches = [...this.watches].map(([subId, w]) => ({ subId, pattern: w.pattern }));
    const members = [...this.memberships].map(([subId, m]) => ({ subId, ch: m.ch, member: m.member }));
    if (keepMembers) this.memberships.clear(); // else close() makes the member leave now
    this.close();
    if (docs.length === 0 && watches.length === 0 && members.length === 0) return undefined;
    return new ParkedSharedState(docs, members, watches, this.deps.presence, this.conn.session(), this.deps.presenceGraceMs, keepMembers);
  }

  /**
   * A `hello` resumed a parked session whose subscriptions `restoredSubs` (ids) were restored. Memberships and
   * watches of those come back (a membership still held without a new `join`); the documents are subscribed again.
   * Resolves with the restored documents, each with the version its patches continue after, and `activate`, to
   * call after the `welcome`: it sends the patches since that version (or one that replaces the whole value, when
   * the record no longer keeps them), then the live ones, and starts the watches.
   */
  async resume(parked: ParkedSharedState, restoredSubs: ReadonlySet<string>): Promise<{ docs: ParkedDoc[]; activate(): void }> {
    const held = parked.take();
    const session = this.conn.session();
    for (const m of parked.members) {
      if (!restoredSubs.has(m.subId)) {
        if (held) this.deps.presence.leave(m.ch, session);
        continue;
      }
      this.memberships.set(m.subId, { ch: m.ch, member: m.member });
      if (!held) this.deps.presence.join(m.ch, { ...m.member, since: new Date().toISOString() });
    }
    const queues: { doc: string; frames: DocPatch[]; live: boolean }[] = [];
    const docs: ParkedDoc[] = [];
    for (const d of parked.docs) {
      if (this.docSubs.has(d.doc)) continue;
      try {
        assertMayDoc(this.conn.identity(), d.doc, 'r');
      } catch {
        continue; // the new token no longer allows it: not restored
      }
      const q = { doc: d.doc, frames: [] as DocPatch[], live: false };
      this.docSubs.set(d.doc, () => undefined);
      if (d.batch) this.batched.add(d.doc);
      let sub;
      try {
        sub = await this.deps.documents.subscribe(d.doc, (ps) => (q.live ? this.sendPatches(d.doc, ps) : q.frames.push(...ps)));
      } catch {
        this.docSubs.delete(d.doc);
        this.batched.delete(d.doc);
        continue;
      }
      if (this.closed || !this.docSubs.has(d.doc)) {
        sub.unsubscribe();
        continue;
      }
      this.docSubs.set(d.doc, sub.unsubscribe);
      q.frames.unshift(...catchUpPatches(d.doc, d.version, sub));
      queues.push(q);
      docs.push({ doc: d.doc, version: d.version });
    }
    return {
      docs,
      activate: () => {
        if (this.closed) return;
        for (const w of parked.watches) if (restoredSubs.has(w.subId)) this.watch(w.subId, w.pattern);
        for (const q of queues) {
          q.live = true;
          this.sendPatches(q.doc, q.frames.splice(0));
        }
      },
    };
  }

  private checkInfoQuietly(info: unknown): Record<string, unknown> | undefined {
    try {
      return this.checkInfo(info);
    } catch {
      return undefined;
    }
  }
}

/** The `doc.patch` frame of a patch. */
function patchFrame(p: DocPatch): string {
  const frame: Frame = { op: 'doc.patch', doc: p.doc, version: p.version, ops: p.ops, by: p.by };
  if (p.ref !== undefined) frame.ref = p.ref;
  return JSON.stringify(frame);
}
