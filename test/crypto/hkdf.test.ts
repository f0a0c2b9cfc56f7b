import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { hkdf, hkdfExpand, hkdfExtract } from '../../src/crypto/hkdf.ts';

// RFC 5869 appendix A, test cases 1-3 (SHA-256).
const VECTORS = [
  {
    ikm: '0b'.repeat(22),
    salt: '000102030405060708090a0b0c',
    info: 'f0f1f2f3f4f5f6f7f8f9',
    length: 42,
    prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    ikm: Array.from({ length: 80 }, (_, i) => i.toString(16).padStart(2, '0')).join(''),
    salt: Array.from({ length: 80 }, (_, i) => (0x60 + i).toString(16).padStart(2, '0')).join(''),
    info: Array.from({ length: 80 }, (_, i) => (0xb0 + i).toString(16).padStart(2, '0')).join(''),
    length: 82,
    prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
    okm:
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09' +
      'da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    ikm: '0b'.repeat(22),
    salt: '',
    info: '',
    length: 42,
    prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
];

describe('HKDF-SHA256 (RFC 5869)', () => {
  for (const engine of Object.values(ENGINES)) {
    VECTORS.forEach((v, i) => {
      it(`${engine.name}: RFC 5869 test case ${i + 1}`, () => {
        const prk = hkdfExtract(engine, fromHex(v.salt), fromHex(v.ikm));
        assert.equal(toHex(prk), v.prk);
        assert.equal(toHex(hkdfExpand(engine, prk, fromHex(v.info), v.length)), v.okm);
      });
    });

    it(`${engine.name}: agrees with node:crypto hkdfSync for any input`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          fc.uint8Array({ maxLength: 64 }),
          fc.integer({ min: 1, max: 200 }),
          (salt, ikm, info, length) => {
            const ours = hkdf(engine, salt, ikm, info, length);
            assert.equal(toHex(ours), Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, length)).toString('hex'));
          },
        ),
        { numRuns: engine.name === 'forge' ? 50 : 200 },
      );
    });
  }

  it('refuses a PRK shorter than HashLen and a fractional length (RFC 5869 s.2.3)', () => {
    assert.throws(() => hkdfExpand(ENGINES.native, new Uint8Array(31), new Uint8Array(0), 32), /at least 32/);
    assert.throws(() => hkdfExpand(ENGINES.native, new Uint8Array(32), new Uint8Array(0), 1.5), RangeError);
  });

  it('refuses output longer than 255 blocks', () => {
    assert.throws(() => hkdfExpand(ENGINES.native, new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1), RangeError);
  });
});
