import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Announcements } from '../../src/server/announcements.ts';
import { waitFor } from '../support/helpers.ts';

function room(burst = 3) {
  let now = 0;
  const lines: string[] = [];
  const a = new Announcements<string>(
    (m) => lines.push(`+${m}`),
    (m) => lines.push(`-${m}`),
    burst,
    () => now,
  );
  return { a, lines, advance: (ms: number) => (now += ms) };
}

describe('join and leave announcements (unit)', () => {
  it('in a calm room, every join and leave at once', () => {
    const { a, lines, advance } = room();
    a.joined('alice');
    advance(2000);
    a.joined('bob');
    a.left('alice');
    assert.deepEqual(lines, ['+alice', '+bob', '-alice']);
  });

  it('in a burst, joins are held; one who leaves while held is never announced', () => {
    const { a, lines } = room(3);
    for (const m of ['a', 'b', 'c', 'd', 'e']) a.joined(m);
    assert.deepEqual(lines, ['+a', '+b', '+c']);
    assert.equal(a.heldCount, 2);
    a.left('d');
    assert.deepEqual(lines, ['+a', '+b', '+c'], 'd came and went unseen');
    a.left('a');
    assert.deepEqual(lines.at(-1), '-a', 'an announced member is announced leaving');
  });

  it('a held member that speaks is announced first', () => {
    const { a, lines } = room(1);
    a.joined('a');
    a.joined('b');
    a.speaking('b');
    assert.deepEqual(lines, ['+a', '+b']);
    a.speaking('b');
    assert.deepEqual(lines, ['+a', '+b'], 'only once');
  });
});

describe('announcements: the burst window', () => {
  it('held joins go out in order at the calm rate, never all at once; then joins are announced at once again', async () => {
    let now = 0;
    const lines: string[] = [];
    const a = new Announcements<string>(
      (m) => lines.push(`+${m}`),
      (m) => lines.push(`-${m}`),
      2,
      () => now,
    );
    a.joined('a');
    a.joined('b');
    a.joined('c'); // held
    a.joined('d'); // held
    assert.deepEqual(lines, ['+a', '+b']);
    now += 999;
    a.joined('e'); // still within the second: held
    assert.equal(a.heldCount, 3);
    now += 2;
    await waitFor(() => lines.length > 2, 'the calm check'); // runs a second later
    assert.deepEqual(lines, ['+a', '+b', '+c', '+d'], 'two a second: e waits');
    assert.equal(a.heldCount, 1);
    now += 1001;
    await waitFor(() => lines.length > 4, 'the next calm check');
    assert.deepEqual(lines, ['+a', '+b', '+c', '+d', '+e']);
    assert.equal(a.heldCount, 0);
    now += 1001; // a second after the last release it is calm
    a.joined('f');
    assert.deepEqual(lines.at(-1), '+f', 'calm: at once');
    a.stop();
  });

  it('10,000 held joins: each calm check announces at most the burst', async () => {
    let now = 0;
    let announced = 0;
    const a = new Announcements<number>(
      () => announced++,
      () => {},
      10,
      () => now,
    );
    for (let i = 0; i < 10_000; i++) a.joined(i);
    assert.equal(announced, 10);
    now += 1001;
    await waitFor(() => announced > 10, 'the calm check');
    assert.equal(announced, 20);
    assert.equal(a.heldCount, 9_980);
    a.stop();
  });
});

describe('announcements: edges', () => {
  it('an announcement exactly one second old still counts towards a burst', () => {
    const { a, lines, advance } = room(2);
    a.joined('a');
    a.joined('b');
    advance(1000);
    a.joined('c');
    assert.deepEqual(lines, ['+a', '+b'], 'c is held');
    advance(1);
    a.joined('d');
    assert.deepEqual(lines, ['+a', '+b', '+d'], 'a second and a millisecond later: calm');
    a.stop();
  });

  it('the first held member leaving is never announced, and a member leaving twice or never seen is announced once or never', () => {
    const { a, lines } = room(1);
    a.joined('a');
    a.joined('b'); // held, first in line
    a.joined('c'); // held
    a.left('b');
    a.speaking('b');
    assert.deepEqual(lines, ['+a']);
    a.left('a');
    a.left('a');
    a.left('nobody');
    assert.deepEqual(lines, ['+a', '-a']);
    a.stop();
  });

  it('remembers at most twice the burst, however many come', () => {
    const { a } = room(3);
    for (let i = 0; i < 50; i++) {
      a.joined(`m${i}`);
      a.speaking(`m${i}`); // each is announced, so each is counted
    }
    assert.equal(a.windowEntries, 6);
    a.stop();
  });

  it('stop() cancels the calm check: nothing held is announced afterwards', async () => {
    const { a, lines, advance } = room(1);
    a.joined('a');
    a.joined('b'); // held: the calm check is scheduled
    a.joined('c'); // held: no second check
    a.stop();
    advance(5000); // calm by now: a check still running would announce b and c
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(lines, ['+a']);
  });

  it('while the room stays busy, the calm check waits another second', async () => {
    let now = 0;
    const lines: string[] = [];
    const a = new Announcements<string>(
      (m) => lines.push(`+${m}`),
      (m) => lines.push(`-${m}`),
      1,
      () => now,
    );
    a.joined('a');
    a.joined('b'); // held
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the clock of the room has not moved: still busy
    assert.deepEqual(lines, ['+a']);
    now += 1001;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.deepEqual(lines, ['+a', '+b']);
    a.stop();
  });
});

describe('announcements: a large room', () => {
  it('every join waits for the once-a-second release, which announces up to the burst together', async () => {
    let now = 0;
    const lines: string[] = [];
    let large = false;
    const a = new Announcements<string>(
      (m) => lines.push(`+${m}`),
      (m) => lines.push(`-${m}`),
      3,
      () => now,
      () => large,
    );
    a.joined('a');
    assert.deepEqual(lines, ['+a'], 'a small room: at once');
    large = true;
    now += 5000;
    for (const m of ['b', 'c', 'd', 'e']) a.joined(m);
    assert.deepEqual(lines, ['+a'], 'a large room, calm or not: held for the release');
    now += 1001;
    await waitFor(() => lines.length > 1, 'the release');
    assert.deepEqual(lines, ['+a', '+b', '+c', '+d'], 'three (the burst) together, in one callback');
    a.stop();
  });
});
