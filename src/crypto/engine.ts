import type { DhGroup } from './groups.ts';

export type EngineName = 'native' | 'forge';

/**
 * The few primitives the protocol needs. `native` wraps node:crypto (OpenSSL); `forge` is the
 * pure-JS reference. Both must return identical bytes for identical inputs
 * (test/crypto/engines.test.ts checks it), so either side of a connection may use either engine.
 */
export interface CryptoEngine {
  readonly name: EngineName;
  randomBytes(length: number): Uint8Array;
  /** g^x mod p, big-endian, left-padded to the byte length of p. */
  dhPublic(group: DhGroup, privateKey: Uint8Array): Uint8Array;
  /** y^x mod p, big-endian, left-padded to the byte length of p. The caller validates y first. */
  dhShared(group: DhGroup, privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-256-GCM with a 96-bit nonce and a 128-bit tag; returns ciphertext || tag. */
  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Inverse of aesGcmSeal; null when the tag does not verify (or the input is shorter than a tag). */
  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null;
  /** Raw 32-byte Ed25519 public key of a 32-byte seed (RFC 8032 s.5.1.5). */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export const GCM_TAG_BYTES = 16;
export const GCM_NONCE_BYTES = 12;
