import type { CryptoEngine } from '../crypto/engine.ts';

/** The server's long-term Ed25519 identity (RFC 8032). The seed never leaves the server. */
export interface HostIdentity {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly fingerprint: string;
}

/** OpenSSH-style fingerprint: "SHA256:" + unpadded base64 of SHA-256(raw public key). */
export function fingerprint(engine: CryptoEngine, publicKey: Uint8Array): string {
  // 32 bytes are 43 base64 digits and one '=' of padding, which OpenSSH leaves off.
  return 'SHA256:' + Buffer.from(engine.sha256(publicKey)).toString('base64').slice(0, 43);
}

export function hostIdentityFromSeed(engine: CryptoEngine, seed: Uint8Array): HostIdentity {
  const publicKey = engine.ed25519PublicKey(seed);
  return { seed, publicKey, fingerprint: fingerprint(engine, publicKey) };
}
