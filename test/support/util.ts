// Small, protocol-agnostic helpers for tests: waiting, polling, timeouts and number ranges.

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A clock that stands still until the test moves it; see {@link manualClock}. */
export interface ManualClock {
  /** The current time in epoch milliseconds (a function to pass where code takes `now: () => number`). */
  readonly now: () => number;
  /** Moves the clock `ms` milliseconds forward. */
  advance(ms: number): void;
}

/**
 * A clock for code that takes one (`now: () => number`), starting at `start`: a test makes time pass with
 * `advance` instead of sleeping, so that what depends on the time happens exactly when the test says.
 */
export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 5000). */
  timeoutMs?: number;
  /** Poll this often, in milliseconds (default 5). */
  everyMs?: number;
}

/**
 * Polls `check` until it neither returns `false` nor throws, and resolves with what it returned then: a check is
 * a condition (`() => got.length === 3`) or assertions (`async () => assert.deepEqual(await info(), …)`).
 * After `timeoutMs` (default 5000) it rejects with an error naming `what` (a function is called then, so that the
 * message can show the state at that moment) and the last assertion that failed.
 *
 * The one way tests wait for something to happen; where a test only reports a failure later, it catches this.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string | (() => string),
  options: number | WaitForOptions = {},
): Promise<Exclude<T, false>> {
  const { timeoutMs = 5000, everyMs = 5 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const end = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
    } catch (err) {
      failure = err;
    }
    if (Date.now() > end) {
      const name = typeof what === 'function' ? what() : what;
      const last = failure === undefined ? '' : `; last failure: ${(failure as Error)?.message ?? String(failure)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${name}${last}`, { cause: failure });
    }
    await sleep(everyMs);
  }
}

/** Resolves with `p`, or rejects with `message` after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message())), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The integers `from`, `from + 1`, …, `to` (both ends included; empty when `to < from`). */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
