/**
 * A bounded list that drops its oldest items: the lab keeps the last N frames, not all of them,
 * and at most `maxBytes` of them as measured by `sizeOf` (a count alone does not bound memory:
 * 10,000 frames of 64 KiB would be 640 MiB).
 */
export class Ring<T> {
  /** Kept items from `head` on; the slots before it are dropped (undefined) until compaction. */
  private items: T[] = [];
  private sizes: number[] = [];
  private head = 0;
  /** Bytes held by the kept items, as sizeOf counts them. */
  bytes = 0;
  /** Items ever pushed, including those dropped. */
  total = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Infinity,
    private readonly sizeOf: (item: T) => number = () => 0,
  ) {}

  push(item: T): void {
    this.total++;
    const size = this.sizeOf(item);
    this.items.push(item);
    this.sizes.push(size);
    this.bytes += size;
    // The newest item always stays, even one larger than maxBytes on its own.
    while (this.length > 1 && (this.length > this.capacity || this.bytes > this.maxBytes)) {
      this.bytes -= this.sizes[this.head] as number;
      // Let go of the dropped item now, not at the next compaction (it may hold 64 KiB).
      (this.items as (T | undefined)[])[this.head] = undefined;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** A recent item changed in place (a row got its plaintext): recount its size. */
  resized(item: T): void {
    for (let index = this.items.length - 1; index >= Math.max(this.head, this.items.length - 64); index--) {
      if (this.items[index] !== item) continue;
      const size = this.sizeOf(item);
      this.bytes += size - (this.sizes[index] as number);
      this.sizes[index] = size;
      return;
    }
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** The i-th kept item, oldest first. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.length) return undefined;
    return this.items[this.head + i];
  }

  /** The last `n` items, oldest first. */
  tail(n: number): T[] {
    return this.items.slice(Math.max(this.head, this.items.length - n));
  }
}
