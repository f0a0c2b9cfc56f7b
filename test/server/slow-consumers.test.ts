import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QUEUE_DEFAULTS, SlowConsumers } from '../../src/server/slow-consumers.ts';

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
  const slow = new SlowConsumers<FakeMember>(
    limits,
    (m, why) => dropped.push(`${m.name}: ${why}`),
    () => now,
  );
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

  it("the server's own stall is not a member's lag: a sweep that comes late does not count the delay", () => {
    let now = 0;
    const dropped: string[] = [];
    const slow = new SlowConsumers<FakeMember>(
      QUEUE_DEFAULTS,
      (m) => dropped.push(m.name),
      () => now,
      250,
    );
    const m = new FakeMember('m', 10);
    slow.written(m);
    slow.sweep();
    // The event loop was blocked 6 s (the room's own fan-out): the member had no chance to read.
    now += 6000;
    slow.sweep();
    assert.deepEqual(dropped, []);
    // Then it really lags: 5 s of sweeps on time with its queue never empty.
    for (let t = 0; t <= 5000; t += 250) {
      now += 250;
      slow.sweep();
    }
    assert.deepEqual(dropped, ['m']);
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
    const members = [
      new FakeMember('a', 900),
      new FakeMember('b', 800),
      new FakeMember('c', 700),
      new FakeMember('d', 600),
    ];
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

  it('the defaults: 4 MiB per member, 5 s of lag, 128 MiB in all', () => {
    assert.deepEqual(QUEUE_DEFAULTS, {
      maxQueueBytes: 4 * 1024 * 1024,
      slowConsumerMs: 5000,
      maxTotalQueueBytes: 128 * 1024 * 1024,
    });
  });

  it('exactly the cap is allowed; the lag clock starts at the first byte queued, and the message says how long', () => {
    const { slow, dropped, advance } = policy();
    advance(100);
    const m = new FakeMember('m', 1000);
    slow.written(m);
    assert.equal(dropped.length, 0, 'at the cap, not over it');
    const idle = new FakeMember('idle', 0);
    slow.written(idle); // nothing queued: no clock starts
    assert.equal(slow.behindCount, 1);
    advance(6000);
    idle.queued = 10;
    slow.written(idle); // its clock starts now, not at the write of an empty queue 6 s ago
    advance(1234);
    slow.sweep(); // m has lagged 7,234 ms (since t = 100); idle 1,234 ms
    assert.deepEqual(dropped, ['m: its queue has not been empty for 7234 ms (1000 bytes waiting; limit 5000 ms)']);
    assert.equal(slow.behindCount, 1);
  });

  it('exactly the total budget is allowed; ties go to the one that fell behind first; one byte each still counts', () => {
    const even = policy({ maxQueueBytes: 1000, slowConsumerMs: 5000, maxTotalQueueBytes: 1600 });
    const [a, b] = [new FakeMember('a', 800), new FakeMember('b', 800)];
    even.slow.written(a);
    even.slow.written(b);
    even.slow.sweep();
    assert.equal(even.dropped.length, 0, '1600 of 1600');
    b.queued = 801;
    a.queued = 801;
    even.slow.sweep();
    assert.deepEqual(
      even.dropped.map((d) => d.split(':')[0]),
      ['a'],
    );

    const tiny = policy({ maxQueueBytes: 1000, slowConsumerMs: 5000, maxTotalQueueBytes: 1 });
    const [c, d] = [new FakeMember('c', 1), new FakeMember('d', 1)];
    tiny.slow.written(c);
    tiny.slow.written(d);
    tiny.slow.sweep();
    assert.deepEqual(tiny.dropped, ['c: all queues together passed 1 bytes and its was the largest (1 bytes)']);
  });
});
