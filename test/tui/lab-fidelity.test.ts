// Fidelity issue, item 1: the screen never shows a cell the lab did not mean to draw. Drives the
// lab and a scenario in tmux at 80x24 and 200x50 through every view, detail, encoding, help, an
// expanded frame, a resize, and steps forward and back; after each key it checks that (a) every
// row inside every box has its border at the box's columns, counted in terminal cells, and (b)
// the screen equals what a full redraw (Ctrl-L) draws.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { displayWidth } from '../../src/terminal/width.ts';
import { Tmux } from './tmux.ts';
import { unlessInstalled } from '../support/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VERTICAL = new Set(['│', '├', '┤', '┼']);

/** A captured row as terminal cells: a two-cell character is followed by an empty cell. */
function cells(row: string): string[] {
  const out: string[] = [];
  for (const char of row) {
    out.push(char);
    if (displayWidth(char) === 2) out.push('');
  }
  return out;
}

/** Every box (┌ … ┐ down to └) has its two side borders on every row between, at the same cells. */
export function borderProblems(screen: string): string[] {
  const rows = screen.split('\n').map(cells);
  const problems: string[] = [];
  rows.forEach((row, top) => {
    row.forEach((cell, left) => {
      if (cell !== '┌') return;
      const right = row.indexOf('┐', left + 1);
      if (right < 0) return problems.push(`row ${top}: ┌ at cell ${left} has no ┐`);
      const bottom = rows.findIndex((r, i) => i > top && r[left] === '└');
      if (bottom < 0) return problems.push(`row ${top}: the box at cell ${left} has no └`);
      if (rows[bottom]?.[right] !== '┘')
        problems.push(`row ${bottom}: the box from (${top}, ${left}) ends without ┘ at cell ${right}`);
      for (let r = top + 1; r < bottom; r++) {
        for (const c of [left, right]) {
          if (!VERTICAL.has(rows[r]?.[c] ?? ''))
            problems.push(
              `row ${r}: cell ${c} is "${rows[r]?.[c] ?? ''}", not the border of the box at (${top}, ${left}): ${screen.split('\n')[r]}`,
            );
        }
      }
    });
  });
  return problems;
}

/** The screen once it stops changing (the lab redraws at most ~30 times a second). */
async function settled(term: Tmux): Promise<string> {
  let last = term.capture();
  for (let stable = 0; stable < 3;) {
    await new Promise((resolve) => setTimeout(resolve, 60));
    const now = term.capture();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

async function check(term: Tmux, what: string, { boxes = true } = {}): Promise<string> {
  const screen = await settled(term);
  if (boxes) assert.deepEqual(borderProblems(screen), [], `${what}: borders\n${screen}`);
  term.keys('C-l');
  const redrawn = await settled(term);
  assert.equal(screen, redrawn, `${what}: the screen differs from a full redraw`);
  return screen;
}

describe(
  'the lab draws exactly what it means to (tmux)',
  { skip: unlessInstalled(Tmux.available(), 'tmux is not installed') },
  () => {
    const terms: Tmux[] = [];
    after(() => terms.forEach((t) => t.kill()));

    for (const [width, height] of [
      [80, 24],
      [200, 50],
    ] as const) {
      it(`npm start at ${width}x${height}: every view, detail, encoding, help, an expanded frame and a resize`, async () => {
        const term = Tmux.start(`sh -c 'cd ${ROOT} && npm start --silent'`, { width, height });
        terms.push(term);
        await term.waitForScreen((s) => s.includes('✓ established') && s.includes('carol joined'), 'the lab to start');
        await term.waitForInput();
        await check(term, 'start');
        term.keys('i');
        await term.waitForScreen((s) => !s.includes('press i to type as alice'), 'the input line');
        term.type('meet 🔒 at 10 😀 漢字');
        term.keys('Enter');
        await term.waitForScreen((s) => s.includes('<alice> meet'), 'the echo');
        await check(term, 'after typing');
        for (const key of ['5', '1', '5', '2', '3', '4', 'd', 'x', '5', 'c', 'd', 'x', '1']) {
          term.keys(key);
          await check(term, `after ${key}`);
        }
        term.keys('Right', 'Up', 'Enter');
        await check(term, 'a frame expanded', { boxes: false });
        term.keys('Escape');
        await check(term, 'the frame closed');
        term.keys('?');
        await check(term, 'help', { boxes: false });
        term.keys('Escape');
        term.keys('5');
        await check(term, "Eve's view again");
        term.resize(width + 17, height + 5);
        await check(term, 'after a resize');
        term.keys('q');
      });
    }

    it('a scenario with Eve stepped forward and back at 80x24', async () => {
      const term = Tmux.start(`sh -c 'cd ${ROOT} && node bin/dhlab.js scenario 03-eve-passive'`, {
        width: 80,
        height: 24,
      });
      terms.push(term);
      await term.waitForScreen((s) => s.includes('step 0/') || s.includes('seed'), 'the scenario');
      await term.waitForInput();
      for (const key of ['Space', 'Space', 'Space', 'Left', 'Space', 'Space', 'Left', 'Left']) {
        term.keys(key);
        await check(term, `after ${key}`);
      }
      term.keys('q');
    });
  },
);
