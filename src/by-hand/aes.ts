import { toHex as hex } from '../crypto/bytes.ts';

/**
 * AES-256 written out step by step (FIPS-197), for lesson 13 and `dhlab aes`: every round's
 * state is kept so a class can follow one block through the cipher. Teaching only: table lookups
 * and branches on secret bytes make it leak through timing; dhlab's record layer uses node:crypto.
 */

/** FIPS-197 s.5.1.1 figure 7: the S-box, built from its definition (inverse in GF(2^8), then the affine map). */
export const SBOX: Uint8Array = (() => {
  const box = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    let inverse = 0;
    if (x !== 0) for (inverse = 1; gfMultiply(x, inverse) !== 1; inverse++);
    let b = inverse;
    let out = 0x63;
    for (let i = 0; i < 5; i++) {
      out ^= b;
      b = ((b << 1) | (b >> 7)) & 0xff; // rotate left: b ^ rotl1 ^ rotl2 ^ rotl3 ^ rotl4 ^ 0x63
    }
    box[x] = out;
  }
  return box;
})();

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 s.4.2). */
export function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let x = a, y = b; y > 0; y >>= 1) {
    if (y & 1) product ^= x;
    x = x & 0x80 ? ((x << 1) ^ 0x11b) & 0xff : x << 1;
  }
  return product;
}

/** The state as FIPS-197 s.3.4 lays it out: byte i of the block is row i mod 4, column i div 4. */
export type State = Uint8Array;

export const subBytes = (s: State): State => s.map((b) => SBOX[b] as number);

/** s.5.1.2: row r shifts left by r columns. */
export function shiftRows(s: State): State {
  const out = new Uint8Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) out[4 * c + r] = s[4 * ((c + r) % 4) + r] as number;
  return out;
}

/** s.5.1.3: each column times {03}x^3 + {01}x^2 + {01}x + {02} modulo x^4 + 1. */
export function mixColumns(s: State): State {
  const out = new Uint8Array(16);
  for (let c = 0; c < 4; c++) {
    const [a0, a1, a2, a3] = [0, 1, 2, 3].map((r) => s[4 * c + r] as number) as [number, number, number, number];
    out[4 * c] = gfMultiply(a0, 2) ^ gfMultiply(a1, 3) ^ a2 ^ a3;
    out[4 * c + 1] = a0 ^ gfMultiply(a1, 2) ^ gfMultiply(a2, 3) ^ a3;
    out[4 * c + 2] = a0 ^ a1 ^ gfMultiply(a2, 2) ^ gfMultiply(a3, 3);
    out[4 * c + 3] = gfMultiply(a0, 3) ^ a1 ^ a2 ^ gfMultiply(a3, 2);
  }
  return out;
}

export const addRoundKey = (s: State, roundKey: Uint8Array): State => s.map((b, i) => b ^ (roundKey[i] as number));

/** s.5.2 KeyExpansion for Nk = 8, Nr = 14: 60 words, returned as the 15 round keys of 16 bytes. */
export function expandKey256(key: Uint8Array): Uint8Array[] {
  if (key.length !== 32) throw new RangeError('AES-256 needs a 32-byte key');
  const words: number[][] = [];
  for (let i = 0; i < 8; i++) words.push([...key.subarray(4 * i, 4 * i + 4)]);
  let rcon = 1;
  for (let i = 8; i < 60; i++) {
    let temp = [...(words[i - 1] as number[])];
    if (i % 8 === 0) {
      temp = [...temp.slice(1), temp[0] as number].map((b) => SBOX[b] as number); // SubWord(RotWord(temp))
      temp[0] = (temp[0] as number) ^ rcon;
      rcon = gfMultiply(rcon, 2);
    } else if (i % 8 === 4) temp = temp.map((b) => SBOX[b] as number);
    words.push((words[i - 8] as number[]).map((b, j) => b ^ (temp[j] as number)));
  }
  return Array.from({ length: 15 }, (_, round) => Uint8Array.from(words.slice(4 * round, 4 * round + 4).flat()));
}

/** One round as FIPS-197 Appendix C prints it (`m_col` is absent in the last round). */
export interface AesRound {
  round: number;
  start: Uint8Array;
  sBox?: Uint8Array;
  sRow?: Uint8Array;
  mCol?: Uint8Array;
  kSch: Uint8Array;
}

export interface AesTrace {
  input: Uint8Array;
  rounds: AesRound[];
  output: Uint8Array;
}

/** Encrypts one 16-byte block with AES-256 (FIPS-197 s.5.1, figure 5), keeping every step. */
export function encryptBlockTraced(key: Uint8Array, block: Uint8Array): AesTrace {
  if (block.length !== 16) throw new RangeError('an AES block is 16 bytes');
  const roundKeys = expandKey256(key);
  const rounds: AesRound[] = [{ round: 0, start: Uint8Array.from(block), kSch: roundKeys[0] as Uint8Array }];
  let state = addRoundKey(block, roundKeys[0] as Uint8Array);
  for (let round = 1; round <= 14; round++) {
    const start = state;
    const sBox = subBytes(start);
    const sRow = shiftRows(sBox);
    const mCol = round < 14 ? mixColumns(sRow) : undefined;
    const kSch = roundKeys[round] as Uint8Array;
    state = addRoundKey(mCol ?? sRow, kSch);
    rounds.push({ round, start, sBox, sRow, ...(mCol ? { mCol } : {}), kSch });
  }
  return { input: Uint8Array.from(block), rounds, output: state };
}

/** The trace in FIPS-197 Appendix C's notation: `round[ 1].s_box 63ca...`. */
export function fipsLines(trace: AesTrace): string[] {
  const label = (round: number, step: string) => `${`round[${String(round).padStart(2)}].${step}`.padEnd(15)} `;
  const lines: string[] = [];
  for (const r of trace.rounds) {
    if (r.round === 0) lines.push(`${label(0, 'input')}${hex(r.start)}`);
    else {
      lines.push(`${label(r.round, 'start')}${hex(r.start)}`);
      if (r.sBox) lines.push(`${label(r.round, 's_box')}${hex(r.sBox)}`);
      if (r.sRow) lines.push(`${label(r.round, 's_row')}${hex(r.sRow)}`);
      if (r.mCol) lines.push(`${label(r.round, 'm_col')}${hex(r.mCol)}`);
    }
    lines.push(`${label(r.round, 'k_sch')}${hex(r.kSch)}`);
  }
  lines.push(`${label(14, 'output')}${hex(trace.output)}`);
  return lines;
}

/** The state as FIPS-197 draws it (figure 3): four rows, byte i in row i mod 4, column i div 4. */
export function stateGrid(state: Uint8Array): string[] {
  return [0, 1, 2, 3].map((r) =>
    [0, 1, 2, 3].map((c) => (state[4 * c + r] as number).toString(16).padStart(2, '0')).join(' '),
  );
}
