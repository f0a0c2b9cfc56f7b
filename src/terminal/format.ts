import { bytesToBigint, toHex } from '../crypto/bytes.ts';

/**
 * The one value formatter of the lab, the narration, --trace, the demo and the handouts.
 * Numbers (exponents, public values, Z) below 2^64 are decimal, so a class can check a toy group's
 * arithmetic with pow(); larger ones are hex, abbreviated, with the number's own bit length (a
 * 255-bit exponent says 255 bits, not the 256 of its 32-byte encoding) and, when its encoding is
 * padded (y and Z to the length of p, PROTOCOL s.4.3), the padded length said separately. Byte
 * strings (hashes, keys, signatures) are hex with their length in bits.
 */

export interface FormatOptions {
  /** Every digit instead of the first and last `keep`. */
  full?: boolean;
  keep?: number;
}

const DECIMAL_BELOW = 1n << 64n;

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** The first and last `keep` characters of an encoding (hex or base64), or all of it. */
export function shorten(text: string, { full = false, keep = 8 }: FormatOptions): string {
  return full || text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`;
}

/** "(2040 bits, 256 bytes)" for a padded encoding, "(256 bits)" otherwise (PROTOCOL s.4.3). */
export function sizeNote(bits: number, bytes: number): string {
  return bytes * 8 - bits >= 8 ? `(${bits} bits, ${bytes} bytes)` : `(${bits} bits)`;
}

/** A number: "18", or "9f3c…a1e0 (2046 bits)". */
export function formatNumber(n: bigint, options: FormatOptions = {}): string {
  if (n < DECIMAL_BELOW) return n.toString(10);
  return `${shorten(n.toString(16), options)} (${bitLength(n)} bits)`;
}

/**
 * A number as it was encoded on the wire (big-endian, maybe padded): "0" for an all-zero Z,
 * "00f3…a1e0 (2040 bits, 256 bytes)" for a padded y. The hex is the encoding's, byte for byte.
 */
export function formatEncodedNumber(bytes: Uint8Array, options: FormatOptions = {}): string {
  const n = bytesToBigint(bytes);
  if (n < DECIMAL_BELOW) return n.toString(10);
  return `${shorten(toHex(bytes), options)} ${sizeNote(bitLength(n), bytes.length)}`;
}

/** A byte string (hash, key, signature): "9f3c…a1e0 (256 bits)". */
export function formatBytes(bytes: Uint8Array, options: FormatOptions = {}): string {
  return `${shorten(toHex(bytes), options)} (${bytes.length * 8} bits)`;
}

/** Value names (docs/TEACHING.md) whose values are numbers, not byte strings. */
export function isNumberName(name: string): boolean {
  return /(^|\.)(x|y|y_s|y_c|Z|x_s|x_c|p|g|q|secret)$/.test(name);
}

/** Bytes as text where they are printable ASCII, a dot elsewhere (a XOR of plaintexts, a block of a message). */
export function printableAscii(bytes: Uint8Array): string {
  return [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}
