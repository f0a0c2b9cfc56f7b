import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToBigint } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS, modPow } from '../../src/crypto/groups.ts';
import { DhlabError } from '../../src/errors.ts';
import { babyStepGiantStep, ceilSqrt } from '../../src/insecure/attacks/discrete-log.ts';
import { insecureEngine, seededRandom } from '../../src/insecure/weak-engine.ts';
import { insecureHooks, isInsecure } from '../../src/insecure/hooks.ts';
import { applyRewrites } from '../../src/insecure/mallory/interceptor.ts';
import { CbcCipher } from '../../src/insecure/cbc.ts';
import { SMOOTH_FACTORS, TOY_GROUPS } from '../../src/insecure/toy-groups.ts';

describe('toy groups', () => {
  // smooth-48 is the one toy group that is not a safe prime, on purpose (test/insecure/small-subgroup.test.ts).
  for (const group of Object.values(TOY_GROUPS).filter((g) => !Object.hasOwn(SMOOTH_FACTORS, g.name))) {
    it(`${group.name}: p and q = (p-1)/2 are prime, and g has the documented order`, () => {
      assert.ok(crypto.checkPrimeSync(group.p), 'p prime');
      assert.ok(crypto.checkPrimeSync(group.q), 'q prime');
      assert.equal(group.q, (group.p - 1n) / 2n);
      assert.equal(group.insecure, true);
      // g = 2 with p = 7 mod 8 lies in the order-q subgroup; the textbook's g = 5 does not.
      assert.equal(modPow(group.g, group.q, group.p) === 1n, group.name !== 'textbook23');
    });
  }

  it('toy23 gives the worked example: y = 2^6 mod 23 = 18', () => {
    const engine = insecureEngine(ENGINES.native);
    assert.deepEqual([...engine.dhPublic(TOY_GROUPS.toy23 as never, Uint8Array.of(6))], [18]);
  });

  it('the textbook example: A = 8, B = 19, s = 2 with both engines', () => {
    const g = TOY_GROUPS.textbook23 as never;
    for (const base of [ENGINES.native, ENGINES.forge]) {
      const engine = insecureEngine(base);
      assert.equal(engine.dhPublic(g, Uint8Array.of(6))[0], 8);
      assert.equal(engine.dhPublic(g, Uint8Array.of(15))[0], 19);
      assert.equal(engine.dhShared(g, Uint8Array.of(6), Uint8Array.of(19))[0], 2);
      assert.equal(engine.dhShared(g, Uint8Array.of(15), Uint8Array.of(8))[0], 2);
    }
  });
});

describe('the insecure engine', () => {
  it('a seed gives the same bytes every time, and another seed others', () => {
    const a = seededRandom('1');
    const b = seededRandom('1');
    const c = seededRandom('2');
    const first = [a(5), a(40), a(1)].map((x) => Buffer.from(x).toString('hex'));
    assert.deepEqual(
      [b(5), b(40), b(1)].map((x) => Buffer.from(x).toString('hex')),
      first,
    );
    assert.notEqual(Buffer.from(c(5)).toString('hex'), first[0]);
  });

  it('computes Z for public values OpenSSL refuses (0, 1, p-1, p), as an unvalidated peer would', () => {
    const engine = insecureEngine(ENGINES.native);
    const g = GROUPS.modp14;
    const x = Uint8Array.of(3); // odd
    const enc = (v: bigint) => Uint8Array.from(Buffer.from(v.toString(16).padStart(g.byteLength * 2, '0'), 'hex'));
    assert.equal(bytesToBigint(engine.dhShared(g, x, enc(g.p))), 0n);
    assert.equal(bytesToBigint(engine.dhShared(g, x, enc(1n))), 1n);
    assert.equal(bytesToBigint(engine.dhShared(g, x, enc(g.p - 1n))), g.p - 1n);
    // A valid value still goes to OpenSSL and agrees with BigInt.
    const y = engine.dhPublic(g, Uint8Array.of(5));
    assert.equal(bytesToBigint(engine.dhShared(g, x, y)), modPow(2n, 15n, g.p));
  });
});

describe('insecure hooks', () => {
  const engine = insecureEngine(ENGINES.native, { seed: 'hooks' });

  it('nothing weakened means no hooks at all: the secure path is untouched', () => {
    assert.equal(insecureHooks(engine, {}), undefined);
    assert.equal(isInsecure({}), false);
  });

  it('exponent_bits draws exponents of exactly that many bits', () => {
    const hooks = insecureHooks(engine, { exponentBits: 32 });
    for (let i = 0; i < 50; i++)
      assert.equal(bytesToBigint(hooks?.newPrivateKey?.(GROUPS.modp14) ?? new Uint8Array()).toString(2).length, 32);
  });

  it('toy groups draw x in [2, q-1]', () => {
    const hooks = insecureHooks(engine, { acceptToyGroups: true });
    const q = (TOY_GROUPS.toy23 as { q: bigint }).q;
    for (let i = 0; i < 100; i++) {
      const x = bytesToBigint(hooks?.newPrivateKey?.(TOY_GROUPS.toy23 as never) ?? new Uint8Array());
      assert.ok(x >= 2n && x < q, String(x));
    }
  });

  it('validation off still checks the length, and accepts p', () => {
    const hooks = insecureHooks(engine, { skipValidation: true });
    const g = GROUPS.modp14;
    const p = Uint8Array.from(Buffer.from(g.p.toString(16), 'hex'));
    assert.equal(hooks?.validatePublicValue?.(g, p), g.p);
    assert.throws(
      () => hooks?.validatePublicValue?.(g, p.subarray(1)),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_BAD_PUBLIC_KEY',
    );
  });
});

describe('baby-step giant-step', () => {
  const toy32 = TOY_GROUPS['toy-32'] as { p: bigint; g: bigint; q: bigint };

  it('recovers any exponent below its bound (property, toy-32)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: toy32.q - 1n }), (x) => {
        const result = babyStepGiantStep(toy32.g, modPow(toy32.g, x, toy32.p), toy32.p, toy32.q);
        return result.x === x;
      }),
      { numRuns: 25 },
    );
  });

  it('recovers any exponent below 2^20 in the 2048-bit group, and gives up above it', () => {
    const g = GROUPS.modp14;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 20n) - 1n }),
        (x) => babyStepGiantStep(2n, modPow(2n, x, g.p), g.p, 1n << 20n).x === x,
      ),
      { numRuns: 3 },
    );
    const big = (1n << 40n) + 12345n;
    const missed = babyStepGiantStep(2n, modPow(2n, big, g.p), g.p, 1n << 20n);
    assert.equal(missed.x, null);
    assert.equal(missed.tableSize, 1024);
  });

  it('ceilSqrt is the smallest m with m*m >= n', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 130n }), (n) => {
        const m = ceilSqrt(n);
        return m * m >= n && (m === 0n || (m - 1n) * (m - 1n) < n);
      }),
    );
  });
});

describe("AES-CBC without a MAC (the original project's record layer)", () => {
  const key = new Uint8Array(32).fill(7);
  const engine = insecureEngine(ENGINES.native, { seed: 'cbc' });

  it('round-trips, and an IV flip changes the first block predictably and unnoticed', () => {
    const sender = new CbcCipher(engine, key);
    const receiver = new CbcCipher(engine, key);
    const record = sender.seal(Buffer.from('{"type":"chat","text":"pay 10"}'));
    const forged = Uint8Array.from(record.sealed);
    const xor = Buffer.from('chat').map((b, i) => b ^ (Buffer.from('quit')[i] as number));
    xor.forEach((x, i) => (forged[9 + i] = (forged[9 + i] as number) ^ x));
    assert.equal(Buffer.from(receiver.open(0, forged).plaintext).toString(), '{"type":"quit","text":"pay 10"}');
  });

  it('accepts a replayed record (nothing binds it to its position)', () => {
    const sender = new CbcCipher(engine, key);
    const receiver = new CbcCipher(engine, key);
    const record = sender.seal(Buffer.from('transfer 100'));
    receiver.open(0, record.sealed);
    assert.equal(Buffer.from(receiver.open(0, record.sealed).plaintext).toString(), 'transfer 100');
  });

  it('notices only broken padding', () => {
    const record = new CbcCipher(engine, key).seal(Buffer.from('x'));
    assert.throws(
      () => new CbcCipher(engine, key).open(0, record.sealed.subarray(0, 20)),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_DECRYPT',
    );
  });
});

describe('Mallory rewrites', () => {
  it('replaces every occurrence of each pattern, in order', () => {
    assert.equal(applyRewrites('pay 10, pay 10', [{ from: 'pay 10', to: 'pay 90' }]), 'pay 90, pay 90');
    assert.equal(applyRewrites('unchanged', []), 'unchanged');
  });
});

describe('discrete logs the lessons claim, against brute force (fidelity 4b)', () => {
  for (const name of ['toy23', 'textbook23', 'toy-32']) {
    it(`${name}: BSGS over the order of g finds every x that brute force finds`, async () => {
      const { anyGroup } = await import('../../src/insecure/toy-groups.ts');
      const { babyStepGiantStep, orderOfGenerator } = await import('../../src/insecure/attacks/discrete-log.ts');
      const { modPow } = await import('../../src/crypto/groups.ts');
      const group = anyGroup(name);
      assert.ok(group);
      const order = orderOfGenerator(group);
      // The order really is the order: g^order = 1 and no proper divisor of 2q gives 1.
      assert.equal(modPow(group.g, order, group.p), 1n);
      for (const d of [1n, 2n, group.q, 2n * group.q].filter((d) => d < order && order % d === 0n))
        assert.notEqual(modPow(group.g, d, group.p), 1n);
      const samples =
        order <= 1000n
          ? Array.from({ length: Number(order) }, (_, i) => BigInt(i))
          : [0n, 1n, 2n, order - 1n, order / 2n, 123_456n];
      for (const x of samples) {
        const y = modPow(group.g, x, group.p);
        const found: bigint | null = babyStepGiantStep(group.g, y, group.p, order).x;
        assert.equal(found, x, `g^${x} = ${y}`);
        if (order <= 1000n) {
          let brute = 0n;
          while (modPow(group.g, brute, group.p) !== y) brute++;
          assert.equal(found, brute);
        }
      }
      if (name === 'textbook23') assert.equal(order, 22n, 'g = 5 generates the whole group: order 2q = 22, not q = 11');
    });
  }
});
