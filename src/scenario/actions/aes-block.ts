import { toHex as hex } from '../../crypto/bytes.ts';
import { DhlabError } from '../../errors.ts';
import { printableAscii as printable } from '../../terminal/format.ts';
import { encryptBlockTraced, stateGrid, type AesRound } from '../../by-hand/aes.ts';
import { counterBlock, gcmSealByHand } from '../../by-hand/gcm.ts';
import type { Action } from '../types.ts';
import type { ActionContext } from './action-context.ts';

/** One round as five 4x4 grids side by side (start, s_box, s_row, m_col, k_sch): FIPS-197 figure 3's layout. */
function roundLines(r: AesRound): string[] {
  const columns: Array<[string, Uint8Array | undefined]> =
    r.round === 0
      ? [
          ['input', r.start],
          ['k_sch', r.kSch],
        ]
      : [
          ['start', r.start],
          ['s_box', r.sBox],
          ['s_row', r.sRow],
          ['m_col', r.mCol],
          ['k_sch', r.kSch],
        ];
  const shown = columns.filter((c): c is [string, Uint8Array] => c[1] !== undefined);
  const grids = shown.map(([, bytes]) => stateGrid(bytes));
  return [
    `round[${String(r.round).padStart(2)}]  ${shown.map(([name]) => name.padEnd(11)).join('  ')}`.trimEnd(),
    ...[0, 1, 2, 3].map((row) => `           ${grids.map((g) => g[row]).join('  ')}`),
  ];
}

/**
 * Lesson 13: the first data frame a client sent, recomputed by hand from its key and nonce: the
 * counter block, AES-256's 14 rounds, the keystream XOR the plaintext, GHASH and the tag; each
 * compared with the bytes the wire carried. `show` picks which part a step prints.
 */
export function aesBlock(world: ActionContext, action: Extract<Action, { kind: 'aes_block' }>): string[] {
  const name = action.connection;
  const key = world.value(`${name}.key_c2s`);
  const record = world.frames.find((f) => f.from === name && f.frame.type === 'data');
  if (!(key instanceof Uint8Array) || !record) {
    throw new DhlabError(
      'ERR_SCENARIO',
      `${world.scenario.file}: aes_block needs ${name} connected and one chat sent before it`,
    );
  }
  const seq = Number(record.frame.seq);
  const box = Buffer.from(String(record.frame.box), 'base64');
  const wireCiphertext = box.subarray(0, box.length - 16);
  const wireTag = box.subarray(box.length - 16);
  // The spec's nonce and AAD (PROTOCOL s.5), written out here rather than taken from the core.
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(seq));
  const aad = Buffer.from(`dhlab/1 data ${seq}`, 'utf8');
  const plaintext = world.engine.aesGcmOpen(key, nonce, box, aad);
  if (plaintext === null)
    throw new DhlabError(
      'ERR_SCENARIO',
      `${world.scenario.file}: ${name}'s first frame does not open with ${name}.key_c2s`,
    );
  const gcm = gcmSealByHand(key, nonce, plaintext, aad);
  const j1 = counterBlock(nonce, 2);
  const rounds = encryptBlockTraced(key, j1);
  const first = plaintext.subarray(0, 16);
  const firstCipher = gcm.ciphertext.subarray(0, first.length);
  const wire = { ciphertext: wireCiphertext, tag: wireTag };
  recordValues(world, { key, nonce, j1, keystream: rounds.output, first, firstCipher, gcm, wire });

  switch (action.show) {
    case 'counter':
      return [
        `${name}'s first data frame: seq ${seq}, ${plaintext.length} bytes of plaintext, ${Math.ceil(plaintext.length / 16)} blocks of 16`,
        `key k_c2s [secret]  ${hex(key)}`,
        `nonce = 00000000 || uint64(seq)  ${hex(nonce)}`,
        `AAD = "dhlab/1 data ${seq}"  ${hex(aad)}`,
        `J0 = nonce || 00000001  ${hex(gcm.j0)}  (kept for the tag)`,
        `J1 = nonce || 00000002  ${hex(j1)}  (the counter block of the first 16 bytes)`,
      ];
    case 'rounds':
      return [
        `AES-256(k_c2s, J1): the state after each step, as FIPS-197 draws it (byte i in row i mod 4, column i div 4)`,
        ...rounds.rounds.flatMap(roundLines),
        `output = keystream block  ${hex(rounds.output)}`,
      ];
    case 'keystream':
      return [
        `keystream  ${hex(rounds.output.subarray(0, first.length))}`,
        `plaintext  ${hex(first)}  "${printable(first)}"${printable(first) === '{"type":"chat","' ? ' (every chat begins with these 16 bytes: the words start in block 2)' : ''}`,
        `XOR        ${hex(firstCipher)}`,
        `on the wire (the box's first ${first.length} bytes)  ${hex(wireCiphertext.subarray(0, first.length))}`,
        `${otherBlocks(gcm.counters.length)}: the whole ciphertext by hand ${Buffer.from(gcm.ciphertext).equals(wireCiphertext) ? 'equals' : 'DIFFERS FROM'} the ${wireCiphertext.length} bytes on the wire`,
      ];
    case 'tag':
      return [
        `H = AES(k_c2s, 0^128)  ${hex(gcm.h)}`,
        `GHASH over ${gcm.ghashBlocks.length} blocks: the AAD padded, the ciphertext padded, then len(AAD) || len(C) in bits`,
        'Y0 = 0; Y(i) = (Y(i-1) XOR X(i)) • H, the product in GF(2^128) (SP 800-38D s.6.3-6.4)',
        ...gcm.ghashBlocks.map((x, i) => `  X${i + 1} ${hex(x)}  Y${i + 1} ${hex(gcm.ghash[i] as Uint8Array)}`),
        `S = Y${gcm.ghashBlocks.length}  ${hex(gcm.ghash.at(-1) as Uint8Array)}`,
        `AES(k_c2s, J0)  ${hex(gcm.ekJ0)}`,
        `tag = S XOR AES(k_c2s, J0)  ${hex(gcm.tag)}`,
        `on the wire (the box's last 16 bytes)  ${hex(wireTag)}`,
      ];
  }
}

/** The lesson's values, by the names its narration and checks use (docs/TEACHING.md). */
function recordValues(
  world: ActionContext,
  v: {
    key: Uint8Array;
    nonce: Uint8Array;
    j1: Uint8Array;
    keystream: Uint8Array;
    first: Uint8Array;
    firstCipher: Uint8Array;
    gcm: ReturnType<typeof gcmSealByHand>;
    wire: { ciphertext: Uint8Array; tag: Uint8Array };
  },
): void {
  for (const [name, value] of [
    ['aes.key', v.key],
    ['aes.nonce', v.nonce],
    ['aes.j0', v.gcm.j0],
    ['aes.j1', v.j1],
    ['aes.keystream', v.keystream],
    ['aes.plaintext_block', v.first],
    ['aes.ciphertext_block', v.firstCipher],
    ['aes.wire_block', v.wire.ciphertext.subarray(0, v.first.length)],
    ['aes.ciphertext', v.gcm.ciphertext],
    ['aes.wire_ciphertext', v.wire.ciphertext],
    ['aes.h', v.gcm.h],
    ['aes.s', v.gcm.ghash.at(-1) as Uint8Array],
    ['aes.ek_j0', v.gcm.ekJ0],
    ['aes.tag', v.gcm.tag],
    ['aes.wire_tag', v.wire.tag],
  ] as const)
    world.setValue(name, Uint8Array.from(value));
}

/** The blocks after the first, J2..Jn, named with their counter values (Ji holds i + 1: J0 holds 1). */
export function otherBlocks(blocks: number): string {
  if (blocks <= 1) return 'no other block';
  if (blocks === 2) return 'the other block, counter J2 (value 3)';
  return `the other ${blocks - 1} blocks, counters J2..J${blocks} (values 3..${blocks + 1})`;
}
