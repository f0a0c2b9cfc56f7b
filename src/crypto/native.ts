import crypto from 'node:crypto';
import { GCM_TAG_BYTES, type CryptoEngine } from './engine.ts';
import type { DhGroup } from './groups.ts';
import { ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from './ed25519-der.ts';
import { dhPrivateKeyDer, dhPublicFromDer, dhPublicKeyDer } from './dh-der.ts';

// A session computes g^x and later y^x with the same x: import the key once for both.
const dhKeys = new WeakMap<Uint8Array, crypto.KeyObject>();

function dhPrivateKeyObject(group: DhGroup, privateKey: Uint8Array): crypto.KeyObject {
  let key = dhKeys.get(privateKey);
  if (!key) {
    key = crypto.createPrivateKey({ key: dhPrivateKeyDer(group, privateKey), format: 'der', type: 'pkcs8' });
    dhKeys.set(privateKey, key);
  }
  return key;
}

function leftPad(bytes: Buffer, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

// Importing a key costs about 0.5 ms, more than signing: the server signs every handshake with one key.
const signingKeys = new WeakMap<Uint8Array, crypto.KeyObject>();

export function ed25519PrivateKeyObject(seed: Uint8Array): crypto.KeyObject {
  let key = signingKeys.get(seed);
  if (!key) {
    key = crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    signingKeys.set(seed, key);
  }
  return key;
}

export const nativeEngine: CryptoEngine = {
  name: 'native',
  randomBytes: (length) => Uint8Array.from(crypto.randomBytes(length)),
  dhPublic(group, privateKey) {
    // OpenSSL computes y = g^x mod p as it imports x; the public half carries it out.
    const spki = crypto.createPublicKey(dhPrivateKeyObject(group, privateKey)).export({ format: 'der', type: 'spki' });
    return dhPublicFromDer(spki, group.byteLength);
  },
  dhShared(group, privateKey, peerPublic) {
    const publicKey = crypto.createPublicKey({ key: dhPublicKeyDer(group, peerPublic), format: 'der', type: 'spki' });
    return leftPad(
      crypto.diffieHellman({ privateKey: dhPrivateKeyObject(group, privateKey), publicKey }),
      group.byteLength,
    );
  },
  sha256: (data) => Uint8Array.from(crypto.createHash('sha256').update(data).digest()),
  hmacSha256: (key, data) => Uint8Array.from(crypto.createHmac('sha256', key).update(data).digest()),
  aesGcmSeal(key, nonce, plaintext, aad) {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(aad);
    return Uint8Array.from(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
  },
  aesGcmOpen(key, nonce, sealed, aad) {
    if (sealed.length < GCM_TAG_BYTES) return null;
    // authTagLength: Node would otherwise accept a truncated tag.
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    const body = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES));
    try {
      return Uint8Array.from(Buffer.concat([body, decipher.final()]));
    } catch {
      return null;
    }
  },
  ed25519PublicKey(seed) {
    const spki = crypto.createPublicKey(ed25519PrivateKeyObject(seed)).export({ format: 'der', type: 'spki' });
    return Uint8Array.from(spki.subarray(ED25519_SPKI_PREFIX.length));
  },
  ed25519Sign: (seed, message) => Uint8Array.from(crypto.sign(null, message, ed25519PrivateKeyObject(seed))),
  ed25519Verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    const key = crypto.createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return crypto.verify(null, message, key, signature);
  },
};
