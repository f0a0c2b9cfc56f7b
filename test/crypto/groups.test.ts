import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { bigintToBytes } from '../../src/crypto/bytes.ts';
import { GROUPS, modPow } from '../../src/crypto/groups.ts';

describe('RFC 3526 groups', () => {
  it('group 14 is the 2048-bit prime printed in RFC 3526 s.3', () => {
    const hex = GROUPS.modp14.p.toString(16).toUpperCase();
    assert.equal(hex.length, 512);
    // First and last words of the RFC's listing; the formula's 2^2048 - 2^1984 - 1 + 2^64 * (...)
    // makes the top and bottom 64 bits all ones.
    assert.ok(hex.startsWith('FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1'));
    assert.ok(hex.endsWith('15728E5A8AACAA68FFFFFFFFFFFFFFFF'));
    assert.equal(GROUPS.modp14.g, 2n);
    assert.equal(GROUPS.modp14.byteLength, 256);
  });

  for (const group of Object.values(GROUPS)) {
    it(`${group.name} matches OpenSSL's copy and is a safe prime`, () => {
      assert.deepEqual(
        Buffer.from(bigintToBytes(group.p, group.byteLength)),
        crypto.getDiffieHellman(group.name).getPrime(),
      );
      assert.equal(group.q * 2n + 1n, group.p);
      assert.ok(crypto.checkPrimeSync(group.p, { checks: 2 }));
      assert.ok(crypto.checkPrimeSync(group.q, { checks: 2 }));
    });
  }
});

describe('modPow', () => {
  it('computes small cases, and refuses a negative exponent or a modulus below 1', () => {
    assert.equal(modPow(5n, 3n, 23n), 10n); // 125 = 5 * 23 + 10
    assert.equal(modPow(-2n, 3n, 7n), 6n); // -8 = -2 * 7 + 6
    assert.equal(modPow(9n, 0n, 1n), 0n);
    assert.throws(() => modPow(5n, -1n, 23n), /exponent must not be negative/);
    assert.throws(() => modPow(5n, 2n, 0n), /modulus must be positive/);
  });
});
