import { modPow, type DhGroup } from '../../crypto/groups.ts';

/**
 * The arithmetic of a small-subgroup attack (Lim and Lee, CRYPTO '97; Cryptopals 57), for
 * lesson 10. Teaching only.
 */

/** An element of order exactly r (r a prime dividing p - 1): p - 1 for r = 2, else g^((p-1)/r) with g of order p - 1. */
export function elementOfOrder(group: DhGroup, r: bigint): bigint {
  const { p, g } = group;
  if ((p - 1n) % r !== 0n) throw new RangeError(`${r} does not divide p - 1`);
  const h = r === 2n ? p - 1n : modPow(g, (p - 1n) / r, p);
  if (h === 1n || modPow(h, r, p) !== 1n)
    throw new RangeError(`g does not give an element of order ${r} in ${group.name}`);
  return h;
}

/** x from x mod r_i for pairwise coprime r_i (the Chinese remainder theorem): x mod the product. */
export function crt(residues: readonly { residue: bigint; modulus: bigint }[]): { x: bigint; modulus: bigint } {
  let x = 0n;
  let modulus = 1n;
  for (const { residue, modulus: r } of residues) {
    // Find x' = x + modulus * t with x' = residue (mod r): t = (residue - x) * modulus^-1 mod r.
    const t = (((residue - x) % r) + r) % r;
    const inverse = modPow(modulus % r, r - 2n, r); // r is prime: Fermat's little theorem
    x += modulus * ((t * inverse) % r);
    modulus *= r;
  }
  return { x, modulus };
}
