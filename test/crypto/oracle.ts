/**
 * Square-and-multiply in plain BigInt, the textbook way: the slow, obviously correct oracle that
 * the engines, the Legendre-symbol check and the test vectors are compared with.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}
