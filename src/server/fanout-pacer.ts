import { TokenBucket } from './token-bucket.ts';

/**
 * What a member costs the room in bytes fanned out: a chat line of n bytes sealed and written
 * for each of m members is about n * m bytes of work. The line rate limit cannot see it (190
 * lines of 4 KiB a second to 200 members is 155 MB/s of sealing), so each member has a budget of
 * fanned-out bytes a second, holding one second's worth. A member past its budget is paced, not
 * dropped: its socket is paused (TCP pushes back on its sender) and the requests already read are
 * held, in order, until the budget has refilled. Nothing it sent is lost, and the room's event
 * loop never spends more than a burst on it in one turn.
 */
export class FanoutPacer<R> {
  private readonly budget: TokenBucket;
  private readonly held: R[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    bytesPerSecond: number,
    private readonly socket: { pause(): unknown; resume(): unknown },
    /** Handles one request and returns the bytes it fanned out; may throw (the session's to fail). */
    private readonly handle: (request: R) => number,
    /** A held request that threw: the connection ends. */
    private readonly fail: (error: unknown) => void,
  ) {
    this.budget = new TokenBucket(bytesPerSecond, undefined, 1);
  }

  /** Handles the request now, or holds it behind the ones already held. */
  offer(request: R): void {
    if (this.stopped) return;
    if (this.timer !== null || this.held.length > 0) {
      this.held.push(request);
      return;
    }
    this.spend(this.handle(request));
  }

  /** Requests read but not yet handled (at most what one socket read held: the socket is paused). */
  get heldCount(): number {
    return this.held.length;
  }

  stop(): void {
    this.stopped = true;
    this.held.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private spend(bytes: number): void {
    const waitMs = this.budget.charge(bytes);
    if (waitMs <= 0) return;
    this.socket.pause();
    this.timer = setTimeout(() => this.release(), Math.ceil(waitMs));
  }

  private release(): void {
    this.timer = null;
    while (!this.stopped && this.timer === null && this.held.length > 0) {
      const request = this.held.shift() as R;
      try {
        this.spend(this.handle(request));
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    if (!this.stopped && this.timer === null) this.socket.resume();
  }
}
