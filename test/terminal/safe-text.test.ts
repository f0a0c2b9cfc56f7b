import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { safeBytes, safeExcerpt, safeJson, safeStyledText, safeText } from '../../src/terminal/safe-text.ts';
import { FORBIDDEN_ON_SCREEN, HOSTILE_STRINGS } from '../support/hostile-corpus.ts';

const FORBIDDEN_ANYWHERE = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufff9-\ufffb]/u;

describe('safeText: peer text made safe for a terminal', () => {
  it('turns every control into a visible escape', () => {
    assert.equal(safeText('\x1b[2J'), '\\x1b[2J');
    assert.equal(safeText('a\rb\nc\td'), 'a\\rb\\nc\\td');
    assert.equal(safeText('\x9b31m'), '\\x9b31m');
    assert.equal(safeText('x\x7fy\x00'), 'x\\x7fy\\x00');
    assert.equal(safeText('evil\u202egnp.exe'), 'evil\\u202egnp.exe');
    assert.equal(safeText('a\u2028b\u2029'), 'a\\u2028b\\u2029');
    assert.equal(safeText('\ud800'), '\\ud800');
    // Escapes are fixed width: two hex digits up to U+00FF, four above (U+061C ARABIC LETTER MARK).
    assert.equal(safeText('\x07\x85\x9f\u061c\u200e'), '\\x07\\x85\\x9f\\u061c\\u200e');
  });

  it('leaves printable text, emoji sequences and combining marks alone', () => {
    for (const text of [
      'hello',
      'café ☕ naïve 日本語',
      '👨‍👩‍👧 family',
      'e\u0301',
      '{bold}not a tag here{/bold}',
      'C:\\path\\x1b',
    ]) {
      assert.equal(safeText(text), text);
    }
  });

  it('leaves nothing of the hostile corpus a terminal would obey', () => {
    for (const text of HOSTILE_STRINGS) {
      const safe = safeText(text);
      assert.doesNotMatch(safe, FORBIDDEN_ON_SCREEN, JSON.stringify(text));
      assert.ok(!safe.includes('\n'), JSON.stringify(text));
    }
  });

  it('property: no output ever holds a control, bidi control, separator or lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
        assert.doesNotMatch(safeText(text), FORBIDDEN_ANYWHERE);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: safe text is unchanged and escaping is idempotent on its output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
        const once = safeText(text);
        assert.equal(safeText(once), once);
        if (!FORBIDDEN_ANYWHERE.test(text)) assert.equal(once, text);
      }),
      { numRuns: 2000 },
    );
  });

  it('excerpts cut by code points and stay safe; bytes show as latin1', () => {
    assert.equal(safeExcerpt('👋'.repeat(5), 3), '👋👋👋…');
    assert.equal(safeExcerpt('abc', 3), 'abc', 'a text of exactly the limit is not cut');
    assert.equal(safeExcerpt('\x1b]0;t\x07', 10), '\\x1b]0;t\\x07');
    assert.equal(safeBytes(Buffer.from('HTTP/1.0 400 Bad request\r\n')), 'HTTP/1.0 400 Bad request\\r\\n');
  });
});

describe("safeStyledText and safeJson: the output gate's two other forms", () => {
  it("keeps dhlab's own colour codes and escapes every other control", () => {
    assert.equal(
      safeStyledText('\x1b[31mred\x1b[0m and \x1b]0;title\x07'),
      '\x1b[31mred\x1b[0m and \\x1b]0;title\\x07',
    );
    assert.equal(safeStyledText('\x1b[2J'), '\\x1b[2J');
  });

  it('for any string: nothing but SGR sequences carries an ESC; text between is safeText', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = safeStyledText(text);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(out.replace(/\x1b\[[0-9;]*m/g, ''), /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
      }),
    );
  });

  it('for any value: one JSON line with no terminal control that parses back to the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        for (const v of [value, { text }]) {
          const line = safeJson(v);
          assert.doesNotMatch(line, /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\p{Cs}/u);
          assert.deepEqual(JSON.parse(line), JSON.parse(JSON.stringify(v)));
        }
      }),
    );
  });
});
