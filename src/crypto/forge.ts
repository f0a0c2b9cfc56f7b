import forge from 'node-forge';
import { bigintToBytes, bytesToBigint } from './bytes.ts';
import { GCM_TAG_BYTES, type CryptoEngine } from './engine.ts';

// node-forge speaks "binary strings" (one char per byte); convert at the edge.
const toBinary = (bytes: Uint8Array): string => Buffer.from(bytes).toString('binary');
const fromBinary = (binary: string): Uint8Array => Uint8Array.from(Buffer.from(binary, 'binary'));

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  const big = (v: bigint) => new forge.jsbn.BigInteger(v.toString(16), 16);
  return BigInt('0x' + big(base).modPow(big(exponent), big(modulus)).toString(16));
}

// Deriving the key pair from the seed costs as much as a signature: the server signs every handshake with one key.
const keyPairs = new WeakMap<Uint8Array, ReturnType<typeof forge.pki.ed25519.generateKeyPair>>();

function ed25519Secret(seed: Uint8Array) {
  let pair = keyPairs.get(seed);
  if (!pair) {
    pair = forge.pki.ed25519.generateKeyPair({ seed: Buffer.from(seed) });
    keyPairs.set(seed, pair);
  }
  return pair;
}

export const forgeEngine: CryptoEngine = {
  name: 'forge',
  randomBytes: (length) => fromBinary(forge.random.getBytesSync(length)),
  dhPublic(group, privateKey) {
    return bigintToBytes(modPow(group.g, bytesToBigint(privateKey), group.p), group.byteLength);
  },
  dhShared(group, privateKey, peerPublic) {
    return bigintToBytes(modPow(bytesToBigint(peerPublic), bytesToBigint(privateKey), group.p), group.byteLength);
  },
  sha256(data) {
    return fromBinary(forge.md.sha256.create().update(toBinary(data)).digest().getBytes());
  },
  hmacSha256(key, data) {
    const hmac = forge.hmac.create();
    hmac.start('sha256', toBinary(key));
    hmac.update(toBinary(data));
    return fromBinary(hmac.digest().getBytes());
  },
  aesGcmSeal(key, nonce, plaintext, aad) {
    const cipher = forge.cipher.createCipher('AES-GCM', toBinary(key));
    cipher.start({ iv: toBinary(nonce), additionalData: toBinary(aad), tagLength: GCM_TAG_BYTES * 8 });
    cipher.update(forge.util.createBuffer(toBinary(plaintext)));
    cipher.finish();
    return fromBinary(cipher.output.getBytes() + cipher.mode.tag.getBytes());
  },
  aesGcmOpen(key, nonce, sealed, aad) {
    if (sealed.length < GCM_TAG_BYTES) return null;
    const decipher = forge.cipher.createDecipher('AES-GCM', toBinary(key));
    decipher.start({
      iv: toBinary(nonce),
      additionalData: toBinary(aad),
      tagLength: GCM_TAG_BYTES * 8,
      tag: forge.util.createBuffer(toBinary(sealed.subarray(sealed.length - GCM_TAG_BYTES))),
    });
    decipher.update(forge.util.createBuffer(toBinary(sealed.subarray(0, sealed.length - GCM_TAG_BYTES))));
    return decipher.finish() ? fromBinary(decipher.output.getBytes()) : null;
  },
  ed25519PublicKey: (seed) => Uint8Array.from(ed25519Secret(seed).publicKey),
  ed25519Sign(seed, message) {
    const { privateKey } = ed25519Secret(seed);
    return Uint8Array.from(forge.pki.ed25519.sign({ message: Buffer.from(message), privateKey }));
  },
  ed25519Verify(publicKey, message, signature) {
    // forge throws on a key that is not 32 bytes or a signature that is not 64: that is "no".
    try {
      return forge.pki.ed25519.verify({
        message: Buffer.from(message),
        signature: Buffer.from(signature),
        publicKey: Buffer.from(publicKey),
      });
    } catch {
      return false;
    }
  },
};
