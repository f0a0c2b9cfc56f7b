import crypto from 'node:crypto';
import { bigintToBytes, bytesToBigint } from '../crypto/bytes.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import { modPow, type DhGroup } from '../crypto/groups.ts';

/**
 * A deterministic byte stream from a seed: SHA-256(seed || counter) blocks. It makes a scenario's
 * private exponents and host keys the same on every run (so stepping back replays the same bytes).
 * PREDICTABLE BY DESIGN: never a default of `dhlab server` or `dhlab client`.
 */
export function seededRandom(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (length) => {
    while (pool.length < length) {
      const block = crypto.createHash('sha256').update(`dhlab seed ${seed} ${counter++}`).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = Uint8Array.from(pool.subarray(0, length));
    pool = pool.subarray(length);
    return out;
  };
}

export interface InsecureEngineOptions {
  /** Seed for randomBytes; without one the base engine's CSPRNG is used. */
  seed?: string;
}

/**
 * The base engine with two teaching-only changes: randomness from a seed, and modular
 * exponentiation in BigInt wherever OpenSSL would refuse (toy moduli, public values 0, 1, p-1, p
 * that validation would have rejected). The secure path never uses this engine.
 */
export function insecureEngine(base: CryptoEngine, options: InsecureEngineOptions = {}): CryptoEngine {
  const random = options.seed === undefined ? (length: number) => base.randomBytes(length) : seededRandom(options.seed);
  const bigintDh = (group: DhGroup, y: bigint) => group.insecure === true || y < 2n || y > group.p - 2n;
  return {
    ...base,
    randomBytes: random,
    dhPublic(group, privateKey) {
      if (!group.insecure) return base.dhPublic(group, privateKey);
      return bigintToBytes(modPow(group.g, bytesToBigint(privateKey), group.p), group.byteLength);
    },
    dhShared(group, privateKey, peerPublic) {
      const y = bytesToBigint(peerPublic);
      if (!bigintDh(group, y)) return base.dhShared(group, privateKey, peerPublic);
      return bigintToBytes(modPow(y, bytesToBigint(privateKey), group.p), group.byteLength);
    },
  };
}
