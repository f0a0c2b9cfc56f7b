// Lesson 10's arithmetic and its server weakening: elements of small order in smooth-48, the
// Chinese remainder theorem (a property against brute force), and a static key that is one key.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToBigint } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { modPow } from '../../src/crypto/groups.ts';
import { insecureHooks } from '../../src/insecure/hooks.ts';
import { crt, elementOfOrder } from '../../src/insecure/attacks/small-subgroup.ts';
import { SMOOTH_FACTORS, toyGroup } from '../../src/insecure/toy-groups.ts';

const smooth = toyGroup('smooth-48');

describe('small subgroups (lesson 10)', () => {
  it('smooth-48: p and the listed factors are prime, their product is p - 1, and g = 5 has order p - 1', () => {
    assert.ok(smooth);
    const factors = SMOOTH_FACTORS['smooth-48'] as readonly bigint[];
    assert.equal(
      factors.reduce((a, b) => a * b, 1n),
      smooth.p - 1n,
    );
    assert.ok(crypto.checkPrimeSync(smooth.p), 'p prime');
    for (const r of factors) assert.ok(crypto.checkPrimeSync(r), `${r} prime`);
    for (const r of factors)
      assert.notEqual(
        modPow(smooth.g, (smooth.p - 1n) / r, smooth.p),
        1n,
        `g has order p - 1, not a divisor (missing ${r})`,
      );
  });

  it('elementOfOrder gives h with h^r = 1 and h != 1, for every factor; refuses an r that does not divide p - 1', () => {
    for (const r of SMOOTH_FACTORS['smooth-48'] as readonly bigint[]) {
      const h = elementOfOrder(smooth!, r);
      assert.notEqual(h, 1n);
      assert.equal(modPow(h, r, smooth!.p), 1n);
    }
    assert.throws(() => elementOfOrder(smooth!, 7n), /does not divide p - 1/);
  });

  it('crt: x from its residues equals x mod the product (property), including a zero residue', () => {
    const moduli = SMOOTH_FACTORS['smooth-48'] as readonly bigint[];
    const product = moduli.reduce((a, b) => a * b, 1n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: product * 3n }), (x) => {
        assert.deepEqual(crt(moduli.map((m) => ({ residue: x % m, modulus: m }))), {
          x: x % product,
          modulus: product,
        });
      }),
    );
  });

  it('a static key is one key for every connection; without it each draw is fresh', () => {
    const engine = ENGINES.native;
    const fixed = insecureHooks(engine, { staticKey: true, acceptToyGroups: true });
    const fresh = insecureHooks(engine, { acceptToyGroups: true });
    const draws = (hooks: typeof fixed) =>
      new Set([1, 2, 3, 4].map(() => bytesToBigint(hooks?.newPrivateKey?.(smooth!) as Uint8Array)));
    assert.equal(draws(fixed).size, 1);
    assert.equal(draws(fresh).size, 4);
  });
});

describe("smooth-48's ladder says what g generates", () => {
  it('the whole group, of order p-1: recomputed from the factors of p-1', async () => {
    const { ladderSteps } = await import('../../lab/model/ladder.ts');
    const { toyGroup } = await import('../../src/insecure/toy-groups.ts');
    const group = toyGroup('smooth-48');
    assert.ok(group);
    const factors = [2n, 2267n, 3943n, 3947n, 3989n];
    assert.equal(
      factors.reduce((a, b) => a * b),
      group.p - 1n,
    );
    const pow = (b: bigint, e: bigint) => {
      let r = 1n;
      for (let x = b % group.p, k = e; k > 0n; k >>= 1n, x = (x * x) % group.p) if (k & 1n) r = (r * x) % group.p;
      return r;
    };
    // A primitive root: g^((p-1)/r) != 1 for every prime factor r of p-1.
    assert.ok(factors.every((r) => pow(group.g, (group.p - 1n) / r) !== 1n));
    const notes = ladderSteps({
      kind: 'group',
      role: 'server',
      secret: false,
      group: 'smooth-48',
      p: group.p,
      g: group.g,
    })
      .map((s) => s.note ?? '')
      .join(' ');
    assert.match(notes, /generates the whole group, of order p-1/);
    assert.doesNotMatch(notes, /subgroup of order q|safe prime: q|prime: p is a safe prime/);
    const labels = ladderSteps({
      kind: 'group',
      role: 'server',
      secret: false,
      group: 'smooth-48',
      p: group.p,
      g: group.g,
    }).map((s) => s.label);
    assert.ok(!labels.includes('q = (p-1)/2'), labels.join(', '));
  });
});
