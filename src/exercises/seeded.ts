import { createHash } from 'node:crypto';

/**
 * Reproducible case values: SHA-256(seed || label || counter) blocks. Not a secret generator (the
 * grader's cases must be the same for every run with one seed); never used for keys that protect
 * anything.
 */
export class CaseSource {
  private counter = 0;

  constructor(private readonly seed: string) {}

  bytes(length: number, label = ''): Uint8Array {
    const out = Buffer.alloc(length);
    for (let at = 0; at < length; at += 32) {
      const block = createHash('sha256').update(`${this.seed}\0${label}\0${this.counter++}`).digest();
      block.copy(out, at, 0, Math.min(32, length - at));
    }
    return out;
  }

  /** A number below `limit` (limit > 0), from enough bytes that the bias is negligible. */
  below(limit: bigint, label = ''): bigint {
    const length = Math.ceil(limit.toString(16).length / 2) + 8;
    return BigInt(`0x${Buffer.from(this.bytes(length, label)).toString('hex')}`) % limit;
  }
}
