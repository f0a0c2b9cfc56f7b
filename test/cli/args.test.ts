import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intOption, numberOption } from '../../src/cli/args.ts';

describe('numeric options', () => {
  it('intOption takes whole numbers in range only', () => {
    assert.equal(intOption({ port: '5068' }, 'port', 1, 65535), 5068);
    for (const bad of ['8080.5', '1e3', '-1', '65536', '0x10', ' 80', ''])
      assert.throws(
        () => intOption({ port: bad }, 'port', 1, 65535),
        /ERR_USAGE|must be a whole number from 1 to 65535/,
        bad,
      );
  });

  it('numberOption takes decimals in range (seconds, rates)', () => {
    assert.equal(numberOption({ 'time-limit': '0.5' }, 'time-limit', 0.1, 600), 0.5);
    assert.equal(numberOption({ 'time-limit': '600' }, 'time-limit', 0.1, 600), 600);
    for (const bad of ['0.05', '1e2', '.5', '601', 'two'])
      assert.throws(
        () => numberOption({ 'time-limit': bad }, 'time-limit', 0.1, 600),
        /must be a number from 0.1 to 600/,
        bad,
      );
  });
});
