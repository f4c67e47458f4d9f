import { randomUUID } from 'node:crypto';
import { matchChannel, type PresenceMember } from '@switchboard/protocol';

export type { PresenceMember };

/** Who wants `join`/`leave` frames: a subscription made with `"presence":true`. */
export interface PresenceWatcher {
  pattern: string;
  send(text: string): void;
}

/** What the presence tables of the hub nodes tell each other over the cluster bus. */
export type PresenceEvent =
  | { kind: 'join' | 'leave'; node: string; ch: string; member: PresenceMember }
  /** Every local member of the sending node (sent now and then, and when a node says hello). */
  | { kind: 'state'; node: string; members: Record<string, PresenceMember[]> }
  /** A node started: the others send their state at once. */
  | { kind: 'hello'; node: string };

export interface PresenceOptions {
  /** Sends an event to the other hub nodes; absent on a single node. */
  announce?: (event: PresenceEvent) => void;
  /** How often this node sends its whole state (default 5 s); a node not heard from for 3 × this is gone. */
  stateEveryMs?: number;
}

type Members = Map<string, Map<string, PresenceMember>>;

/**
 * The presence of a hub node and of the other nodes it hears from: a connection is a member of channel `ch`
 * while it holds a subscription to the exact name `ch` (a wildcard subscription does not make it a member).
 * Local joins and leaves are announced on the cluster bus at once; each node also sends its whole state now and
 * then, so that a node that started late or missed an announcement catches up, and the members of a node that
 * stopped answering leave after 3 state periods.
 */
export class PresenceTable {
  /** ch → session → member and how many subscriptions hold it. */
  private readonly local = new Map<string, Map<string, { member: PresenceMember; holds: number }>>();
  private readonly remote = new Map<string, { members: Members; seen: number }>();
  private readonly watchers = new Set<PresenceWatcher>();
  private readonly instance = randomUUID();
  private readonly everyMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PresenceOptions = {}) {
    this.everyMs = options.stateEveryMs ?? 5_000;
    if (options.announce) {
      this.timer = setInterval(() => this.tick(), this.everyMs);
      this.timer.unref();
      options.announce({ kind: 'hello', node: this.instance });
    }
  }

  /** The members of `ch` on every node, longest present first. */
  list(ch: string): PresenceMember[] {
    const out = [...(this.local.get(ch)?.values() ?? [])].map((m) => m.member);
    for (const r of this.remote.values()) out.push(...(r.members.get(ch)?.values() ?? []));
    return out.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  }

  /** One more subscription of `member.session` to `ch`; the first one makes it join. */
  join(ch: string, member: PresenceMember): void {
    let byKey = this.local.get(ch);
    if (!byKey) this.local.set(ch, (byKey = new Map()));
    const held = byKey.get(member.session);
    if (held) {
      held.holds++;
      return;
    }
    byKey.set(member.session, { member, holds: 1 });
    this.tell('join', ch, member);
    this.options.announce?.({ kind: 'join', node: this.instance, ch, member });
  }

  /** One subscription fewer; the last one makes the member leave. */
  leave(ch: string, session: string): void {
    const byKey = this.local.get(ch);
    const held = byKey?.get(session);
    if (!byKey || !held) return;
    if (--held.holds > 0) return;
    byKey.delete(session);
    if (byKey.size === 0) this.local.delete(ch);
    this.tell('leave', ch, held.member);
    this.options.announce?.({ kind: 'leave', node: this.instance, ch, member: held.member });
  }

  watch(w: PresenceWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** An event announced by another node. */
  onRemote(e: PresenceEvent): void {
    if (e.node === this.instance) return;
    if (e.kind === 'hello') return this.sendState();
    const r = this.remoteNode(e.node);
    if (e.kind === 'state') {
      const next: Members = new Map(Object.entries(e.members).map(([ch, ms]) => [ch, new Map(ms.map((m) => [m.session, m]))]));
      this.replace(r.members, next);
      r.members = next;
      return;
    }
    let byKey = r.members.get(e.ch);
    if (e.kind === 'join') {
      if (!byKey) r.members.set(e.ch, (byKey = new Map()));
      if (byKey.has(e.member.session)) return;
      byKey.set(e.member.session, e.member);
      this.tell('join', e.ch, e.member);
    } else if (byKey?.delete(e.member.session)) {
      if (byKey.size === 0) r.members.delete(e.ch);
      this.tell('leave', e.ch, e.member);
    }
  }

  /** Stops the state timer. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private remoteNode(node: string): { members: Members; seen: number } {
    let r = this.remote.get(node);
    if (!r) this.remote.set(node, (r = { members: new Map(), seen: Date.now() }));
    r.seen = Date.now();
    return r;
  }

  /** Tells the watchers the difference between two member tables of a node. */
  private replace(before: Members, after: Members): void {
    for (const [ch, ms] of before) for (const [s, m] of ms) if (!after.get(ch)?.has(s)) this.tell('leave', ch, m);
    for (const [ch, ms] of after) for (const [s, m] of ms) if (!before.get(ch)?.has(s)) this.tell('join', ch, m);
  }

  private tick(): void {
    this.sendState();
    const cutoff = Date.now() - 3 * this.everyMs;
    for (const [node, r] of this.remote) {
      if (r.seen >= cutoff) continue;
      this.remote.delete(node);
      this.replace(r.members, new Map());
    }
  }

  private sendState(): void {
    const members: Record<string, PresenceMember[]> = {};
    for (const [ch, ms] of this.local) members[ch] = [...ms.values()].map((m) => m.member);
    this.options.announce?.({ kind: 'state', node: this.instance, members });
  }

  private tell(op: 'join' | 'leave', ch: string, member: PresenceMember): void {
    let text: string | undefined;
    for (const w of this.watchers) {
      if (w.pattern !== ch && !matchChannel(w.pattern, ch)) continue;
      text ??= JSON.stringify({ op, ch, member });
      w.send(text);
    }
  }
}
