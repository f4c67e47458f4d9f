/** Seconds a {@link RateWindow} remembers: the "last minute" of the admin API. */
export const WINDOW_SECONDS = 60;

/**
 * Counts over the last minute in 60 one-second slots (a ring: slot = second mod 60). Adding is O(1) and allocates
 * nothing; a slot whose second has passed out of the window counts as 0 and is reused.
 */
export class RateWindow {
  private readonly counts = new Float64Array(WINDOW_SECONDS);
  private readonly seconds = new Float64Array(WINDOW_SECONDS).fill(-1);
  /** The second (epoch seconds) of the last `add`. */
  lastSecond = -1;

  /** Adds `n` at time `nowMs` (epoch ms). */
  add(nowMs: number, n = 1): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot]! += n;
    this.lastSecond = second;
  }

  /** The sum over the 60 seconds up to and including the second of `nowMs`. */
  total(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      const s = this.seconds[i]!;
      if (s > now - WINDOW_SECONDS && s <= now) sum += this.counts[i]!;
    }
    return sum;
  }

  /** The sum over the seconds `fromSecond` to `toSecond` (epoch seconds, both included; only those still in the ring). */
  sum(fromSecond: number, toSecond: number): number {
    let total = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      const s = this.seconds[i]!;
      if (s >= fromSecond && s <= toSecond) total += this.counts[i]!;
    }
    return total;
  }

  /** Whether nothing was added within the window ending at `nowMs`. */
  idle(nowMs: number): boolean {
    return this.lastSecond <= Math.floor(nowMs / 1000) - WINDOW_SECONDS;
  }
}

/**
 * A {@link RateWindow} per key (a channel, a component → channel pair), for at most `maxKeys` keys: past the bound
 * a key idle for a whole window makes room, and when none is idle the new key is not tracked (counted in
 * `untracked`), so that a flood of channel names cannot grow the hub's memory.
 */
export class RateTable {
  private readonly windows = new Map<string, RateWindow>();
  /** Adds to keys that found no room (since the table was made). */
  untracked = 0;
  private lastSweep = -1;

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  /** Adds `n` to `key` at `now` (default: the table's clock). */
  add(key: string, n = 1, now = this.now()): void {
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.maxKeys && !this.makeRoom(now)) {
        this.untracked += n;
        return;
      }
      w = new RateWindow();
      this.windows.set(key, w);
    }
    w.add(now, n);
  }

  /** The count of `key` over the last minute (0 when untracked). */
  total(key: string): number {
    return this.windows.get(key)?.total(this.now()) ?? 0;
  }

  /** Every tracked key with a count over the last minute above 0, and that count. */
  active(): Map<string, number> {
    const now = this.now();
    const out = new Map<string, number>();
    for (const [key, w] of this.windows) {
      const t = w.total(now);
      if (t > 0) out.set(key, t);
    }
    return out;
  }

  /** The window of `key`, when tracked. */
  window(key: string): RateWindow | undefined {
    return this.windows.get(key);
  }

  /** Every tracked key. */
  keys(): IterableIterator<string> {
    return this.windows.keys();
  }

  /** Keys tracked now. */
  get size(): number {
    return this.windows.size;
  }

  /** Forgets the keys idle for a whole window (at most once a second); true when that made room. */
  private makeRoom(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second === this.lastSweep) return false;
    this.lastSweep = second;
    for (const [key, w] of this.windows) if (w.idle(now)) this.windows.delete(key);
    return this.windows.size < this.maxKeys;
  }
}

/**
 * A {@link RateWindow} per pair (component, channel) for at most `maxPairs` pairs, kept as a map of maps so that
 * counting one event builds no key string; past the bound it behaves like {@link RateTable}.
 */
export class PairRateTable {
  private readonly windows = new Map<string, Map<string, RateWindow>>();
  private pairs = 0;
  /** Adds to pairs that found no room. */
  untracked = 0;
  private lastSweep = -1;

  constructor(
    private readonly maxPairs: number,
    private readonly now: () => number,
  ) {}

  /** Adds `n` to the pair (`a`, `b`) at `now` (default: the table's clock). */
  add(a: string, b: string, n = 1, now = this.now()): void {
    let inner = this.windows.get(a);
    let w = inner?.get(b);
    if (!w) {
      if (this.pairs >= this.maxPairs && !this.makeRoom(now)) {
        this.untracked += n;
        return;
      }
      if (!inner) {
        inner = new Map();
        this.windows.set(a, inner);
      }
      w = new RateWindow();
      inner.set(b, w);
      this.pairs++;
    }
    w.add(now, n);
  }

  /** Every pair with a count over the last minute above 0: `[a, b, count]`. */
  active(): [string, string, number][] {
    const now = this.now();
    const out: [string, string, number][] = [];
    for (const [a, inner] of this.windows) {
      for (const [b, w] of inner) {
        const t = w.total(now);
        if (t > 0) out.push([a, b, t]);
      }
    }
    return out;
  }

  private makeRoom(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second === this.lastSweep) return false;
    this.lastSweep = second;
    for (const [a, inner] of this.windows) {
      for (const [b, w] of inner) {
        if (!w.idle(now)) continue;
        inner.delete(b);
        this.pairs--;
      }
      if (inner.size === 0) this.windows.delete(a);
    }
    return this.pairs < this.maxPairs;
  }
}
