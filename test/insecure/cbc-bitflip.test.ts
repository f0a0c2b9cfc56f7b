// The CBC bit flip (lesson 06's attack) as a pure function, checked against node:crypto's CBC.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { forgeCbcIv } from '../../src/insecure/attacks/cbc-bitflip.ts';

describe('forgeCbcIv: rewriting the first block of AES-CBC without the key', () => {
  it('any bytes of the first block become any others, and the rest decrypts unchanged', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 17, maxLength: 64 }),
        fc.nat(15),
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        (key, iv, plaintext, start, replacement) => {
          const to = replacement.subarray(0, 16 - start);
          const from = plaintext.subarray(start, start + to.length);
          const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
          const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
          const decipher = crypto.createDecipheriv('aes-256-cbc', key, forgeCbcIv(iv, start, from, to));
          const opened = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
          const expected = Buffer.from(plaintext);
          expected.set(to, start);
          assert.deepEqual(opened, expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what it cannot do: unequal lengths, past the first block, an IV that is not 16 bytes', () => {
    const iv = new Uint8Array(16);
    assert.throws(() => forgeCbcIv(iv, 0, Uint8Array.of(1, 2), Uint8Array.of(1)), /as long/);
    assert.throws(() => forgeCbcIv(iv, 15, Uint8Array.of(1, 2), Uint8Array.of(3, 4)), /first block/);
    assert.throws(() => forgeCbcIv(new Uint8Array(8), 0, Uint8Array.of(1), Uint8Array.of(2)), /16 bytes/);
  });
});
