import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admission, NO_ADMISSION_LIMITS } from '../../src/server/admission.ts';

describe('admission control per address (unit)', () => {
  it('caps open connections per address, and other addresses are not affected', () => {
    let now = 0;
    const a = new Admission({ maxPerAddress: 3, maxHandshakesPerAddress: 100, connectRatePerAddress: 100 }, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(a.admit('10.0.0.1').admitted, true);
      a.handshakeDone('10.0.0.1');
    }
    const refused = a.admit('10.0.0.1');
    assert.equal(refused.admitted, false);
    assert.match(
      refused.admitted ? '' : refused.why,
      /10\.0\.0\.1 already has 3 connections open \(limit 3 per address\)/,
    );
    assert.equal(a.admit('10.0.0.2').admitted, true);
    a.release('10.0.0.1', false);
    now += 1000;
    assert.equal(a.admit('10.0.0.1').admitted, true, 'a slot freed by a close can be used again');
  });

  it('caps handshakes in progress separately from members', () => {
    const a = new Admission({ maxPerAddress: 100, maxHandshakesPerAddress: 2, connectRatePerAddress: 100 }, () => 0);
    assert.equal(a.admit('x').admitted, true);
    assert.equal(a.admit('x').admitted, true);
    assert.match(JSON.stringify(a.admit('x')), /2 handshakes in progress/);
    a.handshakeDone('x');
    assert.equal(a.admit('x').admitted, true, 'a finished handshake frees a handshake slot');
    a.release('x', true); // one that never finished closes
    assert.equal(a.admit('x').admitted, true);
  });

  it('limits the connection rate with a token bucket (bursts of twice the rate)', () => {
    let now = 0;
    const a = new Admission(
      { maxPerAddress: 1000, maxHandshakesPerAddress: 1000, connectRatePerAddress: 5 },
      () => now,
    );
    let admitted = 0;
    for (let i = 0; i < 50; i++) if (a.admit('y').admitted) admitted++;
    assert.equal(admitted, 10, 'a burst of 2 x rate');
    assert.match(JSON.stringify(a.admit('y')), /faster than 5 a second/);
    now += 1000; // one second refills 5 tokens
    admitted = 0;
    for (let i = 0; i < 50; i++) if (a.admit('y').admitted) admitted++;
    assert.equal(admitted, 5);
  });

  it('forgets idle addresses, so refused or departed sources cost no memory', () => {
    let now = 0;
    const a = new Admission({ maxPerAddress: 10, maxHandshakesPerAddress: 10, connectRatePerAddress: 10 }, () => now);
    for (let i = 0; i < 100; i++) a.admit(`10.1.0.${i}`);
    assert.equal(a.trackedAddresses, 100);
    now += 10_000;
    for (let i = 0; i < 100; i++) a.release(`10.1.0.${i}`, true);
    assert.equal(a.trackedAddresses, 0);
  });

  it('no limits admits everything', () => {
    const a = new Admission(NO_ADMISSION_LIMITS);
    for (let i = 0; i < 10_000; i++) assert.equal(a.admit('z').admitted, true);
  });
});

describe('admission control: releases count exactly', () => {
  it('a closed connection frees exactly one slot, and a finished handshake exactly one handshake slot', () => {
    const a = new Admission({ maxPerAddress: 2, maxHandshakesPerAddress: 1, connectRatePerAddress: 1000 }, () => 0);
    assert.equal(a.admit('x').admitted, true);
    assert.equal(a.admit('x').admitted, false, 'one handshake at a time');
    a.handshakeDone('x');
    assert.equal(a.admit('x').admitted, true);
    a.handshakeDone('x');
    assert.equal(a.admit('x').admitted, false, 'two open: full');
    a.release('x', false);
    assert.equal(a.admit('x').admitted, true, 'one freed');
    assert.equal(a.admit('x').admitted, false, 'only one');
    a.handshakeDone('x');
    a.handshakeDone('x'); // a stray extra call must not make room for two handshakes
    a.release('x', false);
    a.release('x', false);
    a.release('x', false); // more releases than connections: the count stays at zero
    assert.equal(a.admit('x').admitted, true);
    assert.equal(a.admit('x').admitted, false, 'handshake slot taken again');
  });
});

describe('admission control: what it remembers', () => {
  it('an address with connections open is never forgotten, even with the rate unlimited', () => {
    const a = new Admission(
      { maxPerAddress: 1, maxHandshakesPerAddress: 10, connectRatePerAddress: Infinity },
      () => 0,
    );
    assert.equal(a.admit('x').admitted, true);
    assert.equal(a.admit('x').admitted, false);
    assert.equal(a.admit('x').admitted, false, 'the refusal did not reset its count');
    assert.equal(a.trackedAddresses, 1);
    a.release('x', true);
    assert.equal(a.trackedAddresses, 0, 'nothing open, no bucket to refill: forgotten');
  });

  it('an address is forgotten only once its bucket is full again, so leaving does not refill it', () => {
    let now = 0;
    const a = new Admission({ maxPerAddress: 100, maxHandshakesPerAddress: 100, connectRatePerAddress: 10 }, () => now);
    for (let i = 0; i < 15; i++) {
      assert.equal(a.admit('x').admitted, true);
      a.release('x', true);
    }
    assert.equal(a.trackedAddresses, 1, '5 of 20 tokens left: still tracked');
    let more = 0;
    while (a.admit('x').admitted) more++;
    assert.equal(more, 5);
    for (let i = 0; i < more; i++) a.release('x', true);
    now += 1999;
    a.release('x', true); // a stray release: refills, but 19.99 tokens are not a full bucket
    assert.equal(a.trackedAddresses, 1);
    now += 1;
    a.release('x', true);
    assert.equal(a.trackedAddresses, 0);
  });

  it('every 1,024th admission sweeps out idle addresses, and not before', () => {
    let now = 0;
    const a = new Admission({ maxPerAddress: 10, maxHandshakesPerAddress: 10, connectRatePerAddress: 10 }, () => now);
    for (let i = 0; i < 1000; i++) {
      a.admit(`10.2.${i >> 8}.${i & 255}`);
      a.release(`10.2.${i >> 8}.${i & 255}`, true); // each keeps state: its bucket is one token short
    }
    assert.equal(a.trackedAddresses, 1000);
    now += 10_000; // every bucket is full again, but nobody has looked
    for (let i = 1; i <= 23; i++) a.admit(`10.3.0.${i}`); // admissions 1,001 to 1,023: no sweep yet
    assert.equal(a.trackedAddresses, 1023);
    a.admit('10.3.0.24'); // the 1,024th admission sweeps
    assert.equal(a.trackedAddresses, 24, 'only the newcomers, each with a connection open');
  });

  it('a member closing frees no handshake slot; a handshake closing frees exactly one', () => {
    const a = new Admission({ maxPerAddress: 100, maxHandshakesPerAddress: 2, connectRatePerAddress: 1000 }, () => 0);
    assert.equal(a.admit('x').admitted, true);
    a.handshakeDone('x'); // a member
    assert.equal(a.admit('x').admitted, true);
    assert.equal(a.admit('x').admitted, true); // two handshakes in progress
    a.release('x', false); // the member leaves
    assert.equal(a.admit('x').admitted, false, 'still two handshakes in progress');
    a.release('x', true); // one handshake gives up
    assert.equal(a.admit('x').admitted, true, 'one slot, exactly');
    assert.equal(a.admit('x').admitted, false);
  });

  it('a refusal leaves no state for a new address that is refused outright', () => {
    const a = new Admission({ maxPerAddress: 0, maxHandshakesPerAddress: 10, connectRatePerAddress: 10 }, () => 0);
    assert.equal(a.admit('y').admitted, false);
    assert.equal(a.trackedAddresses, 0);
  });
});
