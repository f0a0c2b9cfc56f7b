import { bigintToBytes, bytesToBigint } from '../../src/crypto/bytes.ts';
import { bitLength, shorten, sizeNote } from '../../src/terminal/format.ts';

/** The colour classes of the legend: public, secret (this side only), on the wire, error. */
export type ValueKind = 'public' | 'secret' | 'wire' | 'error' | 'plain';
export type Encoding = 'hex' | 'base64';

/** A value the inspector can show abbreviated and expand in full. */
export interface LabValue {
  bytes: Uint8Array;
  /** Bit length of the number it encodes (for p, y, Z), or 8 x bytes for keys and hashes. */
  bits: number;
}

/** A byte string (hash, key, signature): its bits are its length. */
export function valueOf(bytes: Uint8Array): LabValue {
  return { bytes, bits: bytes.length * 8 };
}

/** A number as encoded (x, y, Z): its bits are the number's own, whatever the padding. */
export function valueOfNumber(bytes: Uint8Array): LabValue {
  return { bytes, bits: bitLength(bytesToBigint(bytes)) };
}

export function valueOfBigint(n: bigint): LabValue {
  const length = Math.max(1, Math.ceil(n.toString(16).length / 2));
  return { bytes: bigintToBytes(n, length), bits: bitLength(n) };
}

export function encode(bytes: Uint8Array, encoding: Encoding): string {
  return Buffer.from(bytes).toString(encoding);
}

/** Values below 2^64 (the toy groups') are shown in decimal, so a class can check them with pow(). */
export function decimalOf(value: LabValue): string | null {
  const n = bytesToBigint(value.bytes);
  return n < 1n << 64n && (value.bytes.length <= 8 || value.bits < value.bytes.length * 8) ? n.toString(10) : null;
}

/** "9f3c…a1e0 (256 bits)": enough to compare values by eye across panes; "18 (5 bits)" when small. */
export function abbreviate(value: LabValue, encoding: Encoding, keep = 4): string {
  const decimal = decimalOf(value);
  if (decimal !== null) return `${decimal} (${BigInt(decimal).toString(2).length} bits)`;
  // The one formatter's rules (src/terminal/format.ts), in the lab's encoding and width.
  return `${shorten(encode(value.bytes, encoding), { keep })} ${sizeNote(value.bits, value.bytes.length)}`;
}

/** A value in full, broken into lines of `width` characters for the detail view and files. */
export function wrapValue(value: LabValue, encoding: Encoding, width: number): string[] {
  const text = encode(value.bytes, encoding);
  const lines: string[] = [];
  const step = Math.max(8, width);
  for (let i = 0; i < text.length; i += step) lines.push(text.slice(i, i + step));
  return lines.length > 0 ? lines : [''];
}
