import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bigintToBytes, bytesToBigint, toHex } from '../../src/crypto/bytes.ts';
import { generatePrivateKey, legendreSymbol, PRIVATE_KEY_BYTES, validatePublicKey } from '../../src/crypto/dh.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { DhlabError } from '../../src/errors.ts';
import { modPow } from './oracle.ts';

const group = GROUPS.modp14;
const { p, q } = group;

const encode = (y: bigint) => bigintToBytes(y, group.byteLength);
const exponent = fc
  .uint8Array({ minLength: PRIVATE_KEY_BYTES, maxLength: PRIVATE_KEY_BYTES })
  .filter((x) => bytesToBigint(x) > 1n);

function rejects(y: Uint8Array, why: RegExp): void {
  assert.throws(
    () => validatePublicKey(group, y),
    (error: unknown) => error instanceof DhlabError && error.code === 'ERR_BAD_PUBLIC_KEY' && why.test(error.message),
  );
}

describe('Diffie-Hellman', () => {
  for (const engine of Object.values(ENGINES)) {
    it(`${engine.name}: both sides agree for random exponents, and match the other engine`, () => {
      const other = engine.name === 'native' ? ENGINES.forge : ENGINES.native;
      fc.assert(
        fc.property(exponent, exponent, (a, b) => {
          const ya = engine.dhPublic(group, a);
          const yb = engine.dhPublic(group, b);
          const za = engine.dhShared(group, a, yb);
          assert.equal(za.length, group.byteLength);
          assert.equal(toHex(za), toHex(engine.dhShared(group, b, ya)));
          assert.equal(toHex(za), toHex(other.dhShared(group, a, yb)));
        }),
        { numRuns: engine.name === 'forge' ? 8 : 40 },
      );
    });
  }

  it('a shared secret with a leading zero byte keeps its full length in both engines', () => {
    // About 1 in 256 secrets starts with 0x00; hashing it unpadded would give the peers different keys.
    const a = new Uint8Array(32).fill(3);
    const ya = ENGINES.native.dhPublic(group, a);
    let b: Uint8Array | null = null;
    for (let i = 0; i < 5000 && !b; i++) {
      const candidate = generatePrivateKey(ENGINES.native);
      if (ENGINES.native.dhShared(group, candidate, ya)[0] === 0) b = candidate;
    }
    assert.ok(b, 'no leading-zero secret found in 5000 tries');
    for (const engine of Object.values(ENGINES)) {
      const z = engine.dhShared(group, b, ya);
      assert.equal(z.length, 256);
      assert.equal(z[0], 0);
      assert.equal(toHex(z), toHex(engine.dhShared(group, a, engine.dhPublic(group, b))));
    }
  });

  it('private exponents are 256 random bits and differ every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(toHex(generatePrivateKey(ENGINES.native)));
    assert.equal(seen.size, 50);
    assert.equal(generatePrivateKey(ENGINES.forge).length, 32);
  });
});

describe('public value validation (NIST SP 800-56A s.5.6.2.3.1)', () => {
  it('rejects 0, 1, p-1, p, above p, wrong lengths and values outside the subgroup', () => {
    rejects(encode(0n), /outside/);
    rejects(encode(1n), /outside/);
    rejects(encode(p - 1n), /outside/);
    rejects(encode(p), /outside/);
    rejects(encode(p + 1n), /outside/);
    rejects(new Uint8Array(256).fill(0xff), /outside/);
    rejects(new Uint8Array(255).fill(7), /256 bytes/);
    rejects(new Uint8Array(257).fill(7), /256 bytes/);
    rejects(encode(p - 4n), /subgroup/); // -4 is a non-residue: p = 3 mod 4
    const y = bytesToBigint(ENGINES.native.dhPublic(group, new Uint8Array(32).fill(9)));
    rejects(encode(p - y), /subgroup/); // -y has order 2q
  });

  it('accepts 2 and p-2 only when in the subgroup, and every real public value', () => {
    assert.equal(validatePublicKey(group, encode(2n)), 2n); // g itself
    rejects(encode(p - 2n), /subgroup/);
    fc.assert(
      fc.property(exponent, (x) => void validatePublicKey(group, ENGINES.native.dhPublic(group, x))),
      { numRuns: 50 },
    );
  });

  it('the Legendre-symbol test equals y^q mod p = 1 for any y in range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: p - 2n }), (y) => {
        const inSubgroup = modPow(y, q, p) === 1n;
        assert.equal(legendreSymbol(y, p) === 1, inSubgroup);
      }),
      { numRuns: 25 },
    );
  });

  it("the Legendre symbol matches Euler's criterion on small primes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(3n, 5n, 7n, 11n, 23n, 47n, 59n, 83n, 107n, 1019n, 2039n),
        fc.bigInt({ min: 0n, max: 10_000n }),
        (prime, a) => {
          const euler = modPow(a, (prime - 1n) / 2n, prime);
          const expected = euler === 0n ? 0 : euler === 1n ? 1 : -1;
          assert.equal(legendreSymbol(a, prime), expected);
        },
      ),
    );
  });
});
