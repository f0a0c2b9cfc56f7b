import { modPow, type DhGroup } from '../../crypto/groups.ts';

export interface DiscreteLogResult {
  /** The exponent found, or null when none lies below the bound. */
  x: bigint | null;
  /** Modular multiplications done (baby steps plus giant steps). */
  steps: number;
  /** Entries of the baby-step table (its memory cost). */
  tableSize: number;
  ms: number;
}

/** ceil(sqrt(n)) for a BigInt, by Newton's method. */
export function ceilSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.ceil(Math.sqrt(Number(n))));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) break;
    x = next;
  }
  while (x * x < n) x++;
  while (x > 0n && (x - 1n) * (x - 1n) >= n) x--;
  return x;
}

/**
 * Baby-step giant-step (Shanks 1971; Handbook of Applied Cryptography alg. 3.56): finds x in
 * [0, bound) with g^x = y mod p in about 2*sqrt(bound) multiplications and sqrt(bound) table
 * entries. It is why an exponent of n bits gives at most n/2 bits of security, whatever p is.
 */
export function babyStepGiantStep(g: bigint, y: bigint, p: bigint, bound: bigint): DiscreteLogResult {
  const started = performance.now();
  const m = ceilSqrt(bound);
  const table = new Map<bigint, bigint>();
  let power = 1n;
  for (let j = 0n; j < m; j++) {
    if (!table.has(power)) table.set(power, j);
    power = (power * g) % p;
  }
  // power is now g^m; a giant step multiplies by g^-m = (g^m)^(p-2) (Fermat, p prime).
  const giant = modPow(power, p - 2n, p);
  let gamma = y % p;
  let steps = Number(m);
  for (let i = 0n; i < m; i++) {
    const j = table.get(gamma);
    steps++;
    if (j !== undefined) {
      const x = i * m + j;
      if (x < bound) return { x, steps, tableSize: table.size, ms: performance.now() - started };
    }
    gamma = (gamma * giant) % p;
  }
  return { x: null, steps, tableSize: table.size, ms: performance.now() - started };
}

/** The order of g in a safe-prime group (p = 2q + 1): q if g is in the order-q subgroup, else 2q. */
export function orderOfGenerator(group: DhGroup): bigint {
  return modPow(group.g, group.q, group.p) === 1n ? group.q : 2n * group.q;
}

/** How long BSGS would take over `bits` bits of exponent at a measured cost per step. */
export function estimateSeconds(bits: number, secondsPerStep: number): number {
  return 2 * 2 ** (bits / 2) * secondsPerStep;
}

/** "3.2 ms", "41 s", "5.6 hours", "2.1e+28 years": an estimate a class can read. */
export function humanDuration(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toPrecision(2)} ms`;
  if (seconds < 120) return `${seconds.toPrecision(2)} s`;
  if (seconds < 7200) return `${(seconds / 60).toPrecision(2)} minutes`;
  if (seconds < 172_800) return `${(seconds / 3600).toPrecision(2)} hours`;
  const years = seconds / 31_557_600;
  if (years < 2) return `${(seconds / 86400).toPrecision(2)} days`;
  return years < 1e6 ? `${years.toPrecision(2)} years` : `${years.toExponential(1)} years`;
}
