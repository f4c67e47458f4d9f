import type { ParkedFeatureState } from '../features/feature.js';
import type { SubscriptionSpec } from '../delivery/subscription.js';

/** What a parked session keeps: its subscriptions and what each feature parked (by feature, in registry order). */
export interface ParkedSession {
  subs: SubscriptionSpec[];
  nextSub: number;
  features: (ParkedFeatureState | undefined)[];
}

/** Subscriptions of disconnected sessions, kept for `session_ttl` so that `hello.resume` can restore them. */
export class ParkedSessions {
  private readonly parked = new Map<string, ParkedSession & { component: string; timer: NodeJS.Timeout }>();

  /** Sessions are kept `ttlMs` each, at most `max` at once (the longest-parked one is forgotten first). */
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  park(session: string, component: string, state: ParkedSession): void {
    release(this.take(session, component));
    const timer = setTimeout(() => {
      this.parked.delete(session);
      release(state);
    }, this.ttlMs);
    timer.unref?.();
    this.parked.set(session, { ...state, component, timer });
    for (const [id, p] of this.parked) {
      if (this.parked.size <= this.max) break;
      clearTimeout(p.timer);
      this.parked.delete(id);
      release(p);
    }
  }

  take(session: string, component: string): ParkedSession | undefined {
    const p = this.parked.get(session);
    if (!p || p.component !== component) return undefined;
    clearTimeout(p.timer);
    this.parked.delete(session);
    return p;
  }

  clear(): void {
    for (const p of this.parked.values()) {
      clearTimeout(p.timer);
      release(p);
    }
    this.parked.clear();
  }
}

function release(p: ParkedSession | undefined): void {
  for (const f of p?.features ?? []) f?.release();
}
