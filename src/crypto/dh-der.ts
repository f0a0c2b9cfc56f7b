import { bigintToBytes } from './bytes.ts';
import type { DhGroup } from './groups.ts';

/**
 * Finite-field DH keys as DER, for node:crypto's key objects: a PKCS#8 PrivateKeyInfo around x and
 * a SubjectPublicKeyInfo around y, both under dhKeyAgreement with DHParameter { p, g } (PKCS #3
 * s.9; RFC 5280 s.4.1 for SPKI; RFC 5208 s.5 for PKCS#8). OpenSSL imports these without the
 * DH_check that `createDiffieHellman(p, g)` runs on every prime since Node 22 (0.3 s for modp14,
 * 2 s for modp15, 5 s for modp16, per handshake context).
 */

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
/** 1.2.840.113549.1.3.1, dhKeyAgreement (PKCS #3). */
const DH_KEY_AGREEMENT = Uint8Array.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01]);

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  const n = body.length;
  // X.690 s.8.1.3: short form below 128, else 0x80 | count of length bytes, big-endian.
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Uint8Array.from([tag, ...length]), body]);
}

/** A non-negative INTEGER (X.690 s.8.3): minimal bytes, a leading zero when the top bit is set. */
function integer(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return tlv(
    INTEGER,
    ((minimal[0] ?? 0) & 0x80) !== 0 ? Uint8Array.from([0]) : new Uint8Array(0),
    minimal.length === 0 ? Uint8Array.from([0]) : minimal,
  );
}

const algorithms = new Map<string, Uint8Array>();

function algorithm(group: DhGroup): Uint8Array {
  let der = algorithms.get(group.name);
  if (!der) {
    der = tlv(
      SEQUENCE,
      DH_KEY_AGREEMENT,
      tlv(SEQUENCE, integer(bigintToBytes(group.p, group.byteLength)), integer(bigintToBytes(group.g, 1))),
    );
    algorithms.set(group.name, der);
  }
  return der;
}

/** PKCS#8 PrivateKeyInfo { version 0, algorithm, privateKey OCTET STRING { INTEGER x } }. */
export function dhPrivateKeyDer(group: DhGroup, x: Uint8Array): Buffer {
  return Buffer.from(tlv(SEQUENCE, integer(Uint8Array.from([0])), algorithm(group), tlv(OCTET_STRING, integer(x))));
}

/** SubjectPublicKeyInfo { algorithm, subjectPublicKey BIT STRING (no unused bits) { INTEGER y } }. */
export function dhPublicKeyDer(group: DhGroup, y: Uint8Array): Buffer {
  return Buffer.from(tlv(SEQUENCE, algorithm(group), tlv(BIT_STRING, Uint8Array.from([0]), integer(y))));
}

/** One element: its tag, where its contents start and end. */
function element(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = der[at] as number;
  const first = der[at + 1] as number;
  if (first < 0x80) return { tag, start: at + 2, end: at + 2 + first };
  let length = 0;
  for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[at + 2 + i] as number);
  const start = at + 2 + (first & 0x7f);
  return { tag, start, end: start + length };
}

/**
 * y from a SubjectPublicKeyInfo that node:crypto exported, `length` bytes, left-padded.
 * @throws Error when the DER is not SEQUENCE { SEQUENCE, BIT STRING { INTEGER } }
 */
export function dhPublicFromDer(der: Uint8Array, length: number): Uint8Array {
  const outer = element(der, 0);
  const alg = element(der, outer.start);
  const bits = element(der, alg.end);
  const y = element(der, bits.start + 1);
  if (outer.tag !== SEQUENCE || alg.tag !== SEQUENCE || bits.tag !== BIT_STRING || y.tag !== INTEGER)
    throw new Error('not a DH SubjectPublicKeyInfo');
  let value = der.subarray(y.start, y.end);
  while (value.length > length && value[0] === 0) value = value.subarray(1);
  const out = new Uint8Array(length);
  out.set(value, length - value.length);
  return out;
}
