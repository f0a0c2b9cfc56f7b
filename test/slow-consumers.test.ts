import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlowConsumers } from '../src/slow-consumers.ts';

class FakeMember {
  constructor(
    readonly name: string,
    public queued = 0,
  ) {}
  queuedBytes(): number {
    return this.queued;
  }
}

function policy(limits = { maxQueueBytes: 1000, slowConsumerMs: 5000, maxTotalQueueBytes: 2500 }) {
  let now = 0;
  const dropped: string[] = [];
  const slow = new SlowConsumers<FakeMember>(limits, (m, why) => dropped.push(`${m.name}: ${why}`), () => now);
  return { slow, dropped, advance: (ms: number) => (now += ms) };
}

describe('slow consumers (unit, fake clock)', () => {
  it('a queue over the size cap is dropped at once', () => {
    const { slow, dropped } = policy();
    const m = new FakeMember('m', 1001);
    slow.written(m);
    assert.match(dropped[0] ?? '', /^m: 1001 bytes queued for it \(cap 1000\)/);
  });

  it('lag is time since the queue was last empty: a reader that drains a little but never empties is dropped', () => {
    const { slow, dropped, advance } = policy();
    const m = new FakeMember('m', 10);
    slow.written(m);
    for (let t = 0; t < 4900; t += 250) {
      advance(250);
      m.queued = Math.max(1, m.queued - 5) + 8; // it reads, but the room sends more than it reads
      slow.written(m);
      slow.sweep();
    }
    assert.deepEqual(dropped, []);
    advance(400);
    slow.sweep();
    assert.match(dropped[0] ?? '', /^m: its queue has not been empty for 5\d\d\d ms/);
  });

  it('a member whose queue empties now and then is never dropped, however long it is busy', () => {
    const { slow, dropped, advance } = policy();
    const m = new FakeMember('m', 500);
    for (let i = 0; i < 100; i++) {
      slow.written(m);
      advance(1000);
      slow.sweep();
      if (i % 3 === 0) slow.emptied(m); // seen empty before a write, or a drain
    }
    assert.deepEqual(dropped, []);
  });

  it('the total is kept under its budget by dropping the largest queues first', () => {
    const { slow, dropped } = policy();
    const members = [new FakeMember('a', 900), new FakeMember('b', 800), new FakeMember('c', 700), new FakeMember('d', 600)];
    for (const m of members) slow.written(m);
    slow.sweep(); // 3000 > 2500: drop a (900) -> 2100
    assert.equal(dropped.length, 1);
    assert.match(dropped[0] ?? '', /^a: all queues together passed 2500 bytes and its was the largest \(900 bytes\)/);
    assert.equal(slow.behindCount, 3);
  });

  it('an emptied queue is forgotten', () => {
    const { slow } = policy();
    const m = new FakeMember('m', 5);
    slow.written(m);
    assert.equal(slow.behindCount, 1);
    m.queued = 0;
    slow.sweep();
    assert.equal(slow.behindCount, 0);
  });
});
