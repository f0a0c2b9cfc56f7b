import { DhlabError } from '../errors.ts';
import { bytesToBigint } from './bytes.ts';
import type { CryptoEngine } from './engine.ts';
import type { DhGroup } from './groups.ts';

/**
 * 256-bit private exponents: RFC 3526 s.8 asks for at least twice the group's ~110-128-bit
 * strength, NIST SP 800-56A s.5.6.1.1.4 for at least 224 bits in a 2048-bit group.
 */
export const PRIVATE_KEY_BYTES = 32;

export function generatePrivateKey(engine: CryptoEngine): Uint8Array {
  for (;;) {
    const x = engine.randomBytes(PRIVATE_KEY_BYTES);
    if (bytesToBigint(x) >= 2n) return x; // 0 and 1 would give y = 1 or g (chance 2^-255)
  }
}

/**
 * Legendre symbol (a/p) by the Jacobi-symbol algorithm (Cohen, A Course in Computational
 * Algebraic Number Theory, Alg. 1.4.10). For an odd prime p it is a^((p-1)/2) mod p, read as
 * 1, -1 or 0 (Euler's criterion), computed with a few hundred BigInt steps instead of a
 * 2048-bit modular exponentiation.
 */
export function legendreSymbol(a: bigint, p: bigint): -1 | 0 | 1 {
  let n = p;
  a %= n;
  let result: -1 | 1 = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) result = result === 1 ? -1 : 1;
    }
    [a, n] = [n, a];
    if ((a & 3n) === 3n && (n & 3n) === 3n) result = result === 1 ? -1 : 1;
    a %= n;
  }
  return n === 1n ? result : 0;
}

/**
 * Full public-key validation, NIST SP 800-56A rev.3 s.5.6.2.3.1:
 *   1. 2 <= y <= p-2 (rejects 0, 1 and p-1, which give a predictable shared secret);
 *   2. y^q = 1 mod p, i.e. y lies in the order-q subgroup (rejects small-subgroup confinement).
 * For a safe prime p = 2q+1, y^q mod p is the Legendre symbol (y/p) (Euler's criterion), so
 * step 2 tests (y/p) = 1; test/crypto/dh.test.ts checks the equivalence against a real y^q.
 * The wire encoding is fixed-length, so a value of the wrong length is rejected too.
 */
export function validatePublicKey(group: DhGroup, encoded: Uint8Array): bigint {
  if (encoded.length !== group.byteLength) {
    throw new DhlabError('ERR_BAD_PUBLIC_KEY', `public value must be ${group.byteLength} bytes, got ${encoded.length}`);
  }
  const y = bytesToBigint(encoded);
  if (y < 2n || y > group.p - 2n) {
    throw new DhlabError('ERR_BAD_PUBLIC_KEY', 'public value outside 2 <= y <= p-2');
  }
  if (legendreSymbol(y, group.p) !== 1) {
    throw new DhlabError('ERR_BAD_PUBLIC_KEY', 'public value not in the prime-order subgroup (y^q != 1 mod p)');
  }
  return y;
}
