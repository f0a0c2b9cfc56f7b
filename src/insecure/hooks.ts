import { bigintToBytes, bytesToBigint } from '../crypto/bytes.ts';
import { generatePrivateKey } from '../crypto/dh.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import type { DhGroup } from '../crypto/groups.ts';
import { DhlabError } from '../errors.ts';
import type { InsecureHooks } from '../protocol/session.ts';
import { toyGroup } from './toy-groups.ts';
import { cbcRecordCipher } from './cbc.ts';
import { stuckNonceRecordCipher } from './stuck-nonce.ts';

/** The weakenings a scenario or an `--insecure-...` flag may ask for. All default to off. */
export interface InsecureSettings {
  /** Private exponents of this many bits (the original project's README: "32-bit numbers"). */
  exponentBits?: number;
  /** One fixed private exponent (the textbook's a = 6, b = 15). */
  exponent?: bigint;
  /** Skip 2 <= y <= p-2 and y^q = 1 mod p; only the encoded length is checked. */
  skipValidation?: boolean;
  /** Accept the toy groups when a server offers one (client side). */
  acceptToyGroups?: boolean;
  /** AES-256-CBC without a MAC instead of AES-256-GCM (both ends must agree). */
  cbc?: boolean;
  /** AES-256-GCM with every frame sealed at seq 0: one nonce for every message (both ends must agree). */
  nonceReuse?: boolean;
  /** Server: one private exponent for every connection, as the original project (its DH key per process). */
  staticKey?: boolean;
}

export function isInsecure(settings: InsecureSettings): boolean {
  return (
    settings.exponentBits !== undefined ||
    settings.exponent !== undefined ||
    settings.skipValidation === true ||
    settings.acceptToyGroups === true ||
    settings.cbc === true ||
    settings.nonceReuse === true ||
    settings.staticKey === true
  );
}

/** An integer in [low, high) from the engine's randomness, by rejection sampling. */
export function randomBelow(engine: CryptoEngine, low: bigint, high: bigint): bigint {
  const span = high - low;
  const bytes = Math.ceil(span.toString(2).length / 8) + 1;
  const limit = (1n << BigInt(bytes * 8)) - ((1n << BigInt(bytes * 8)) % span);
  for (;;) {
    const r = bytesToBigint(engine.randomBytes(bytes));
    if (r < limit) return low + (r % span);
  }
}

function exponentBytes(x: bigint): Uint8Array {
  return bigintToBytes(x, Math.max(1, Math.ceil(x.toString(16).length / 2)));
}

/** Length-only check: what the original project did (nothing at all) plus the framing rule. */
function lengthOnly(group: DhGroup, encoded: Uint8Array): bigint {
  if (encoded.length !== group.byteLength) {
    throw new DhlabError('ERR_BAD_PUBLIC_KEY', `public value must be ${group.byteLength} bytes, got ${encoded.length}`);
  }
  return bytesToBigint(encoded);
}

/** Builds the session hooks for the settings; undefined when nothing is weakened. */
export function insecureHooks(engine: CryptoEngine, settings: InsecureSettings): InsecureHooks | undefined {
  if (!isInsecure(settings)) return undefined;
  const hooks: InsecureHooks = {};
  const draw = (group: DhGroup): Uint8Array => {
    if (settings.exponent !== undefined) return exponentBytes(settings.exponent);
    if (settings.exponentBits !== undefined) {
      const bits = BigInt(settings.exponentBits);
      return exponentBytes(randomBelow(engine, 1n << (bits - 1n), 1n << bits)); // top bit set: exactly `bits` bits
    }
    // Toy groups: x in [2, q-1], small enough to check y = g^x mod p by hand.
    return group.insecure ? exponentBytes(randomBelow(engine, 2n, group.q)) : generatePrivateKey(engine);
  };
  // A static key is drawn once, at the first connection, and kept for every connection after it.
  let kept: Uint8Array | null = null;
  hooks.newPrivateKey = settings.staticKey ? (group) => (kept ??= draw(group)) : draw;
  if (settings.skipValidation) {
    hooks.validatePublicValue = lengthOnly;
    hooks.validationOff = true;
  }
  if (settings.acceptToyGroups) hooks.resolveGroup = toyGroup;
  if (settings.cbc) hooks.recordCipher = cbcRecordCipher;
  else if (settings.nonceReuse) hooks.recordCipher = stuckNonceRecordCipher;
  return hooks;
}
