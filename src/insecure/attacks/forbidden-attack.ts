import {
  bigintToBlock,
  blockToBigint,
  ghashBlocks,
  ghashSteps,
  gfInverse128,
  gfMultiply128,
  gfSquareRoot128,
} from '../../by-hand/gcm.ts';

/**
 * Joux's "forbidden attack" (comments to NIST on GCM, 2006), in its simplest case: two frames
 * sealed under one key with one nonce and one AAD, of equal length, that differ only in their last
 * 16-byte block. In T = A•H^(n+2) + C_1•H^(n+1) + ... + C_n•H^2 + L•H + E_K(J0) everything but the
 * last block cancels in T1 XOR T2 = (C1_n XOR C2_n) • H^2, so H is a square root away, and then
 * E_K(J0) = T1 XOR GHASH_H(A, C1). (In general T1 XOR T2 is a polynomial in H whose roots give it.)
 */
export function hashKeyFromNonceReuse(
  aad: Uint8Array,
  c1: Uint8Array,
  t1: Uint8Array,
  c2: Uint8Array,
  t2: Uint8Array,
): { h: bigint; ekJ0: Uint8Array; difference: bigint } {
  if (c1.length !== c2.length || c1.length === 0)
    throw new RangeError('the two ciphertexts must have the same, non-zero length');
  const last = Math.floor((c1.length - 1) / 16) * 16;
  if (!Buffer.from(c1.subarray(0, last)).equals(Buffer.from(c2.subarray(0, last))))
    throw new RangeError('the two ciphertexts differ before their last block');
  const padded = (c: Uint8Array) => {
    const block = new Uint8Array(16);
    block.set(c.subarray(last));
    return blockToBigint(block);
  };
  const difference = padded(c1) ^ padded(c2);
  if (difference === 0n) throw new RangeError('the two ciphertexts are equal');
  const hSquared = gfMultiply128(blockToBigint(t1) ^ blockToBigint(t2), gfInverse128(difference));
  const h = gfSquareRoot128(hSquared);
  const s1 = ghashSteps(h, ghashBlocks(aad, c1)).at(-1) as bigint;
  return { h, ekJ0: bigintToBlock(blockToBigint(t1) ^ s1), difference };
}

/** A GCM tag for any ciphertext under the nonce whose E_K(J0) and hash key H are known. */
export function forgeTag(h: bigint, ekJ0: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const s = ghashSteps(h, ghashBlocks(aad, ciphertext)).at(-1) as bigint;
  return bigintToBlock(s ^ blockToBigint(ekJ0));
}
