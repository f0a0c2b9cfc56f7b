import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caretUnder } from '../../src/cli/exercise-command.ts';

describe('the caret under a wrong answer', () => {
  it('points at the first differing character, in columns as shown (wide characters count two)', () => {
    assert.equal(caretUnder('abcdef', 'abXdef', '> '), '>   ^ first difference (character 3)');
    assert.equal(caretUnder('名前abc', '名前abd', ''), '      ^ first difference (character 5)');
    assert.equal(caretUnder('abc', 'abcd', ''), '   ^ first difference (character 4)', 'one longer: under its extra');
    assert.equal(caretUnder('abc', '', ''), '^ first difference (character 1)');
  });
});
