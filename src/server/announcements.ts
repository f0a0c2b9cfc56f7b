/**
 * Join and leave lines, kept readable under a flood (docs/PROTOCOL.md s.6). In a calm room every
 * join and leave is announced at once. When more than `burst` were announced in the last second,
 * new joins are held: a held join is announced when that member first speaks, or later at the
 * calm rate (at most `burst` announcements in any second, oldest first); a member that leaves
 * while its join is held is announced neither joining nor leaving. So 2,000 connections that join
 * and leave within a second add no lines to anyone's screen, and nobody who stays goes
 * unannounced. Releasing held joins at the calm rate, not all at once, also bounds the work: every
 * announcement goes to every member, so 10,000 held joins released together were 10^8 deliveries
 * in one turn (held per connection, it cost 100-145 KB each while idle).
 */
export class Announcements<M> {
  private readonly recent: number[] = [];
  private readonly held: M[] = [];
  private readonly announced = new Set<M>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly announceJoin: (member: M) => void,
    private readonly announceLeave: (member: M) => void,
    private readonly burst = 10,
    private readonly now: () => number = () => performance.now(),
    /**
     * True when the room is so large that each announcement on its own turn is too dear: every
     * announcement is one sealed write per member, so 10 joins a second, each alone, in a room of
     * 10,000 are 100,000 writes a second. Then joins wait for the once-a-second release, which
     * sends up to `burst` of them together: one write per member per second.
     */
    private readonly large: () => boolean = () => false,
  ) {}

  private busy(): boolean {
    const cutoff = this.now() - 1000;
    while (this.recent.length > 0 && (this.recent[0] as number) < cutoff) this.recent.shift();
    return this.recent.length >= this.burst;
  }

  private count(): void {
    this.recent.push(this.now());
    if (this.recent.length > this.burst * 2) this.recent.splice(0, this.recent.length - this.burst * 2);
  }

  joined(member: M): void {
    if (this.busy() || this.large()) {
      this.held.push(member);
      this.schedule();
      return;
    }
    this.announce(member);
  }

  /** The member speaks: its join comes first, so nobody reads a line from a stranger. */
  speaking(member: M): void {
    const at = this.held.indexOf(member);
    if (at < 0) return;
    this.held.splice(at, 1);
    this.announce(member);
  }

  left(member: M): void {
    const at = this.held.indexOf(member);
    if (at >= 0) {
      this.held.splice(at, 1); // never announced: nothing to take back
      return;
    }
    if (!this.announced.delete(member)) return;
    this.count();
    this.announceLeave(member);
  }

  /** Announcements remembered for the burst window: never more than 2 x burst, however many come. */
  get windowEntries(): number {
    return this.recent.length;
  }

  /** Joins held right now (for tests and logs). */
  get heldCount(): number {
    return this.held.length;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private announce(member: M): void {
    this.count();
    this.announced.add(member);
    this.announceJoin(member);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // Held joins, in the order they came, as many as the calm rate allows; the rest wait.
      while (this.held.length > 0 && !this.busy()) this.announce(this.held.shift() as M);
      if (this.held.length > 0) this.schedule();
    }, 1000);
    this.timer.unref();
  }
}
