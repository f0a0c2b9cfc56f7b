import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wrapLine } from '../../src/terminal/narrate.ts';
import { displayWidth } from '../../src/terminal/width.ts';

describe('wrapLine', () => {
  it('breaks at spaces and indents continuations', () => {
    assert.deepEqual(wrapLine('aaa bbb ccc', 7, '  '), ['aaa bbb', '  ccc']);
    assert.deepEqual(wrapLine('  lead one two', 9, '  '), ['  lead', '    one', '    two']);
  });

  it('splits a word wider than a line by terminal cells, never inside a character', () => {
    assert.deepEqual(wrapLine('x'.repeat(20), 10, ''), ['xxxxxxxxxx', 'xxxxxxxxxx']);
    // 🔒 and 漢 take two cells: a 10-cell line holds five of them; surrogate pairs stay whole.
    const lines = wrapLine('🔒'.repeat(12), 10, '');
    assert.deepEqual(lines, ['🔒'.repeat(5), '🔒'.repeat(5), '🔒'.repeat(2)]);
  });

  it('for any text: every line fits the width (or is one unsplittable character) and no text is lost', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '漢', '🔒', 'é'), maxLength: 200 }),
        fc.integer({ min: 20, max: 60 }),
        (text, width) => {
          const lines = wrapLine(text, width, '    ');
          for (const line of lines)
            assert.ok(displayWidth(line) <= width || [...line.trim()].length === 1, `"${line}" is wider than ${width}`);
          assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''));
        },
      ),
    );
  });

  it('is linear: a 60,000-character word (a hostile name in --trace) wraps in well under a second', () => {
    const started = performance.now();
    const lines = wrapLine(`server -> ${'n'.repeat(60_000)} error frame`, 80);
    const ms = performance.now() - started;
    assert.ok(lines.length > 700);
    // The quadratic version took about 6 s here.
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  });
});
