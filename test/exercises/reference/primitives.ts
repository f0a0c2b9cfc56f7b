// The spec's small pieces, written once for both TypeScript reference solutions (node:crypto only,
// nothing of src/): modular powers, SHA-256, HMAC, lp() of PROTOCOL s.4.3 and the nonce of s.5.
import crypto from 'node:crypto';

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

export const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest();
export const hmac = (key: Buffer, data: Buffer) => crypto.createHmac('sha256', key).update(data).digest();

/** The 4-byte big-endian length, then the bytes. */
export function lp(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** 4 zero bytes, then seq as a 64-bit big-endian number. */
export function nonce(seq: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(seq), 4);
  return n;
}
