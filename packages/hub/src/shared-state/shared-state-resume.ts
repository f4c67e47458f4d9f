import type { DocPatch } from './documents.js';
import type { PresenceMember, PresenceTable } from './presence.js';

/** A document subscription of a closed connection: the document and the last version sent to it. */
export interface ParkedDoc {
  doc: string;
  version: number;
  /** Subscribed with `"batch":true` (restored so); absent in what `welcome.docs` lists. */
  batch?: boolean;
}

/** A presence membership of a closed connection: the subscription that held it. */
export interface ParkedMembership {
  subId: string;
  ch: string;
  member: PresenceMember;
}

/**
 * The document subscriptions, presence memberships and presence watches of a connection whose session is parked
 * for `resume`. Memberships that are `held` stay in the presence table (no `leave` is sent) for a grace period;
 * when it ends, or the parked session is forgotten, they are released: the member leaves. A resume joins the
 * released ones again.
 */
export class ParkedSharedState {
  private released: boolean;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    readonly docs: ParkedDoc[],
    readonly members: ParkedMembership[],
    /** Subscriptions made with `"presence":true`, and what they watch. */
    readonly watches: { subId: string; pattern: string }[],
    private readonly presence: PresenceTable,
    private readonly session: string,
    graceMs: number,
    held: boolean,
  ) {
    this.released = !held;
    if (held && members.length > 0) {
      this.timer = setTimeout(() => this.release(), graceMs);
      this.timer.unref();
    }
  }

  /** The member leaves the channels it still holds. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.timer);
    for (const m of this.members) this.presence.leave(m.ch, this.session);
  }

  /** A resume takes the state back; true when the memberships are still held (the grace had not ended). */
  take(): boolean {
    clearTimeout(this.timer);
    const held = !this.released;
    this.released = true;
    return held;
  }
}

/**
 * The `doc.patch` frames that bring a subscriber from version `after` to the snapshot `current`: the patches the
 * record keeps when they cover the whole gap, else one patch that replaces the whole value (`by` = `$hub`).
 */
export function catchUpPatches(doc: string, after: number, current: { version: number; value: unknown; recent: DocPatch[] }): DocPatch[] {
  if (current.version === after) return [];
  const kept = current.recent.filter((p) => p.version > after && p.version <= current.version);
  if (current.version > after && kept.length === current.version - after && kept[0]?.version === after + 1) return kept;
  return [{ doc, version: current.version, ops: [{ op: 'replace', path: '', value: current.value }], by: '$hub' }];
}
