/**
 * A token bucket refilled at `perSecond` and holding two seconds' worth: a burst is fine, a flood
 * is cut off. One per member for its requests (ERR_RATE_LIMITED) and one per source address for
 * its new connections (ERR_TOO_MANY_CONNECTIONS). `perSecond = Infinity` never refuses. The clock
 * is injectable for tests.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
    /** How many seconds' worth it holds: the largest burst. */
    private readonly burstSeconds = 2,
  ) {
    this.tokens = perSecond * burstSeconds;
    this.at = now();
  }

  /**
   * Spends `amount` even past empty (the work is already done) and says how long until the debt
   * is paid: 0 while the bucket is not in debt. @returns milliseconds
   */
  charge(amount: number): number {
    this.refill();
    this.tokens -= amount;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.perSecond) * 1000;
  }

  /** Takes one token if there is one; false means over the limit (and nothing is taken). */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1; // an unlimited bucket stays full: Infinity - 1 = Infinity
    return true;
  }

  /** Everything spent has been earned back: the bucket is as if new. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.perSecond * this.burstSeconds;
  }

  private refill(): void {
    if (!Number.isFinite(this.perSecond)) return; // always full (and 0 x Infinity would be NaN)
    const now = this.now();
    this.tokens = Math.min(this.perSecond * this.burstSeconds, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }
}
