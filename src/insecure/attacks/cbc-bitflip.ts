/**
 * CBC without a MAC: the first plaintext block is D_K(C_1) XOR IV (NIST SP 800-38A s.6.2), so
 * XORing the IV with `from` XOR `to` at `at` turns `from` into `to` after decryption, and nothing
 * lets the receiver notice. Returns the forged IV; the key is never needed.
 * @throws RangeError when `from` and `to` differ in length, or do not fit in the first block at `at`
 */
export function forgeCbcIv(iv: Uint8Array, at: number, from: Uint8Array, to: Uint8Array): Uint8Array {
  if (iv.length !== 16) throw new RangeError(`the IV is 16 bytes, not ${iv.length}`);
  if (from.length !== to.length) throw new RangeError('the text to replace and its replacement must be as long');
  if (!Number.isInteger(at) || at < 0 || at + from.length > 16)
    throw new RangeError('only the first block follows the IV');
  const forged = Uint8Array.from(iv);
  for (let i = 0; i < from.length; i++)
    forged[at + i] = (forged[at + i] as number) ^ (from[i] as number) ^ (to[i] as number);
  return forged;
}
