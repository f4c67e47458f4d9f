/** Failed authentications of one address in the current minute. */
interface Window {
  start: number;
  count: number;
  /** The burst was logged (once per window). */
  logged: boolean;
}

const MINUTE = 60_000;
/** Addresses tracked at most; past it the windows that ended are swept, then the oldest is dropped. */
const MAX_ADDRESSES = 100_000;

/**
 * Counts failed hellos per remote address in fixed one-minute windows; past `max` in a window the address is
 * blocked until the window ends, and `onBurst` is called once for that window (one log line per burst).
 */
export class FailedHelloWindow {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly max: number,
    private readonly now: () => number,
    private readonly onBurst: (address: string, count: number, blockedForMs: number) => void,
  ) {}

  /** Notes one failure from `address`. */
  note(address: string): void {
    const t = this.now();
    let w = this.windows.get(address);
    if (!w || t - w.start >= MINUTE) {
      if (!w && this.windows.size >= MAX_ADDRESSES) {
        this.sweep();
        if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
      }
      this.windows.set(address, (w = { start: t, count: 0, logged: false }));
    }
    w.count++;
    if (w.count > this.max && !w.logged) {
      w.logged = true;
      this.onBurst(address, w.count, w.start + MINUTE - t);
    }
  }

  /** Milliseconds `address` stays blocked (0: not blocked). */
  blockedFor(address: string): number {
    const w = this.windows.get(address);
    if (!w || w.count <= this.max) return 0;
    const left = w.start + MINUTE - this.now();
    return left > 0 ? Math.ceil(left) : 0;
  }

  /** Forgets the windows that ended. */
  sweep(): void {
    const t = this.now();
    for (const [a, w] of this.windows) if (t - w.start >= MINUTE) this.windows.delete(a);
  }
}
