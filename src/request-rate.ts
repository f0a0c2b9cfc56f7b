/**
 * A member's request budget: a token bucket refilled at `perSecond` and holding two seconds'
 * worth, so a burst of typing is fine and a flood is cut off (ERR_RATE_LIMITED). One per member;
 * the clock is injectable for tests.
 */
export class RequestRate {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond * 2;
    this.at = now();
  }

  /** Takes one token if there is one; false means the request is over the limit. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond * 2, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
