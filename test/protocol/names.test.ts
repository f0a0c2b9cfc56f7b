import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { describeCodePoint, nameKeys, nameProblem } from '../../src/protocol/names.ts';

describe('the name profile (docs/PROTOCOL.md s.6.1)', () => {
  it('accepts ordinary names in many scripts', () => {
    for (const name of [
      'alice',
      'Bob',
      'José Ñuñez',
      "o'brien",
      'mary-jane',
      'r2_d2',
      'dr.who',
      '山田太郎',
      'やまだ',
      '山田たろう',
      '김철수',
      'Ελένη',
      'Борис',
      'नमस्ते',
      'محمد',
      'x'.repeat(32),
    ]) {
      assert.equal(nameProblem(name), null, name);
    }
  });

  it('refuses invisible, control, symbol and mixed-script names, saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['alice\u034f', /U\+034F COMBINING GRAPHEME JOINER, which is invisible/],
      ['alice\ufe0f', /U\+FE0F VARIATION SELECTOR-16, which is invisible/],
      ['\u3164', /U\+3164 HANGUL FILLER, which is invisible/],
      ['x\u115f', /U\+115F HANGUL CHOSEONG FILLER, which is invisible/],
      ['x\u1160', /U\+1160 HANGUL JUNGSEONG FILLER, which is invisible/],
      ['x\u17b4', /U\+17B4 KHMER VOWEL INHERENT AQ, which is invisible/],
      ['\u2800', /U\+2800 BRAILLE PATTERN BLANK/],
      ['\u0430lice', /mixes scripts: Cyrillic .* and Latin/],
      ['alice> hey <bob', /U\+003E GREATER-THAN SIGN/],
      ['eve\nbob', /U\+000A/],
      ['evil\u202e', /U\+202E RIGHT-TO-LEFT OVERRIDE/],
      ['zero\u200bwidth', /U\+200B ZERO WIDTH SPACE, which is invisible/],
      ['a\u00a0b', /U\+00A0 NO-BREAK SPACE/],
      ['wave👋', /U\+1F44B WAVING HAND SIGN/],
      ['', /empty/],
      ['x'.repeat(33), /33 characters, the limit is 32/],
      [' alice', /start with a letter or digit/],
      ['alice ', /end with/],
      ['a  b', /two separators/],
      ['e\u0301', /NFC/],
      ['x\u0301\u0302\u0303\u0304', /combining marks/],
    ];
    for (const [name, why] of cases) assert.match(nameProblem(name) ?? 'accepted', why, JSON.stringify(name));
  });

  it('refuses a dot above on a letter that already has one (UTS #39 s.5.4: ali\u0307ce beside alice)', () => {
    assert.match(nameProblem('ali\u0307ce') ?? '', /U\+0307 COMBINING DOT ABOVE on "i", which already has a dot/);
    assert.match(nameProblem('j\u0307ane') ?? '', /U\+0307/);
    assert.match(nameProblem('\u0456\u0307\u0440\u0430') ?? '', /U\+0307/); // Cyrillic і is soft-dotted too
    assert.equal(nameProblem('Zoë'), null);
    assert.equal(nameProblem('ċeċilja'), null); // a dot above a letter without one is a letter of its own (Maltese)
  });

  it('gives confusable and case variants one key (UTS #39 skeleton)', () => {
    const clash = (a: string, b: string) => nameKeys(a).some((key) => nameKeys(b).includes(key));
    for (const lookalike of ['Alice', 'ALICE', 'a1ice', 'aIice']) assert.ok(clash(lookalike, 'alice'), lookalike);
    assert.ok(clash('\u0430\u0441\u0435', 'ace'), 'Cyrillic асе');
    assert.ok(!clash('alicia', 'alice'));
    assert.ok(!clash('bob', 'alice'));
    assert.ok(clash('b0b', 'bob'));
    assert.ok(clash('rn', 'm'));
  });

  it('property: the key ignores case', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,12}$/), (name) => {
        assert.deepEqual(nameKeys(name.toUpperCase())[0], nameKeys(name)[0]);
      }),
    );
  });

  it('places every letter in a script: Han goes with kana, Hangul and Bopomofo, and with nothing else', () => {
    // UTS #39 s.5.1 augmented sets: Jpan = Han + kana, Kore = Han + Hangul, Hanb = Han + Bopomofo.
    for (const name of [
      '山田たろう',
      'タナカ山',
      'カタかな',
      '金철수',
      '김金',
      '山ㄅ',
      'ㄅㄆ山',
      'q\u0301uan',
      'x\u0301\u0302\u0303',
    ]) {
      assert.equal(nameProblem(name), null, name);
    }
    for (const [name, why] of [
      ['ㄅ김', /mixes scripts: Bopomofo .* and Hangul/],
      ['김た', /mixes scripts: Hangul .* and Hiragana/],
      ['ㄅた', /mixes scripts: Bopomofo .* and Hiragana/],
      ['山a', /mixes scripts: Han .* and Latin/],
      ['a山', /mixes scripts: Latin .* and Han/],
    ] as const) {
      assert.match(nameProblem(name) ?? 'accepted', why, name);
    }
    // A letter from a script newer than the server's script tables (Vithkuqi, Unicode 14) is
    // refused rather than taken for "Common", which would let it sit beside any script.
    assert.match(nameProblem('a\u{10570}') ?? 'accepted', /U\+10570 .*cannot place in a script/);
  });

  it('says which rule a character breaks', () => {
    assert.match(nameProblem('a\x07b') ?? '', /U\+0007 .*, a control or format character$/);
    assert.match(nameProblem('a\nb') ?? '', /U\+000A .*, a control or format character$/);
    assert.match(nameProblem('a\u00a0b') ?? '', /U\+00A0 NO-BREAK SPACE; the only space allowed is U\+0020 SPACE$/);
    assert.match(nameProblem('a\u2003b') ?? '', /U\+2003 EM SPACE; the only space allowed is U\+0020 SPACE$/);
    assert.match(
      nameProblem('a>b') ?? '',
      /U\+003E GREATER-THAN SIGN; a name has letters, digits, combining marks and - _ \. ' or single spaces$/,
    );
  });

  it('refuses a dot above after a dot below on a soft-dotted letter (j\u0323\u0307 has no composed form)', () => {
    assert.match(nameProblem('j\u0323\u0307ane') ?? 'accepted', /U\+0307 COMBINING DOT ABOVE on "j"/);
  });

  it('three combining marks on a letter are allowed, four are not', () => {
    assert.equal(nameProblem('x\u0301\u0302\u0303'), null);
    assert.match(nameProblem('x\u0301\u0302\u0303\u0304') ?? '', /more than 3 combining marks/);
  });

  it('the keys: one when case-folding and look-alike mapping agree, two when they do not; i is not l', () => {
    assert.deepEqual(nameKeys('alice'), ['alice']);
    const clash = (a: string, b: string) => nameKeys(a).some((key) => nameKeys(b).includes(key));
    assert.ok(!clash('i', 'l'), 'i and l differ: only capital I looks like l');
    assert.ok(!clash('ali', 'all'));
    assert.ok(clash('alI', 'all'));
    assert.ok(nameKeys('aIice').length === 2, 'aIice: folded first gives "aiice", mapped first gives "alice"');
  });

  it('names code points as Unicode does', () => {
    assert.equal(describeCodePoint('\u034f'), 'U+034F COMBINING GRAPHEME JOINER');
    assert.equal(describeCodePoint('\x1b'), 'U+001B ESCAPE');
  });
});
