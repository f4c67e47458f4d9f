import type { Envelope } from '@switchboard/protocol';

/** A message a component of the flow received, with the time it arrived (`performance.now()`). */
export interface Arrival {
  envelope: Envelope;
  arrivedAt: number;
  taken: boolean;
}

/**
 * Messages one subscription of the flow received, kept in arrival order until an `expect` step takes them.
 * `take` hands out the first message not yet taken that passes the test, waiting for one up to a deadline.
 */
export class Inbox {
  private readonly arrivals: Arrival[] = [];
  private waiters = new Set<() => void>();

  push(envelope: Envelope, arrivedAt: number): void {
    this.arrivals.push({ envelope, arrivedAt, taken: false });
    for (const wake of [...this.waiters]) wake();
  }

  /** Messages received so far. */
  get size(): number {
    return this.arrivals.length;
  }

  /** The messages not yet taken. */
  untaken(): Arrival[] {
    return this.arrivals.filter((a) => !a.taken);
  }

  /** Resolves with the first untaken message passing `test` (and marks it taken), or undefined after `withinMs`. */
  take(test: (e: Envelope) => boolean, withinMs: number): Promise<Arrival | undefined> {
    let scanned = 0;
    const scan = (): Arrival | undefined => {
      for (; scanned < this.arrivals.length; scanned++) {
        const a = this.arrivals[scanned]!;
        if (!a.taken && test(a.envelope)) {
          a.taken = true;
          return a;
        }
      }
      return undefined;
    };
    const now = scan();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (a: Arrival | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(a);
      };
      const wake = () => {
        const a = scan();
        if (a) done(a);
      };
      const timer = setTimeout(() => done(undefined), withinMs);
      this.waiters.add(wake);
    });
  }
}
