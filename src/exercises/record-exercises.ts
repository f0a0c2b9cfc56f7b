import { ENGINES } from '../crypto/engines.ts';
import { toHex } from '../crypto/bytes.ts';
import { aadFor, nonceFor } from '../protocol/channel.ts';
import { exact } from './judges.ts';
import { CaseSource } from './seeded.ts';
import type { Exercise, ExerciseCase } from './types.ts';

/** seal and open: the record layer (PROTOCOL s.5), one direction key at a time. */
const engine = ENGINES.native;
const hex = (bytes: Uint8Array) => toHex(bytes);

/** Nonces laid out the usual wrong ways, by name: the one that makes `box`, if any. */
function nonceLayoutUsed(input: string, box: unknown): string | null {
  const [keyHex, seqText] = input.split(' ');
  const plaintext = input.slice(`${keyHex} ${seqText} `.length);
  const key = Buffer.from(keyHex ?? '', 'hex');
  const seq = BigInt(seqText ?? '0');
  if (key.length !== 32 || typeof box !== 'string') return null;
  const layouts: Record<string, Buffer> = {
    'with SEQ first': Buffer.concat([bigEndian(seq, 8), Buffer.alloc(4)]),
    'little-endian': Buffer.concat([Buffer.alloc(4), Buffer.from(bigEndian(seq, 8).reverse())]),
    'with SEQ in 32 bits': Buffer.concat([Buffer.alloc(8), bigEndian(seq & 0xffffffffn, 4)]),
  };
  for (const [name, nonce] of Object.entries(layouts)) {
    const sealed = engine.aesGcmSeal(key, nonce, Buffer.from(plaintext, 'utf8'), aadFor('data', Number(seq)));
    if (Buffer.from(sealed).toString('base64') === box && !nonce.equals(Buffer.from(nonceFor(Number(seq)))))
      return name;
  }
  return null;
}

const bigEndian = (value: bigint, bytes: number) => Buffer.from(value.toString(16).padStart(bytes * 2, '0'), 'hex');

/** The data frame a direction key makes as message `seq` (PROTOCOL s.5, with the core's nonce and AAD). */
function sealAt(key: Uint8Array, seq: number, plaintext: string): { seq: number; box: string } {
  const sealed = engine.aesGcmSeal(key, nonceFor(seq), Buffer.from(plaintext, 'utf8'), aadFor('data', seq));
  return { seq, box: Buffer.from(sealed).toString('base64') };
}

const frameJson = (frame: { seq: number; box: string }) =>
  JSON.stringify({ type: 'data', seq: frame.seq, box: frame.box });

export const seal: Exercise = {
  name: 'seal',
  title: 'Sealing a message',
  spec: 's.5 (nonce, AAD, AES-256-GCM, the data frame)',
  contract:
    'in: KEY SEQ PLAINTEXT_JSON (KEY in hex; the plaintext is the rest of the line)   out: the data frame as JSON, {"type":"data","seq":SEQ,"box":BASE64}',
  goal: 'Seal a chat message into the data frame a dhlab server would accept as message SEQ.',
  hints: [
    'nonce = 4 zero bytes, then SEQ as an unsigned 64-bit big-endian number (12 bytes in all).',
    'aad = the UTF-8 text "dhlab/1 data " followed by SEQ in decimal.',
    'box = base64 of the ciphertext followed by the 16-byte tag (standard base64, with padding).',
  ],
  cases(seed) {
    const source = new CaseSource(`seal ${seed}`);
    const key = source.bytes(32, 'key');
    const make = (what: string, seq: number, plaintext: string, hint: string): ExerciseCase => ({
      what,
      input: `${hex(key)} ${seq} ${plaintext}`,
      expected: frameJson(sealAt(key, seq, plaintext)),
      hint,
    });
    return [
      make(
        'the first message',
        0,
        '{"type":"chat","text":"hello"}',
        'AES-256-GCM with nonce 000000000000000000000000 and aad "dhlab/1 data 0"; box is base64 of ciphertext || tag (s.5)',
      ),
      make(
        'message 12',
        12,
        '{"type":"chat","text":"meet at 10"}',
        'the AAD holds the sequence number in decimal: "dhlab/1 data 12", not a padded or binary 12 (s.5)',
      ),
      make(
        'message 300',
        300,
        '{"type":"who"}',
        'the nonce ends in SEQ as 64-bit big-endian: ...0000012c for 300 (s.5, NIST SP 800-38D s.8.2.1)',
      ),
      make(
        'non-ASCII text',
        1,
        '{"type":"chat","text":"café ☕"}',
        'encrypt the UTF-8 bytes of the plaintext line, exactly as given',
      ),
      make(
        'a large sequence number',
        2 ** 40 + 7,
        '{"type":"chat","text":"late"}',
        "SEQ needs all 64 bits of the nonce's counter: 2^40 + 7 does not fit in 32 (s.5)",
      ),
    ];
  },
  judge(answer, expected, input) {
    let frame: unknown;
    try {
      frame = JSON.parse(answer);
    } catch {
      return 'the answer is not one line of JSON';
    }
    const want = JSON.parse(expected) as { type: string; seq: number; box: string };
    const got = frame as { type?: unknown; seq?: unknown; box?: unknown };
    if (got.type !== 'data') return 'the frame\'s type is "data"';
    if (got.seq !== want.seq) return 'seq is the message number, a JSON number';
    if (got.box === want.box) return null;
    if (typeof got.box === 'string' && got.box.toLowerCase() === Buffer.from(want.box, 'base64').toString('hex'))
      return 'box is base64, not hex (s.5)';
    const layout = input === undefined ? null : nonceLayoutUsed(input, got.box);
    if (layout)
      return `the nonce is laid out ${layout}: it is 4 zero bytes, then SEQ as a 64-bit big-endian number (s.5)`;
    return '';
  },
};

export const open: Exercise = {
  name: 'open',
  title: 'Opening a message, or refusing it',
  spec: 's.5 (the receiver computes nonce and AAD from its own counter), s.7 (ERR_DECRYPT)',
  contract: 'in: KEY SEQ FRAME_JSON (SEQ is the number you expect next)   out: the plaintext, or ERR_DECRYPT',
  goal: 'Open a data frame, and refuse any frame that was changed, replayed or cut, as a dhlab client must.',
  hints: [
    'Compute the nonce and the AAD from SEQ, the number you expect, never from the frame: a frame whose seq differs is refused (ERR_DECRYPT).',
    'The box is base64 of ciphertext || 16-byte tag; a tag of any other length is refused.',
    'A failed tag check is ERR_DECRYPT: print nothing of what the cipher returned.',
  ],
  cases(seed) {
    const source = new CaseSource(`open ${seed}`);
    const key = source.bytes(32, 'key');
    const text = '{"type":"message","id":4,"from":"alice","text":"meet at 10"}';
    const good = sealAt(key, 3, text);
    const box = Buffer.from(good.box, 'base64');
    const flipped = Buffer.from(box);
    flipped[5] = (flipped[5] as number) ^ 0x01;
    const tagFlipped = Buffer.from(box);
    tagFlipped[box.length - 1] = (tagFlipped[box.length - 1] as number) ^ 0x80;
    const make = (
      what: string,
      seq: number,
      frame: { seq: number; box: string },
      expected: string,
      hint: string,
    ): ExerciseCase => ({
      what,
      input: `${hex(key)} ${seq} ${frameJson(frame)}`,
      expected,
      hint,
    });
    return [
      make(
        'an honest frame',
        3,
        good,
        text,
        'nonce from SEQ (4 zero bytes, then SEQ as 64-bit big-endian), aad "dhlab/1 data 3", then AES-256-GCM open (s.5)',
      ),
      make(
        'a frame from the start',
        0,
        sealAt(key, 0, '{"type":"welcome","members":["alice"],"count":1}'),
        '{"type":"welcome","members":["alice"],"count":1}',
        'seq 0: nonce of twelve zero bytes, aad "dhlab/1 data 0"',
      ),
      make(
        'one flipped bit in the ciphertext',
        3,
        { seq: 3, box: flipped.toString('base64') },
        'ERR_DECRYPT',
        "GCM's tag covers every ciphertext bit: verify the tag, and refuse on failure (s.5)",
      ),
      make(
        'one flipped bit in the tag',
        3,
        { seq: 3, box: tagFlipped.toString('base64') },
        'ERR_DECRYPT',
        'a tag that does not verify is ERR_DECRYPT (s.5)',
      ),
      make(
        'a replay: the frame says seq 3, you expect 4',
        4,
        good,
        'ERR_DECRYPT',
        "compute the nonce and AAD from your own counter (4), not from the frame's seq: a replayed frame must fail (s.5)",
      ),
      make(
        'a truncated tag',
        3,
        { seq: 3, box: box.subarray(0, box.length - 1).toString('base64') },
        'ERR_DECRYPT',
        'tags MUST be 16 bytes: a shorter one is refused, not checked as a shorter tag (s.5, and authTagLength: 16 in node:crypto)',
      ),
    ];
  },
  judge: exact,
};
