/**
 * Per-member output queues, bounded three ways, so one member that stops reading (or reads too
 * slowly) is dropped alone and the room never waits for it:
 *   - size: a member whose unsent output passes maxQueueBytes is dropped at once;
 *   - lag: a member whose queue has not once been empty for slowConsumerMs is dropped (measured
 *     as time since its queue was last empty, so a reader that drains a little now and then
 *     cannot hold a growing queue forever);
 *   - total: when all queues together pass maxTotalQueueBytes, the largest is dropped first, so
 *     many slow members cannot exhaust memory either.
 * The 0-loss promise holds for members that stay: nobody else's messages are delayed or dropped.
 */
export interface QueueLimits {
  maxQueueBytes: number;
  slowConsumerMs: number;
  maxTotalQueueBytes: number;
}

export const QUEUE_DEFAULTS: QueueLimits = {
  maxQueueBytes: 4 * 1024 * 1024,
  slowConsumerMs: 5000,
  maxTotalQueueBytes: 128 * 1024 * 1024,
};

/** What the policy needs of a member: how many bytes wait to be sent to it. */
export interface QueueOwner {
  queuedBytes(): number;
}

export class SlowConsumers<T extends QueueOwner> {
  /** Members with something queued, and when each was last seen with an empty queue. */
  private readonly behind = new Map<T, number>();

  private lastSweep: number | null = null;

  constructor(
    private readonly limits: QueueLimits,
    private readonly drop: (member: T, why: string) => void,
    private readonly now: () => number = () => performance.now(),
    /**
     * How often sweep() is meant to run. When given, time the sweep came late by (the server's own
     * event loop was busy) is not counted as any member's lag: a member is not blamed for the
     * server's backlog.
     */
    private readonly sweepEveryMs?: number,
  ) {}

  /** After writing to a member: enforce the size cap, start measuring lag. */
  written(member: T): void {
    const queued = member.queuedBytes();
    if (queued === 0) {
      this.behind.delete(member);
      return;
    }
    if (!this.behind.has(member)) this.behind.set(member, this.now());
    if (queued > this.limits.maxQueueBytes) {
      this.forget(member);
      this.drop(member, `${queued} bytes queued for it (cap ${this.limits.maxQueueBytes})`);
    }
  }

  /** The member's queue was seen empty (the socket drained, or before a write). */
  emptied(member: T): void {
    this.behind.delete(member);
  }

  forget(member: T): void {
    this.behind.delete(member);
  }

  /** How many members have output waiting (for tests and logs). */
  get behindCount(): number {
    return this.behind.size;
  }

  /** Called a few times a second: drops members that lag too long, then enforces the total. */
  sweep(): void {
    const now = this.now();
    if (this.sweepEveryMs !== undefined && this.lastSweep !== null) {
      const late = now - this.lastSweep - this.sweepEveryMs;
      if (late > this.sweepEveryMs) for (const [member, since] of this.behind) this.behind.set(member, since + late);
    }
    this.lastSweep = now;
    let total = 0;
    for (const [member, since] of [...this.behind]) {
      const queued = member.queuedBytes();
      if (queued === 0) {
        this.behind.delete(member);
      } else if (now - since > this.limits.slowConsumerMs) {
        this.forget(member);
        this.drop(
          member,
          `its queue has not been empty for ${Math.round(now - since)} ms (${queued} bytes waiting; limit ${this.limits.slowConsumerMs} ms)`,
        );
      } else total += queued;
    }
    while (total > this.limits.maxTotalQueueBytes && this.behind.size > 0) {
      let largest: T | null = null;
      let largestBytes = -1;
      for (const member of this.behind.keys()) {
        const queued = member.queuedBytes();
        if (queued > largestBytes) [largest, largestBytes] = [member, queued];
      }
      const victim = largest as T;
      this.forget(victim);
      total -= largestBytes;
      this.drop(
        victim,
        `all queues together passed ${this.limits.maxTotalQueueBytes} bytes and its was the largest (${largestBytes} bytes)`,
      );
    }
  }
}
