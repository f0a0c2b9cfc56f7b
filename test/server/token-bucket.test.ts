import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../src/server/token-bucket.ts';

describe('token bucket (unit, fake clock)', () => {
  it('a burst of twice the rate, then the rate per second, never more than the burst saved up', () => {
    let now = 0;
    const bucket = new TokenBucket(5, () => now);
    const takes = (n: number) => Array.from({ length: n }, () => bucket.take()).filter(Boolean).length;
    assert.equal(takes(20), 10);
    now += 1000;
    assert.equal(takes(20), 5);
    now += 200;
    assert.equal(takes(20), 1);
    now += 60_000; // a long pause saves up one burst, not a minute's worth
    assert.equal(takes(100), 10);
  });

  it('is full again once everything spent has been earned back', () => {
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    assert.equal(bucket.full, true);
    bucket.take();
    assert.equal(bucket.full, false);
    now += 99;
    assert.equal(bucket.full, false);
    now += 1;
    assert.equal(bucket.full, true);
  });

  it('an unlimited rate never refuses and is always full', () => {
    const bucket = new TokenBucket(Infinity, () => 0);
    for (let i = 0; i < 10_000; i++) assert.equal(bucket.take(), true);
    assert.equal(bucket.full, true);
  });
});
