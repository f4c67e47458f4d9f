import { matchChannel } from '@switchboard/protocol';

/** One member of a channel's presence, as sent in `presence` replies and `join`/`leave` frames. */
export interface PresenceMember {
  component: string;
  session: string;
  /** ISO-8601 time the member joined. */
  since: string;
  /** The `info` object of the `sub` (or else of the `hello`); `{}` when none. */
  info: Record<string, unknown>;
}

/** Who wants `join`/`leave` frames: a subscription made with `"presence":true`. */
export interface PresenceWatcher {
  pattern: string;
  send(text: string): void;
}

/**
 * The presence of this hub node: a connection is a member of channel `ch` while it holds a subscription to the
 * exact name `ch` (a wildcard subscription does not make it a member). Members and watchers are kept per node.
 */
export class PresenceTable {
  /** ch → member key (`session`) → member and how many subscriptions hold it. */
  private readonly members = new Map<string, Map<string, { member: PresenceMember; holds: number }>>();
  private readonly watchers = new Set<PresenceWatcher>();

  /** The members of `ch`, longest present first. */
  list(ch: string): PresenceMember[] {
    return [...(this.members.get(ch)?.values() ?? [])].map((m) => m.member);
  }

  /** One more subscription of `member.session` to `ch`; the first one makes it join. */
  join(ch: string, member: PresenceMember): void {
    let byKey = this.members.get(ch);
    if (!byKey) this.members.set(ch, (byKey = new Map()));
    const held = byKey.get(member.session);
    if (held) {
      held.holds++;
      return;
    }
    byKey.set(member.session, { member, holds: 1 });
    this.tell('join', ch, member);
  }

  /** One subscription fewer; the last one makes the member leave. */
  leave(ch: string, session: string): void {
    const byKey = this.members.get(ch);
    const held = byKey?.get(session);
    if (!byKey || !held) return;
    if (--held.holds > 0) return;
    byKey.delete(session);
    if (byKey.size === 0) this.members.delete(ch);
    this.tell('leave', ch, held.member);
  }

  watch(w: PresenceWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
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
