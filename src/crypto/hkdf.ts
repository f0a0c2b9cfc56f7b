import type { CryptoEngine } from './engine.ts';

const HASH_BYTES = 32;

/**
 * HKDF-Extract (RFC 5869 s.2.2): PRK = HMAC-Hash(salt, IKM). An absent salt means HashLen zero
 * bytes, which HMAC already does with an empty key: it pads every key with zeros to the block
 * size (RFC 2104 s.2), so no special case is needed (a test checks it).
 */
export function hkdfExtract(engine: CryptoEngine, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return engine.hmacSha256(salt, ikm);
}

/**
 * HKDF-Expand (RFC 5869 s.2.3): T(i) = HMAC-Hash(PRK, T(i-1) | info | i), L <= 255 * HashLen.
 * @throws RangeError for a PRK shorter than HashLen (s.2.3: "at least HashLen octets") or L out of range
 */
export function hkdfExpand(engine: CryptoEngine, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (prk.length < HASH_BYTES)
    throw new RangeError(`HKDF PRK of ${prk.length} bytes: RFC 5869 s.2.3 needs at least ${HASH_BYTES}`);
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_BYTES)
    throw new RangeError('HKDF output length out of range');
  const blocks = Math.ceil(length / HASH_BYTES);
  const out = new Uint8Array(blocks * HASH_BYTES);
  let previous = new Uint8Array(0);
  for (let i = 1; i <= blocks; i++) {
    const block = new Uint8Array(previous.length + info.length + 1);
    block.set(previous, 0);
    block.set(info, previous.length);
    block[block.length - 1] = i;
    previous = Uint8Array.from(engine.hmacSha256(prk, block));
    out.set(previous, (i - 1) * HASH_BYTES);
  }
  return out.subarray(0, length);
}

export function hkdf(
  engine: CryptoEngine,
  salt: Uint8Array,
  ikm: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(engine, hkdfExtract(engine, salt, ikm), info, length);
}
