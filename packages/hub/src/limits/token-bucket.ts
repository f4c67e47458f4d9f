/**
 * A token bucket: `rate` tokens a second, at most `burst` held. Time comes from the clock given (milliseconds), so a
 * test moves it instead of sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /**
   * Takes one token: 0 when there was one, else the milliseconds until there is one (nothing is taken then). `t` is
   * the time now, when the caller already read the clock.
   */
  take(t: number = this.now()): number {
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
      this.last = t;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
  }

  /** True when the bucket is full (nothing taken lately): it can be forgotten. */
  full(): boolean {
    const t = this.now();
    return this.tokens + ((t - this.last) * this.rate) / 1000 >= this.burst;
  }
}
