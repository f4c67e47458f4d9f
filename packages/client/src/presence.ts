import type { JoinFrame, LeaveFrame, PresenceMember } from '@switchboard/protocol';
import { Emitter } from './emitter.js';
import { errorFromFrame } from './errors.js';
import type { Link } from './link.js';
import type { Presence, PresenceEvents, Subscription } from './types.js';

/** What a presence handle needs from its client. */
export interface PresenceHost {
  readonly link: Link;
  emitError(err: Error): void;
  /** The handle left: forget it. */
  forget(p: PresenceImpl): void;
}

/**
 * A membership of a channel's presence. The subscription that holds it (made with `"presence":true`) brings the
 * `join`/`leave` frames; each time it is attached to a socket (first time, after a reconnect) the member list is
 * read again with `presence`, and the difference to the list known before is reported as joins and leaves.
 */
export class PresenceImpl implements Presence {
  private readonly byMember = new Map<string, PresenceMember>();
  private readonly emitter = new Emitter<PresenceEvents>();
  private listed = false;
  private left = false;
  private first: { resolve(): void; reject(err: Error): void } | undefined;
  private subscription: Subscription | undefined;
  readonly ready: Promise<void>;

  constructor(
    readonly ch: string,
    private readonly host: PresenceHost,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.first = { resolve, reject };
    });
    this.ready.catch(() => {
      /* the caller of presence() gets the error */
    });
  }

  get members(): PresenceMember[] {
    return [...this.byMember.values()].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  }

  on<E extends keyof PresenceEvents>(event: E, fn: (member: PresenceEvents[E]) => void): () => void {
    return this.emitter.on(event, fn);
  }

  /** The subscription holding the membership was accepted (`subscription` on the first time). */
  held(subscription: Subscription): void {
    this.subscription = subscription;
  }

  /** The holding subscription is attached to the current socket: read the member list. */
  attached(): void {
    if (this.left || !this.host.link.up) return;
    this.host.link.call(
      { op: 'presence', ch: this.ch },
      {
        ok: (f) => this.list(Array.isArray(f.members) ? (f.members as PresenceMember[]) : []),
        err: (f) => {
          const err = errorFromFrame(f, `reading the members of "${this.ch}"`);
          if (this.first) this.failed(err);
          else this.host.emitError(err);
        },
        drop: () => {
          /* read again on the next attach */
        },
      },
    );
  }

  private list(members: PresenceMember[]): void {
    if (this.left) return;
    const next = new Map(members.map((m) => [m.session, m]));
    const initial = !this.listed;
    this.listed = true;
    const gone = [...this.byMember.values()].filter((m) => !next.has(m.session));
    const come = members.filter((m) => !this.byMember.has(m.session));
    this.byMember.clear();
    for (const [k, m] of next) this.byMember.set(k, m);
    if (!initial) {
      for (const m of gone) this.emitter.emit('leave', m);
      for (const m of come) this.emitter.emit('join', m);
    }
    this.first?.resolve();
    this.first = undefined;
  }

  /** A `join` or `leave` frame of this channel. Before the first list, the list supersedes them. */
  route(f: JoinFrame | LeaveFrame): void {
    if (!this.listed || this.left || !f.member || typeof f.member.session !== 'string') return;
    if (f.op === 'join') {
      if (this.byMember.has(f.member.session)) return;
      this.byMember.set(f.member.session, f.member);
      this.emitter.emit('join', f.member);
    } else if (this.byMember.delete(f.member.session)) {
      this.emitter.emit('leave', f.member);
    }
  }

  /** The subscription or the first list was refused. */
  failed(err: Error): void {
    this.left = true;
    this.host.forget(this);
    this.first?.reject(err);
    this.first = undefined;
  }

  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    this.host.forget(this);
    await this.subscription?.unsubscribe();
  }
}
