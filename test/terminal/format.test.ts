import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bigintToBytes, bytesToBigint } from '../../src/crypto/bytes.ts';
import { formatBytes, formatEncodedNumber, formatNumber } from '../../src/terminal/format.ts';

describe('the one value formatter (fidelity 4a)', () => {
  it('numbers below 2^64 are decimal; larger ones hex with their own bit length', () => {
    assert.equal(formatNumber(18n), '18');
    assert.equal(formatNumber((1n << 64n) - 1n), '18446744073709551615');
    assert.equal(formatNumber(1n << 64n), '10000000000000000 (65 bits)');
    assert.equal(formatNumber((1n << 255n) + 7n), '80000000…00000007 (256 bits)');
  });

  it('an encoded number: 0 is "0", a padded one says its bits and its bytes apart', () => {
    assert.equal(formatEncodedNumber(new Uint8Array(256)), '0');
    const y = bigintToBytes((1n << 2039n) + 1n, 256); // 2040 bits: one leading zero byte
    assert.equal(
      formatEncodedNumber(y),
      `${Buffer.from(y).toString('hex').slice(0, 8)}…00000001 (2040 bits, 256 bytes)`,
    );
    assert.equal(formatEncodedNumber(bigintToBytes((1n << 254n) + 3n, 32)), '40000000…00000003 (255 bits)');
    assert.equal(formatBytes(new Uint8Array(32).fill(0xab)), 'abababab…abababab (256 bits)');
  });

  it("property: decimal when and only when below 2^64, and the hex shown is the encoding's own", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        const n = bytesToBigint(bytes);
        const shown = formatEncodedNumber(bytes, { full: true });
        if (n < 1n << 64n) assert.equal(shown, n.toString(10));
        else {
          const [hex, bits] = shown.split(' (');
          assert.equal(hex, Buffer.from(bytes).toString('hex'));
          assert.ok(bits?.startsWith(`${n.toString(2).length} bits`));
        }
      }),
    );
  });
});
