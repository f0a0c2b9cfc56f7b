/** Byte helpers shared by both crypto engines and the protocol. */

export function bigintToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('negative value');
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new RangeError(`value does not fit in ${length} bytes`);
  return Uint8Array.from(Buffer.from(hex.padStart(length * 2, '0'), 'hex'));
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + Buffer.from(bytes).toString('hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
