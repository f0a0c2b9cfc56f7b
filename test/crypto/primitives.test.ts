// Small pieces of the crypto layer pinned exactly: byte conversions, engine lookup, HKDF's edges,
// the private-key draw, Ed25519 with malformed inputs, and the BigInt modexp of the toy groups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bigintToBytes, bytesToBigint } from '../../src/crypto/bytes.ts';
import { generatePrivateKey, PRIVATE_KEY_BYTES } from '../../src/crypto/dh.ts';
import type { CryptoEngine } from '../../src/crypto/engine.ts';
import { ENGINES, getEngine } from '../../src/crypto/engines.ts';
import { GROUPS, modPow } from '../../src/crypto/groups.ts';
import { hkdfExpand, hkdfExtract } from '../../src/crypto/hkdf.ts';
import { DhlabError } from '../../src/errors.ts';

const rangeError = (message: string) => (e: unknown) => e instanceof RangeError && e.message === message;

describe('bytes', () => {
  it('big-endian, fixed length, refusing what does not fit', () => {
    assert.deepEqual(bigintToBytes(255n, 1), Uint8Array.of(255));
    assert.deepEqual(bigintToBytes(256n, 3), Uint8Array.of(0, 1, 0));
    assert.deepEqual(bigintToBytes(0n, 2), Uint8Array.of(0, 0));
    assert.throws(() => bigintToBytes(256n, 1), rangeError('value does not fit in 1 bytes'));
    assert.throws(() => bigintToBytes(-1n, 4), rangeError('negative value'));
    assert.equal(bytesToBigint(new Uint8Array(0)), 0n);
    assert.equal(bytesToBigint(Uint8Array.of(1, 0)), 256n);
    assert.equal(bytesToBigint(Uint8Array.of(0, 0, 7)), 7n);
  });
});

describe('engine lookup', () => {
  it('by name, and a clear usage error for any other', () => {
    assert.equal(getEngine('native'), ENGINES.native);
    assert.equal(getEngine('forge'), ENGINES.forge);
    assert.throws(
      () => getEngine('openssl'),
      (e: unknown) =>
        e instanceof DhlabError &&
        e.code === 'ERR_USAGE' &&
        e.message === 'unknown crypto engine "openssl" (expected native or forge)',
    );
    assert.throws(
      () => getEngine(''),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_USAGE',
    );
  });
});

describe('HKDF edges (RFC 5869)', () => {
  for (const engine of Object.values(ENGINES)) {
    it(`${engine.name}: an empty salt is HashLen zeros (s.2.2); lengths that are not whole blocks; the range`, () => {
      const ikm = Uint8Array.of(1, 2, 3);
      assert.deepEqual(hkdfExtract(engine, new Uint8Array(0), ikm), engine.hmacSha256(new Uint8Array(32), ikm));
      const prk = new Uint8Array(32).fill(9);
      const long = hkdfExpand(engine, prk, Uint8Array.of(5), 100);
      assert.equal(long.length, 100);
      for (const length of [1, 31, 32, 33, 64, 65])
        assert.deepEqual(hkdfExpand(engine, prk, Uint8Array.of(5), length), long.subarray(0, length), `L = ${length}`);
      // T(2) = HMAC(PRK, T(1) | info | 0x02)
      assert.deepEqual(long.subarray(32, 64), engine.hmacSha256(prk, Uint8Array.of(...long.subarray(0, 32), 5, 2)));
      assert.throws(
        () => hkdfExpand(engine, prk, new Uint8Array(0), 8161),
        rangeError('HKDF output length out of range'),
      );
      assert.throws(
        () => hkdfExpand(engine, prk, new Uint8Array(0), -1),
        rangeError('HKDF output length out of range'),
      );
    });
  }
});

describe('private exponents', () => {
  it('a draw of 0 or 1 is drawn again; 2 is the smallest kept', () => {
    const draws = [0n, 1n, 2n, 3n];
    const drawn: bigint[] = [];
    const engine: CryptoEngine = {
      ...ENGINES.native,
      randomBytes: (length) => {
        assert.equal(length, PRIVATE_KEY_BYTES);
        const next = draws.shift() as bigint;
        drawn.push(next);
        return bigintToBytes(next, length);
      },
    };
    assert.equal(bytesToBigint(generatePrivateKey(engine)), 2n);
    assert.deepEqual(drawn, [0n, 1n, 2n]);
  });
});

describe('Ed25519 with malformed inputs', () => {
  for (const engine of Object.values(ENGINES)) {
    it(`${engine.name}: a key or signature of the wrong size verifies as false, without throwing`, () => {
      const seed = new Uint8Array(32).fill(3);
      const key = engine.ed25519PublicKey(seed);
      const message = Uint8Array.of(1, 2, 3);
      const signature = engine.ed25519Sign(seed, message);
      assert.equal(engine.ed25519Verify(key, message, signature), true);
      assert.equal(engine.ed25519Verify(key.subarray(0, 31), message, signature), false);
      assert.equal(engine.ed25519Verify(Uint8Array.of(...key, 0), message, signature), false);
      assert.equal(engine.ed25519Verify(key, message, signature.subarray(0, 63)), false);
      assert.equal(engine.ed25519Verify(key, message, Uint8Array.of(...signature, 0)), false);
    });
  }
});

describe("modPow (the toy groups' BigInt modexp)", () => {
  it('matches the textbook and the toy23 worksheet', () => {
    assert.equal(modPow(5n, 6n, 23n), 8n); // A = 5^6 mod 23
    assert.equal(modPow(5n, 15n, 23n), 19n); // B = 5^15 mod 23
    assert.equal(modPow(19n, 6n, 23n), 2n); // s = B^a mod 23
    assert.equal(modPow(2n, 9n, 23n), 6n);
    assert.equal(modPow(7n, 0n, 23n), 1n);
    assert.equal(modPow(-3n, 3n, 7n), 1n); // -27 = 1 mod 7
    assert.equal(modPow(30n, 1n, 23n), 7n);
    assert.equal(modPow(5n, 3n, 1n), 0n);
    assert.equal(modPow(5n, 0n, 1n), 0n); // everything is 0 mod 1, even x^0
  });

  it('equals repeated multiplication (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -1000n, max: 1000n }),
        fc.integer({ min: 0, max: 40 }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (base, exponent, modulus) => {
          let expected = 1n % modulus;
          for (let i = 0; i < exponent; i++) expected = (expected * base) % modulus;
          expected = (expected + modulus) % modulus;
          return modPow(base, BigInt(exponent), modulus) === expected;
        },
      ),
    );
  });
});

describe('RFC 3526 groups', () => {
  it('say which section of the RFC they come from', () => {
    assert.deepEqual(
      Object.values(GROUPS).map((g) => [g.name, g.rfcSection, g.p.toString(2).length, g.byteLength]),
      [
        ['modp14', '3 (2048-bit)', 2048, 256],
        ['modp15', '4 (3072-bit)', 3072, 384],
        ['modp16', '5 (4096-bit)', 4096, 512],
      ],
    );
  });
});
