/**
 * AES-256-GCM written out (NIST SP 800-38D), for lessons 11 and 13: the hash key H, the counter
 * blocks, the keystream, GHASH step by step, and the tag, each kept so a class can compare them
 * with the bytes of a real frame (the "forbidden attack" on a reused nonce is in
 * insecure/attacks/forbidden-attack.ts).
 * Teaching only (bigint arithmetic, not constant time): dhlab seals with node:crypto.
 */
import { encryptBlockTraced } from './aes.ts';

/** SP 800-38D s.6.3: R = 11100001 || 0^120, the reduction of x^128 + x^7 + x^2 + x + 1 in GCM's bit order. */
const R = 0xe1n << 120n;
const MASK_128 = (1n << 128n) - 1n;

export const blockToBigint = (block: Uint8Array): bigint => BigInt(`0x${Buffer.from(block).toString('hex') || '0'}`);
export const bigintToBlock = (x: bigint): Uint8Array =>
  Uint8Array.from(Buffer.from(x.toString(16).padStart(32, '0'), 'hex'));

/**
 * X • Y in GF(2^128), SP 800-38D s.6.3 algorithm 1. Blocks are read as big-endian integers; the
 * spec's bit 0 (the leftmost) is the coefficient of x^0, which is why "multiply by x" shifts right.
 */
export function gfMultiply128(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127; i >= 0; i--) {
    if ((x >> BigInt(i)) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z & MASK_128;
}

/** X^(2^127) = sqrt(X): squaring is a bijection in GF(2^128), and 127 more squarings undo one. */
export function gfSquareRoot128(x: bigint): bigint {
  let r = x;
  for (let i = 0; i < 127; i++) r = gfMultiply128(r, r);
  return r;
}

/** X^-1 = X^(2^128 - 2), by square and multiply (only 0 has none). */
export function gfInverse128(x: bigint): bigint {
  if (x === 0n) throw new RangeError('0 has no inverse in GF(2^128)');
  let result = 1n << 127n; // the field's 1 in GCM's bit order
  let base = x;
  for (let e = (1n << 128n) - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = gfMultiply128(result, base);
    base = gfMultiply128(base, base);
  }
  return result;
}

/** The 16-byte blocks GHASH reads (s.7.1 step 5): A, zero-padded; C, zero-padded; len(A) || len(C) in bits. */
export function ghashBlocks(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array[] {
  const padded = (data: Uint8Array) => {
    const blocks: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += 16) {
      const block = new Uint8Array(16);
      block.set(data.subarray(i, i + 16));
      blocks.push(block);
    }
    return blocks;
  };
  const lengths = new Uint8Array(16);
  const view = new DataView(lengths.buffer);
  view.setBigUint64(0, BigInt(aad.length) * 8n);
  view.setBigUint64(8, BigInt(ciphertext.length) * 8n);
  return [...padded(aad), ...padded(ciphertext), lengths];
}

/** GHASH_H (s.6.4): Y_0 = 0, Y_i = (Y_{i-1} XOR X_i) • H; returns every Y_i. */
export function ghashSteps(h: bigint, blocks: readonly Uint8Array[]): bigint[] {
  const ys: bigint[] = [];
  let y = 0n;
  for (const block of blocks) {
    y = gfMultiply128(y ^ blockToBigint(block), h);
    ys.push(y);
  }
  return ys;
}

/** inc_32 (s.6.2): the last 32 bits count, the first 96 stay. */
export function counterBlock(nonce: Uint8Array, counter: number): Uint8Array {
  if (nonce.length !== 12) throw new RangeError('a 96-bit nonce');
  const block = new Uint8Array(16);
  block.set(nonce);
  new DataView(block.buffer).setUint32(12, counter);
  return block;
}

export interface GcmByHand {
  /** H = E_K(0^128), the hash key. */
  h: Uint8Array;
  /** J0 = nonce || 00000001 (s.7.1 step 2, for a 96-bit nonce); its encryption masks the tag. */
  j0: Uint8Array;
  ekJ0: Uint8Array;
  /** Counter blocks J0+1, J0+2, ... (the first data block is nonce || 00000002), their keystream. */
  counters: Uint8Array[];
  keystream: Uint8Array[];
  ciphertext: Uint8Array;
  ghashBlocks: Uint8Array[];
  /** Y_1 .. Y_n of GHASH; the last is S. */
  ghash: Uint8Array[];
  tag: Uint8Array;
}

const aesBlock = (key: Uint8Array, block: Uint8Array) => encryptBlockTraced(key, block).output;
const xor = (a: Uint8Array, b: Uint8Array) => a.map((x, i) => x ^ (b[i] as number));

/** GCM-AE_K(IV, P, A) of SP 800-38D s.7.1, every intermediate kept. */
export function gcmSealByHand(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): GcmByHand {
  const h = aesBlock(key, new Uint8Array(16));
  const j0 = counterBlock(nonce, 1);
  const counters: Uint8Array[] = [];
  const keystream: Uint8Array[] = [];
  const ciphertext = new Uint8Array(plaintext.length);
  for (let i = 0; i * 16 < plaintext.length; i++) {
    const counter = counterBlock(nonce, 2 + i);
    const stream = aesBlock(key, counter);
    counters.push(counter);
    keystream.push(stream);
    const chunk = plaintext.subarray(16 * i, 16 * i + 16);
    ciphertext.set(xor(chunk, stream.subarray(0, chunk.length)), 16 * i);
  }
  const blocks = ghashBlocks(aad, ciphertext);
  const ghash = ghashSteps(blockToBigint(h), blocks).map(bigintToBlock);
  const ekJ0 = aesBlock(key, j0);
  return {
    h,
    j0,
    ekJ0,
    counters,
    keystream,
    ciphertext,
    ghashBlocks: blocks,
    ghash,
    tag: xor(ghash.at(-1) as Uint8Array, ekJ0),
  };
}
