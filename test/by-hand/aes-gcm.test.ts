// AES-256 and GCM written out by hand (src/by-hand/aes.ts, gcm.ts) for lessons 11
// and 13 and `dhlab aes`: FIPS-197 C.3 reproduced line by line; random keys and blocks against
// node:crypto; GHASH and the tag against node:crypto's GCM tags; the field's laws as properties.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encryptBlockTraced, fipsLines, gfMultiply, SBOX, stateGrid } from '../../src/by-hand/aes.ts';
import { bigintToBlock, gcmSealByHand, gfInverse128, gfMultiply128, gfSquareRoot128 } from '../../src/by-hand/gcm.ts';
import { forgeTag, hashKeyFromNonceReuse } from '../../src/insecure/attacks/forbidden-attack.ts';
import { run } from '../support/cli-run.ts';

const C3 = fs
  .readFileSync(path.join(import.meta.dirname, 'vectors/fips197-c3.txt'), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'));
const C3_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const C3_BLOCK = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function ecb(key: Uint8Array, block: Uint8Array): Buffer {
  const cipher = crypto.createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

const ONE = 1n << 127n; // the field's 1 in GCM's bit order
const element = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

describe('AES-256 by hand (FIPS-197)', () => {
  it('reproduces FIPS-197 Appendix C.3 line by line (75 lines, the 15 round keys included)', () => {
    assert.deepEqual(fipsLines(encryptBlockTraced(C3_KEY, C3_BLOCK)), C3);
  });

  it('the S-box, built from its definition, has the table values FIPS-197 figure 7 prints', () => {
    assert.deepEqual(
      [0x00, 0x01, 0x53, 0xff].map((x) => SBOX[x]),
      [0x63, 0x7c, 0xed, 0x16],
    );
    assert.equal(new Set(SBOX).size, 256, 'a permutation');
    assert.equal(gfMultiply(0x57, 0x83), 0xc1, 'FIPS-197 s.4.2: {57} • {83} = {c1}');
  });

  it('random keys and blocks: the same 16 bytes as node:crypto (AES-256-ECB of one block)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (key, block) => {
          assert.deepEqual(Buffer.from(encryptBlockTraced(key, block).output), ecb(key, block));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the state grid is FIPS-197 figure 3: byte i in row i mod 4, column i div 4', () => {
    assert.deepEqual(stateGrid(Uint8Array.from({ length: 16 }, (_, i) => i)), [
      '00 04 08 0c',
      '01 05 09 0d',
      '02 06 0a 0e',
      '03 07 0b 0f',
    ]);
  });
});

describe('GCM by hand (SP 800-38D)', () => {
  it('ciphertext and tag equal node:crypto for random keys, nonces, plaintexts and AADs', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array({ maxLength: 40 }),
        (key, nonce, plaintext, aad) => {
          const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
          const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
          const mine = gcmSealByHand(key, nonce, plaintext, aad);
          assert.deepEqual(Buffer.from(mine.ciphertext), ciphertext);
          assert.deepEqual(Buffer.from(mine.tag), cipher.getAuthTag());
          assert.deepEqual(Buffer.from(mine.h), ecb(key, new Uint8Array(16)), 'H = E_K(0^128)');
          assert.equal(
            Buffer.from(mine.counters[0] ?? mine.j0)
              .subarray(12)
              .readUInt32BE(),
            plaintext.length > 0 ? 2 : 1,
            'the first data block is nonce || 00000002',
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('GF(2^128): multiplication commutes, associates and distributes over XOR; 1 is neutral', () => {
    fc.assert(
      fc.property(element, element, element, (a, b, c) => {
        assert.equal(gfMultiply128(a, b), gfMultiply128(b, a));
        assert.equal(gfMultiply128(gfMultiply128(a, b), c), gfMultiply128(a, gfMultiply128(b, c)));
        assert.equal(gfMultiply128(a, b ^ c), gfMultiply128(a, b) ^ gfMultiply128(a, c));
        assert.equal(gfMultiply128(a, ONE), a);
      }),
      { numRuns: 100 },
    );
  });

  it('GF(2^128): every non-zero element has an inverse; squaring is undone by the square root', () => {
    fc.assert(
      fc.property(element, (a) => {
        assert.equal(gfSquareRoot128(gfMultiply128(a, a)), a);
        if (a !== 0n) assert.equal(gfMultiply128(a, gfInverse128(a)), ONE);
      }),
      { numRuns: 20 },
    );
    assert.throws(() => gfInverse128(0n), RangeError);
  });
});

describe('dhlab aes', () => {
  it('prints FIPS-197 C.3 in its own notation, and says node:crypto agrees (exit 0)', async () => {
    const running = run(['aes', '--key', C3_KEY.toString('hex'), '--block', C3_BLOCK.toString('hex')]);
    assert.equal(await running.exit, 0);
    for (const line of C3) assert.ok(running.stdout.includes(line), line);
    assert.match(
      running.stdout.join('\n'),
      /node:crypto \(AES-256-ECB, one block\): 8ea2b7ca516745bfeafc49904b496089: the same/,
    );
  });

  it('--json: every round as data; --grid: each state as four rows', async () => {
    const json = run(['aes', '--key', C3_KEY.toString('hex'), '--block', C3_BLOCK.toString('hex'), '--json']);
    assert.equal(await json.exit, 0);
    const [record] = json.json() as Array<{
      rounds: Array<Record<string, unknown>>;
      output: string;
      node_crypto_agrees: boolean;
    }>;
    assert.equal(record?.rounds.length, 15);
    assert.equal(record?.rounds[14]?.m_col, undefined, 'no MixColumns in the last round');
    assert.equal(record?.rounds[1]?.s_box, '63cab7040953d051cd60e0e7ba70e18c');
    assert.equal(record?.output, '8ea2b7ca516745bfeafc49904b496089');
    assert.equal(record?.node_crypto_agrees, true);
    const grid = run(['aes', '--key', C3_KEY.toString('hex'), '--block', C3_BLOCK.toString('hex'), '--grid']);
    assert.equal(await grid.exit, 0);
    const at = grid.stdout.indexOf('round[14].output 8ea2b7ca516745bfeafc49904b496089');
    assert.deepEqual(
      grid.stdout.slice(at + 1, at + 5).map((l) => l.trim()),
      ['8e 51 ea 4b', 'a2 67 fc 49', 'b7 45 49 60', 'ca bf 90 89'],
    );
  });

  it('a key or block of the wrong length is ERR_USAGE (exit 2)', async () => {
    for (const args of [
      ['--key', '00', '--block', C3_BLOCK.toString('hex')],
      ['--key', C3_KEY.toString('hex'), '--block', 'zz'.repeat(16)],
      ['--key', C3_KEY.toString('hex')],
    ]) {
      const running = run(['aes', ...args]);
      assert.equal(await running.exit, 2, args.join(' '));
      assert.match(running.stderr.join('\n'), /ERR_USAGE: --(key|block) (must be|is required)/);
    }
  });
});

describe("the forbidden attack (lesson 11), against node:crypto's own GCM", () => {
  const seal = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) => {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
    return { ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]), tag: cipher.getAuthTag() };
  };

  it('two messages under one nonce that differ in their last block give H and E_K(J0); a forged tag then verifies', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (key, nonce, length, base, change, forged) => {
          const aad = Buffer.from('dhlab/1 data 0');
          const p1 = base.subarray(0, length);
          const last = Math.floor((length - 1) / 16) * 16;
          const p2 = Uint8Array.from(p1, (b, i) => (i >= last ? b ^ (change[i - last] as number) : b));
          fc.pre(!Buffer.from(p1).equals(Buffer.from(p2)));
          const [m1, m2] = [seal(key, nonce, aad, p1), seal(key, nonce, aad, p2)];
          const found = hashKeyFromNonceReuse(aad, m1.ciphertext, m1.tag, m2.ciphertext, m2.tag);
          assert.deepEqual(Buffer.from(bigintToBlock(found.h)), ecb(key, new Uint8Array(16)), 'H = E_K(0^128)');
          // A message of Mallory's own, its keystream from P1: node:crypto accepts her tag.
          const keystream = Uint8Array.from(m1.ciphertext, (c, i) => c ^ (p1[i] as number));
          const ciphertext = Uint8Array.from(keystream, (k, i) => k ^ (forged[i] as number));
          const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 }).setAAD(aad);
          decipher.setAuthTag(forgeTag(found.h, found.ekJ0, aad, ciphertext));
          const opened = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
          assert.deepEqual(opened, Buffer.from(forged.subarray(0, ciphertext.length)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('refuses what the attack cannot use: other lengths, a difference before the last block, equal ciphertexts', () => {
    const aad = new Uint8Array(0);
    const t = new Uint8Array(16);
    assert.throws(
      () => hashKeyFromNonceReuse(aad, new Uint8Array(20), t, new Uint8Array(21), t),
      /same, non-zero length/,
    );
    assert.throws(
      () => hashKeyFromNonceReuse(aad, new Uint8Array(20), t, Uint8Array.of(1, ...new Uint8Array(19)), t),
      /differ before their last block/,
    );
    assert.throws(() => hashKeyFromNonceReuse(aad, new Uint8Array(20), t, new Uint8Array(20), t), /are equal/);
  });
});

describe("lesson 13's words for the blocks after the first", () => {
  it('name the counters the plaintext really used: J2..Jn, whose 32-bit counters hold 3..n+1', async () => {
    const { otherBlocks } = await import('../../src/scenario/actions/aes-block.ts');
    for (const length of [10, 16, 17, 32, 33, 64, 65]) {
      const gcm = gcmSealByHand(
        crypto.randomBytes(32),
        crypto.randomBytes(12),
        crypto.randomBytes(length),
        new Uint8Array(0),
      );
      const blocks = Math.ceil(length / 16);
      assert.equal(gcm.counters.length, blocks);
      // SP 800-38D s.7.1: J0 = IV || 0^31 || 1, and inc32 from there: block i (from 1) counts i + 1.
      const values = gcm.counters.map((c) => Buffer.from(c).readUInt32BE(12));
      assert.deepEqual(
        values,
        Array.from({ length: blocks }, (_, i) => i + 2),
      );
      const words = otherBlocks(blocks);
      if (blocks === 1) assert.equal(words, 'no other block');
      else if (blocks === 2) assert.equal(words, `the other block, counter J2 (value ${values[1]})`);
      else
        assert.equal(
          words,
          `the other ${blocks - 1} blocks, counters J2..J${blocks} (values ${values[1]}..${values.at(-1)})`,
        );
    }
  });
});
