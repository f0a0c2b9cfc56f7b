// The DER the native engine hands OpenSSL for finite-field DH keys: canonical (OpenSSL writes
// back the same bytes), and the values it yields are g^x and y^x, recomputed here with BigInt.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bigintToBytes, bytesToBigint } from '../../src/crypto/bytes.ts';
import { dhPrivateKeyDer, dhPublicFromDer, dhPublicKeyDer } from '../../src/crypto/dh-der.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { nativeEngine } from '../../src/crypto/native.ts';

function powMod(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus)
    if (e & 1n) result = (result * b) % modulus;
  return result;
}

const exponent = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((x) => x.some((b) => b !== 0));

describe('DH keys as DER for node:crypto', () => {
  for (const group of [GROUPS.modp14, GROUPS.modp15]) {
    it(`${group.name}: OpenSSL re-exports the PKCS#8 and SPKI bytes unchanged`, () => {
      fc.assert(
        fc.property(exponent, (x) => {
          const der = dhPrivateKeyDer(group, x);
          assert.deepEqual(
            crypto
              .createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
              .export({ format: 'der', type: 'pkcs8' }),
            der,
          );
          const y = bigintToBytes(powMod(group.g, bytesToBigint(x), group.p), group.byteLength);
          const spki = dhPublicKeyDer(group, y);
          assert.deepEqual(
            crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' }),
            spki,
          );
          assert.deepEqual(dhPublicFromDer(spki, group.byteLength), y);
        }),
        { numRuns: 20 },
      );
    });

    it(`${group.name}: the native engine's y = g^x and Z = y^x mod p are BigInt's`, () => {
      fc.assert(
        fc.property(exponent, exponent, (a, b) => {
          const [xa, xb] = [bytesToBigint(a), bytesToBigint(b)];
          assert.equal(bytesToBigint(nativeEngine.dhPublic(group, a)), powMod(group.g, xa, group.p));
          const yb = nativeEngine.dhPublic(group, b);
          const z = nativeEngine.dhShared(group, a, yb);
          assert.equal(z.length, group.byteLength, 'Z padded to the length of p');
          assert.equal(bytesToBigint(z), powMod(group.g, xa * xb, group.p));
        }),
        { numRuns: 10 },
      );
    });
  }

  it('a value whose top byte is zero keeps its length: Z is padded, not shortened', () => {
    const group = GROUPS.modp14;
    const y = new Uint8Array(group.byteLength);
    y.set([0x00, 0x00, 0x01, 0x23], 0);
    y[group.byteLength - 1] = 7;
    assert.deepEqual(dhPublicFromDer(dhPublicKeyDer(group, y), group.byteLength), y);
  });
});
