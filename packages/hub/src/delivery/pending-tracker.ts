/** One delivery waiting for its acknowledgement. */
export interface PendingEntry {
  ch: string;
  seq: number;
  /** Times delivered so far (1 = first delivery). */
  deliveries: number;
  /** The envelope JSON, kept so a redelivery needs no store read. */
  json: string;
  /** When it becomes due for redelivery (ms since epoch). */
  dueAt: number;
}

/**
 * In-flight deliveries of one subscription: ack deadlines and nack delays, with one timer for the earliest
 * deadline. Bounded by the subscription's in-flight window, which the caller enforces.
 */
export class PendingTracker {
  private readonly entries = new Map<string, PendingEntry>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly onDue: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Records a delivery due again after `waitMs` unless acknowledged. */
  add(ch: string, seq: number, deliveries: number, json: string, waitMs: number): void {
    const dueAt = this.now() + waitMs;
    this.entries.set(key(ch, seq), { ch, seq, deliveries, json, dueAt });
    this.schedule(dueAt);
  }

  has(ch: string, seq: number): boolean {
    return this.entries.has(key(ch, seq));
  }

  /** Removes an entry; false when it was not pending. */
  ack(ch: string, seq: number): boolean {
    return this.entries.delete(key(ch, seq));
  }

  /** Makes an entry due after `delayMs`; false when it was not pending. */
  nack(ch: string, seq: number, delayMs: number): boolean {
    const e = this.entries.get(key(ch, seq));
    if (!e) return false;
    e.dueAt = this.now() + delayMs;
    this.schedule(e.dueAt);
    return true;
  }

  /** Removes and returns the entries that are due, oldest seq first per channel. */
  takeDue(): PendingEntry[] {
    const t = this.now();
    const due: PendingEntry[] = [];
    let next = Infinity;
    for (const [k, e] of this.entries) {
      if (e.dueAt <= t) {
        due.push(e);
        this.entries.delete(k);
      } else if (e.dueAt < next) next = e.dueAt;
    }
    if (next !== Infinity) this.schedule(next);
    due.sort((a, b) => (a.ch === b.ch ? a.seq - b.seq : a.ch < b.ch ? -1 : 1));
    return due;
  }

  /** Lowest pending seq of a channel, or undefined. */
  lowest(ch: string): number | undefined {
    let low: number | undefined;
    for (const e of this.entries.values()) if (e.ch === ch && (low === undefined || e.seq < low)) low = e.seq;
    return low;
  }

  /** Every entry (for handing back on unsubscribe). */
  all(): PendingEntry[] {
    return [...this.entries.values()];
  }

  clear(): void {
    this.entries.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private schedule(at: number): void {
    if (at >= this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.onDue();
      },
      Math.max(0, at - this.now()),
    );
    this.timer.unref?.();
  }
}

function key(ch: string, seq: number): string {
  return ch + '\u0000' + seq;
}
