/** A bounded list that drops its oldest items: the lab keeps the last N frames, not all of them. */
export class Ring<T> {
  private items: T[] = [];
  private start = 0;
  /** Items ever pushed, including those dropped. */
  total = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    this.total++;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  get length(): number {
    return this.items.length;
  }

  /** The i-th kept item, oldest first. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.items.length) return undefined;
    return this.items[(this.start + i) % this.items.length];
  }

  /** The last `n` items, oldest first. */
  tail(n: number): T[] {
    const out: T[] = [];
    for (let i = Math.max(0, this.items.length - n); i < this.items.length; i++) out.push(this.at(i) as T);
    return out;
  }
}
