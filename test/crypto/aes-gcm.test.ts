import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';

// AES-256 cases of the GCM specification (McGrew & Viega, the test cases NIST's GCM validation
// suite reuses): 13 empty, 14 one zero block, 16 with associated data.
const VECTORS = [
  {
    name: 'test case 13',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '',
    aad: '',
    ct: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'test case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '00'.repeat(16),
    aad: '',
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'test case 16',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 });

describe('AES-256-GCM', () => {
  for (const engine of Object.values(ENGINES)) {
    for (const v of VECTORS) {
      it(`${engine.name}: GCM spec ${v.name}`, () => {
        const sealed = engine.aesGcmSeal(fromHex(v.key), fromHex(v.iv), fromHex(v.pt), fromHex(v.aad));
        assert.equal(toHex(sealed), v.ct + v.tag);
        assert.equal(
          toHex(engine.aesGcmOpen(fromHex(v.key), fromHex(v.iv), sealed, fromHex(v.aad)) ?? new Uint8Array([1])),
          v.pt,
        );
      });
    }

    it(`${engine.name}: any Unicode text survives a round trip`, () => {
      fc.assert(
        fc.property(
          key,
          nonce,
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.uint8Array({ maxLength: 40 }),
          (k, n, text, aad) => {
            const sealed = engine.aesGcmSeal(k, n, new TextEncoder().encode(text), aad);
            const opened = engine.aesGcmOpen(k, n, sealed, aad);
            assert.ok(opened);
            assert.equal(new TextDecoder().decode(opened), text);
          },
        ),
        { numRuns: engine.name === 'forge' ? 100 : 300 },
      );
    });

    it(`${engine.name}: any single flipped bit of ciphertext, tag, nonce or AAD is rejected`, () => {
      fc.assert(
        fc.property(
          key,
          nonce,
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ minLength: 1, maxLength: 16 }),
          fc.nat(),
          fc.constantFrom('sealed', 'nonce', 'aad'),
          (k, n, pt, aad, bit, where) => {
            const sealed = engine.aesGcmSeal(k, n, pt, aad);
            const target =
              where === 'sealed'
                ? Uint8Array.from(sealed)
                : where === 'nonce'
                  ? Uint8Array.from(n)
                  : Uint8Array.from(aad);
            const index = bit % (target.length * 8);
            target[index >> 3] = (target[index >> 3] as number) ^ (1 << (index & 7));
            const opened =
              where === 'sealed'
                ? engine.aesGcmOpen(k, n, target, aad)
                : where === 'nonce'
                  ? engine.aesGcmOpen(k, target, sealed, aad)
                  : engine.aesGcmOpen(k, n, sealed, target);
            assert.equal(opened, null);
          },
        ),
        { numRuns: engine.name === 'forge' ? 100 : 300 },
      );
    });

    it(`${engine.name}: a truncated tag or a too-short input is rejected`, () => {
      const k = new Uint8Array(32).fill(1);
      const n = new Uint8Array(12);
      const sealed = engine.aesGcmSeal(k, n, new TextEncoder().encode('hello'), new Uint8Array(0));
      for (let cut = 1; cut <= sealed.length; cut++) {
        assert.equal(
          engine.aesGcmOpen(k, n, sealed.subarray(0, sealed.length - cut), new Uint8Array(0)),
          null,
          `cut ${cut}`,
        );
      }
    });
  }
});
