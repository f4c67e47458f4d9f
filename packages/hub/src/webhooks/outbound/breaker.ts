import type { BreakerConfig } from '../../config/webhooks-config.js';

/** The states of a circuit breaker; the metric's values are 0, 1 and 2. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** The value of `switchboard_webhook_breaker_state` for a state. */
export const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, open: 1, half_open: 2 };

/** What is persisted of a breaker. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** When it opened (ms since the epoch), while open or half-open. */
  openedAt?: number;
}

/**
 * The circuit breaker of one webhook: closed, it counts attempts over a sliding window and opens when the failure
 * rate reaches the threshold (once the window holds `minRequests`); open, it lets nothing through for `openForMs`;
 * then half-open, it lets one probe through, which closes it (success) or opens it again (failure).
 * `onChange` is told every change of state.
 */
export class Breaker {
  private outcomes: { at: number; ok: boolean }[] = [];
  private snapshot: BreakerSnapshot = { state: 'closed' };
  private probing = false;

  constructor(
    private readonly config: BreakerConfig,
    private readonly now: () => number,
    private readonly onChange: (s: BreakerSnapshot, reason: string) => void,
  ) {}

  /** Takes a persisted state back (after a restart). */
  restore(s: BreakerSnapshot): void {
    this.snapshot = s.state === 'closed' ? { state: 'closed' } : { state: 'open', openedAt: s.openedAt ?? this.now() };
  }

  state(): BreakerState {
    this.tick();
    return this.snapshot.state;
  }

  /** When an open breaker lets a probe through (ms since the epoch); undefined unless open. */
  reopensAt(): number | undefined {
    return this.snapshot.state === 'open' ? (this.snapshot.openedAt ?? 0) + this.config.openForMs : undefined;
  }

  /** How many attempts may start now: unlimited closed, one probe half-open, none open. */
  allowance(): number {
    const s = this.state();
    if (s === 'closed') return Number.POSITIVE_INFINITY;
    if (s === 'half_open') return this.probing ? 0 : 1;
    return 0;
  }

  /** An attempt starts (the probe, when half-open). */
  started(): void {
    if (this.snapshot.state === 'half_open') this.probing = true;
  }

  /** An attempt ended. */
  record(ok: boolean): void {
    const now = this.now();
    if (this.snapshot.state === 'half_open') {
      if (!this.probing) return;
      this.probing = false;
      if (ok) this.set({ state: 'closed' }, 'the probe was answered 2xx');
      else this.set({ state: 'open', openedAt: now }, 'the probe failed');
      return;
    }
    if (this.snapshot.state === 'open') return;
    this.outcomes.push({ at: now, ok });
    const from = now - this.config.windowMs;
    let drop = 0;
    while (drop < this.outcomes.length && this.outcomes[drop]!.at < from) drop++;
    if (drop > 0) this.outcomes.splice(0, drop);
    if (ok || this.outcomes.length < this.config.minRequests) return;
    const failed = this.outcomes.filter((o) => !o.ok).length;
    const rate = failed / this.outcomes.length;
    if (rate >= this.config.failureRate) {
      this.set(
        { state: 'open', openedAt: now },
        `${failed} of the last ${this.outcomes.length} attempts failed (${Math.round(rate * 100)} %, threshold ${Math.round(this.config.failureRate * 100)} %)`,
      );
    }
  }

  private tick(): void {
    if (this.snapshot.state === 'open' && this.now() >= (this.snapshot.openedAt ?? 0) + this.config.openForMs) {
      this.set({ state: 'half_open', openedAt: this.snapshot.openedAt }, `open for ${this.config.openForMs} ms: one probe goes through`);
    }
  }

  private set(s: BreakerSnapshot, reason: string): void {
    this.snapshot = s;
    if (s.state !== 'open') this.outcomes = [];
    this.probing = false;
    this.onChange(s, reason);
  }
}
