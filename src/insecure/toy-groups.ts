import { GROUPS, isGroupName, type DhGroup } from '../crypto/groups.ts';

/**
 * Toy Diffie-Hellman groups, for teaching only: small enough to check by hand (toy23) or to break
 * on a laptop (toy-32, toy-64). Each p is a safe prime (q = (p-1)/2 prime). For all but textbook23,
 * p = 7 mod 8, so 2 is a quadratic residue and g = 2 generates the subgroup of order q, like the
 * RFC 3526 groups. textbook23 is the classroom example (p = 23, g = 5): 5 generates the whole group
 * of order 22, so half its public values fail the subgroup check. smooth-48 is not a safe prime at all
 * (below).
 */
function toy(name: string, p: bigint, g: bigint): DhGroup {
  return {
    name,
    rfcSection: 'none (toy group)',
    p,
    g,
    q: (p - 1n) / 2n,
    byteLength: Math.ceil(p.toString(16).length / 2),
    insecure: true,
  };
}

/**
 * The opposite of a safe prime, for lesson 10: p - 1 = 2 * 2267 * 3943 * 3947 * 3989, every factor
 * small, and g = 5 generates the whole group (order p - 1). Each factor r has elements of order r,
 * which is what a small-subgroup attack sends to a server that validates nothing (Lim and Lee,
 * CRYPTO '97; Cryptopals 57). Validation's subgroup check assumes a safe prime: use it unvalidated.
 */
const SMOOTH_48: DhGroup = {
  name: 'smooth-48',
  rfcSection: 'none (toy group)',
  p: 281474758746647n,
  g: 5n,
  q: 281474758746646n,
  byteLength: 6,
  insecure: true,
};

/** The prime factors of p - 1 for the groups whose p - 1 is smooth (lesson 10). */
export const SMOOTH_FACTORS: Readonly<Record<string, readonly bigint[]>> = {
  'smooth-48': [2n, 2267n, 3943n, 3947n, 3989n],
};

export const TOY_GROUPS: Readonly<Record<string, DhGroup>> = {
  toy23: toy('toy23', 23n, 2n),
  textbook23: toy('textbook23', 23n, 5n),
  // The largest safe primes below 2^32 and 2^64 with p = 7 mod 8.
  'toy-32': toy('toy-32', 4294967087n, 2n),
  'toy-48': toy('toy-48', 281474976705359n, 2n),
  'toy-64': toy('toy-64', 18446744073709543127n, 2n),
  'smooth-48': SMOOTH_48,
};

export function toyGroup(name: string): DhGroup | undefined {
  return Object.hasOwn(TOY_GROUPS, name) ? TOY_GROUPS[name] : undefined;
}

/** Any group by name: an RFC 3526 group, or a toy group. */
export function anyGroup(name: string): DhGroup | undefined {
  return isGroupName(name) ? GROUPS[name] : toyGroup(name);
}

/** "toy group toy23: p = 23, g = 2, q = 11 (INSECURE)" or "the RFC 3526 2048-bit MODP prime (s.3)" */
export function describeGroup(group: DhGroup): string {
  const factors = SMOOTH_FACTORS[group.name];
  if (factors)
    return `toy group ${group.name}: p = ${group.p}, g = ${group.g}, p - 1 = ${factors.join(' * ')}: no prime q (INSECURE, teaching only)`;
  if (group.insecure)
    return `toy group ${group.name}: p = ${group.p}, g = ${group.g}, q = ${group.q} (INSECURE, teaching only)`;
  return `the RFC 3526 ${group.p.toString(2).length}-bit MODP prime (s.${group.rfcSection.split(' ')[0]})`;
}
