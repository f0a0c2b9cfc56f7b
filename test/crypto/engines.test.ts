import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';

const { native, forge } = ENGINES;
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

describe('native and forge engines give identical bytes', () => {
  it('sha256 and hmac', () => {
    fc.assert(
      fc.property(bytes(0, 300), bytes(0, 100), (data, key) => {
        assert.equal(toHex(native.sha256(data)), toHex(forge.sha256(data)));
        assert.equal(toHex(native.hmacSha256(key, data)), toHex(forge.hmacSha256(key, data)));
      }),
    );
  });

  it('AES-256-GCM seal', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(12, 12), bytes(0, 300), bytes(0, 40), (key, nonce, pt, aad) => {
        assert.equal(toHex(native.aesGcmSeal(key, nonce, pt, aad)), toHex(forge.aesGcmSeal(key, nonce, pt, aad)));
      }),
    );
  });

  it('Ed25519: RFC 8032 s.7.1 test 1 and identical signatures', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const signature =
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
    for (const engine of [native, forge]) {
      assert.equal(
        toHex(engine.ed25519PublicKey(seed)),
        'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      );
      assert.equal(toHex(engine.ed25519Sign(seed, new Uint8Array(0))), signature);
    }
    fc.assert(
      fc.property(bytes(32, 32), bytes(0, 100), (s, message) => {
        const sig = native.ed25519Sign(s, message);
        assert.equal(toHex(forge.ed25519Sign(s, message)), toHex(sig));
        const pub = forge.ed25519PublicKey(s);
        assert.ok(native.ed25519Verify(pub, message, sig));
        assert.ok(forge.ed25519Verify(pub, message, sig));
        const bad = Uint8Array.from(sig);
        bad[0] = (bad[0] as number) ^ 1;
        assert.equal(native.ed25519Verify(pub, message, bad), false);
        assert.equal(forge.ed25519Verify(pub, message, bad), false);
      }),
      { numRuns: 30 },
    );
  });

  it('DH public values and shared secrets (group 14)', () => {
    const group = GROUPS.modp14;
    fc.assert(
      fc.property(bytes(32, 32), bytes(32, 32), (a, b) => {
        const ya = native.dhPublic(group, a);
        assert.equal(toHex(forge.dhPublic(group, a)), toHex(ya));
        const yb = forge.dhPublic(group, b);
        assert.equal(toHex(native.dhShared(group, b, ya)), toHex(forge.dhShared(group, b, ya)));
        assert.equal(toHex(native.dhShared(group, a, yb)), toHex(forge.dhShared(group, b, ya)));
      }),
      { numRuns: 10 },
    );
  });
});
