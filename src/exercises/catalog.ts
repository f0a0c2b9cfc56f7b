import { bigintToBytes, toHex } from '../crypto/bytes.ts';
import { validatePublicKey, legendreSymbol } from '../crypto/dh.ts';
import { ENGINES } from '../crypto/engines.ts';
import { GROUPS, modPow, type DhGroup } from '../crypto/groups.ts';
import { DhlabError } from '../errors.ts';
import { anyGroup, TOY_GROUPS } from '../insecure/toy-groups.ts';
import { deriveSessionKeys, transcriptHash } from '../protocol/keyschedule.ts';
import { wrapLine } from '../terminal/narrate.ts';
import { CaseSource } from './seeded.ts';
import type { Exercise, ExerciseCase } from './types.ts';
import { clientExercise } from './client-exercise.ts';
import { serverExercise } from './server-exercise.ts';
import { breakWeak } from './break-weak.ts';
import { exact } from './judges.ts';
import { open, seal } from './record-exercises.ts';

export type { Exercise, ExerciseCase } from './types.ts';

const engine = ENGINES.native;
const hex = (bytes: Uint8Array) => toHex(bytes);
const groupOf = (name: string) => anyGroup(name) as DhGroup;

/** keys: which of K, H and the two keys differ says which step is wrong (s.4.3, s.4.4). */
function keysJudge(answer: string, expected: string): string | null {
  const plain = exact(answer, expected);
  if (plain !== '') return plain;
  const [k, h, ...keys] = answer.split(' ');
  const [wantK, wantH, ...wantKeys] = expected.split(' ');
  if (k === wantK && h !== wantH)
    return 'K is right and H differs: the transcript hash is SHA-256 of lp() of each field in order ("dhlab/1 transcript", name, group, y_s, host_key, y_c), lp = 4-byte big-endian length, then the bytes (s.4.3)';
  if (k === wantK && h === wantH && keys.join(' ') !== wantKeys.join(' '))
    return 'K and H are right and the keys differ: PRK = HMAC-SHA256(key = H, message = K), then each key is HMAC-SHA256(PRK, label || 0x01) with its own label (s.4.4)';
  return '';
}

const modpow: Exercise = {
  name: 'modpow',
  title: 'Modular exponentiation',
  spec: 's.4.1 (y = g^x mod p)',
  contract: 'in: B E M (decimal, one case per line)   out: B^E mod M (decimal)',
  goal: 'Every Diffie-Hellman value is a modular power. Compute B^E mod M for numbers of up to 4096 bits.',
  hints: [
    'Square and multiply: walk the bits of E, squaring each time and multiplying when the bit is 1, reducing mod M at every step. B^E itself would have more digits than there are atoms.',
    'E = 0 gives 1, except mod 1, where everything is 0.',
    'Python has pow(b, e, m); use it to check yourself, then write your own.',
  ],
  cases(seed) {
    const source = new CaseSource(`modpow ${seed}`);
    const big = (bits: number, label: string) => source.below(1n << BigInt(bits), label) | (1n << BigInt(bits - 1));
    const out: ExerciseCase[] = [];
    const add = (what: string, b: bigint, e: bigint, m: bigint, hint: string) =>
      out.push({ what, input: `${b} ${e} ${m}`, expected: modPow(b, e, m).toString(), hint });
    const square =
      'square and multiply, reducing mod M after every multiplication (s.4.1 needs it for 2048-bit and larger values)';
    add('small numbers', 3n, 5n, 7n, 'B^E mod M: 3^5 = 243 = 34 * 7 + 5');
    add('E = 0', 5n, 0n, 7n, 'anything to the power 0 is 1');
    add('M = 1', 5n, 0n, 1n, 'everything is 0 mod 1, even B^0: reduce the result mod M too');
    add('B = 0', 0n, 5n, 7n, '0 to any positive power is 0');
    add('B larger than M', 100n, 3n, 7n, 'reduce B mod M first, or at least before the result');
    add('64-bit numbers', big(64, 'b64'), big(64, 'e64'), big(64, 'm64'), square);
    add('a 2048-bit exponentiation', big(2048, 'b2048'), big(256, 'e2048'), GROUPS.modp14.p, square);
    add('4096-bit values', big(4096, 'b4096'), big(4096, 'e4096'), big(4096, 'm4096') | 1n, square);
    return out;
  },
};

const dh: Exercise = {
  name: 'dh',
  title: 'A public value',
  spec: 's.4.1 (groups, y = g^x mod p, fixed-length encoding)',
  contract: 'in: GROUP X (X in hex)   out: Y = g^X mod p, in hex, padded to the byte length of p',
  goal: "Compute a Diffie-Hellman public value as it goes on the wire, for the toy groups (toy23, toy-64) and RFC 3526's modp14, modp15 and modp16.",
  hints: [
    "p and g: RFC 3526 s.3-5 for modp14-16 (g = 2); toy23 is p = 23, g = 2; toy-64 is p = 18446744073709543127, g = 2. `npx dhlab exercise --groups` prints every group's p and g, offline.",
    'Y is exactly as many bytes as p (toy23: 1 byte, modp14: 256 bytes): pad with zero bytes on the left.',
  ],
  cases(seed) {
    const source = new CaseSource(`dh ${seed}`);
    const out: ExerciseCase[] = [];
    const add = (what: string, group: DhGroup, x: bigint, hint: string) =>
      out.push({
        what,
        input: `${group.name} ${x.toString(16)}`,
        expected: hex(bigintToBytes(modPow(group.g, x, group.p), group.byteLength)),
        hint,
      });
    const toy23 = groupOf('toy23');
    add('toy23, x = 6', toy23, 6n, '2^6 = 64 = 2 * 23 + 18: Y = 18 = 0x12, one byte');
    add('toy23, x = 2: Y = 4', toy23, 2n, 'Y is one byte in toy23: 04, not 4 (s.4.1: the byte length of p)');
    add(
      'toy-64',
      groupOf('toy-64'),
      source.below(groupOf('toy-64').q, 'toy64'),
      'toy-64: p = 18446744073709543127, g = 2',
    );
    for (const name of ['modp14', 'modp15', 'modp16'] as const) {
      const group = GROUPS[name];
      add(
        name,
        group,
        source.below(1n << 256n, name),
        `${name}: RFC 3526's prime and g = 2; Y is ${group.byteLength} bytes`,
      );
    }
    // About 1 exponent in 256 gives a Y whose first byte is 0: find one (the padding trap).
    const group = GROUPS.modp14;
    for (let i = 0; i < 5000; i++) {
      const x = source.below(1n << 256n, `pad ${i}`);
      if (modPow(group.g, x, group.p) < 1n << BigInt(8 * (group.byteLength - 1))) {
        add(
          'modp14, a Y whose first byte is 0',
          group,
          x,
          'pad Y on the left to the byte length of p (256 bytes for modp14): this Y starts with 00 (s.4.1)',
        );
        break;
      }
    }
    return out;
  },
  judge: exact,
};

function verdict(group: DhGroup, encoded: Uint8Array): string {
  try {
    validatePublicKey(group, encoded);
    return 'ok';
  } catch (error) {
    if (error instanceof DhlabError) return error.code;
    throw error;
  }
}

const validate: Exercise = {
  name: 'validate',
  title: "Checking the peer's public value",
  spec: 's.4.2 (NIST SP 800-56A rev.3 s.5.6.2.3.1)',
  contract: 'in: GROUP Y (Y in hex, as received)   out: ok, or ERR_BAD_PUBLIC_KEY',
  goal: 'Refuse a public value that would make the shared secret predictable or leak bits of your exponent.',
  hints: [
    'Three checks, in order: the encoding is exactly the byte length of p; 2 <= y <= p-2; y^q = 1 mod p (q = (p-1)/2).',
    '0, 1 and p-1 give a shared secret an attacker knows without any key (s.4.2); a y outside the order-q subgroup leaks your exponent mod 2.',
    "The groups' p: `npx dhlab exercise --groups` prints them all (RFC 3526 and the toy groups), offline.",
  ],
  cases(seed) {
    const source = new CaseSource(`validate ${seed}`);
    const out: ExerciseCase[] = [];
    const add = (what: string, group: DhGroup, encoded: Uint8Array, hint: string) =>
      out.push({ what, input: `${group.name} ${hex(encoded)}`, expected: verdict(group, encoded), hint });
    const enc = (group: DhGroup, y: bigint) => bigintToBytes(y, group.byteLength);
    const toy23 = groupOf('toy23');
    add('toy23, y = 4 (2^2)', toy23, enc(toy23, 4n), 'a value in the subgroup: 4^11 mod 23 = 1');
    add(
      'toy23, y = 5',
      toy23,
      enc(toy23, 5n),
      '5^11 mod 23 = 22, not 1: 5 is outside the order-q subgroup (s.4.2, check 3)',
    );
    const group = GROUPS.modp14;
    const honest = modPow(group.g, source.below(group.q, 'x'), group.p);
    add('modp14, an honest y', group, enc(group, honest), 'g^x mod p is always valid');
    add('modp14, y = 0', group, enc(group, 0n), '0 is outside 2 <= y <= p-2 (s.4.2, check 2)');
    add('modp14, y = 1', group, enc(group, 1n), '1^x = 1 for every x: the shared secret would be 1 (s.4.2, check 2)');
    add(
      'modp14, y = p-1',
      group,
      enc(group, group.p - 1n),
      '(p-1)^x is 1 or p-1: the shared secret is one of two values (s.4.2, check 2)',
    );
    add('modp14, y = p', group, enc(group, group.p), 'p is not below p-2 (s.4.2, check 2)');
    let outside = 0n;
    for (let i = 0; outside === 0n; i++) {
      const y = 2n + source.below(group.p - 4n, `outside ${i}`);
      if (legendreSymbol(y, group.p) === -1) outside = y;
    }
    add(
      'modp14, y outside the subgroup',
      group,
      enc(group, outside),
      'test y^q mod p = 1 with q = (p-1)/2: this y gives p-1 (s.4.2, check 3)',
    );
    add(
      'modp14, one byte short',
      group,
      enc(group, honest).subarray(1),
      'the encoding must be exactly the byte length of p, 256 bytes (s.4.2, check 1): check the length before the number',
    );
    add(
      'modp14, a zero byte too many',
      group,
      Uint8Array.from([0, ...enc(group, honest)]),
      'the encoding must be exactly 256 bytes (s.4.2, check 1), even when the number fits',
    );
    return out;
  },
  judge: exact,
};

/** A handshake's values from seeded exponents; `zeroZ` searches for a Z whose first byte is 0. */
function handshake(source: CaseSource, group: DhGroup, name: string, label: string, zeroZ = false) {
  // 32-byte exponents, as the protocol draws them (s.4.1): a 2047-bit one made the search for a
  // zero-led Z (256 tries on average) take 7 s; this takes under one.
  const below = group.q - 2n < 1n << 256n ? group.q - 2n : 1n << 256n;
  const xs = 2n + source.below(below, `${label} xs`);
  const ys = modPow(group.g, xs, group.p);
  const hostKey = source.bytes(32, `${label} host`);
  for (let i = 0; ; i++) {
    const xc = 2n + source.below(below, `${label} xc ${i}`);
    const z = modPow(ys, xc, group.p);
    if (zeroZ && z >= 1n << BigInt(8 * (group.byteLength - 1))) continue;
    const yc = modPow(group.g, xc, group.p);
    const fields = {
      name,
      group,
      serverPublic: bigintToBytes(ys, group.byteLength),
      hostKey,
      clientPublic: bigintToBytes(yc, group.byteLength),
    };
    const zBytes = bigintToBytes(z, group.byteLength);
    const h = transcriptHash(engine, fields);
    const keys = deriveSessionKeys(engine, zBytes, h);
    return {
      input: `${name} ${group.name} ${hex(fields.serverPublic)} ${hex(hostKey)} ${hex(fields.clientPublic)} ${hex(zBytes)}`,
      expected: `${hex(keys.hashedSecret)} ${hex(h)} ${hex(keys.clientToServer)} ${hex(keys.serverToClient)}`,
    };
  }
}

const keys: Exercise = {
  name: 'keys',
  title: 'From Z to the traffic keys',
  spec: 's.4.3-4.4 (K = SHA-256(Z), the transcript hash H, HKDF, RFC 5869)',
  contract:
    'in: NAME GROUP Y_S HOST_KEY Y_C Z (values in hex; NAME has no spaces)   out: K H KEY_C2S KEY_S2C (hex, space-separated)',
  goal: 'Turn the shared secret into the two AES-256 keys exactly as both sides do, so that a single wrong byte shows.',
  hints: [
    'K = SHA-256(Z) over all the bytes of Z as given: Z is padded to the byte length of p.',
    'H = SHA-256 of lp("dhlab/1 transcript"), lp(name), lp(group), lp(y_s), lp(host_key), lp(y_c), where lp(b) is b\'s length as 4 bytes big-endian, then b; strings are UTF-8.',
    'PRK = HMAC-SHA256(key = H, message = K); each key is HKDF-Expand(PRK, label, 32), whose first block is HMAC-SHA256(PRK, label || 0x01).',
  ],
  cases(seed) {
    const source = new CaseSource(`keys ${seed}`);
    const make = (what: string, group: DhGroup, name: string, hint: string, zeroZ = false): ExerciseCase => ({
      what,
      ...handshake(source, group, name, what, zeroZ),
      hint,
    });
    return [
      make(
        'toy23, alice',
        groupOf('toy23'),
        'alice',
        'K = SHA-256 of the one byte of Z; then H over the length-prefixed fields (s.4.3), then HKDF (s.4.4)',
      ),
      make(
        'modp14, bob',
        GROUPS.modp14,
        'bob',
        'lp() is a 4-byte big-endian length, then the bytes; the group is its wire name, "modp14" (s.4.3)',
      ),
      make(
        'modp14, a Z whose first byte is 0',
        GROUPS.modp14,
        'carol',
        'hash Z with its leading zero byte: Z is padded to the byte length of p before SHA-256 (s.4.3); turning it into a number and back drops the zero',
        true,
      ),
      make(
        'modp14, a non-ASCII name',
        GROUPS.modp14,
        'José',
        'lp(name) counts the UTF-8 bytes of the name (é is 2 bytes), not its characters (s.4.3)',
      ),
      make('modp14, a CJK name', GROUPS.modp14, '山田', 'lp(name) counts UTF-8 bytes: 山田 is 6 bytes (s.4.3)'),
    ];
  },
  judge: keysJudge,
};

/** Every group a case may use, for `dhlab exercise --groups`: the RFC 3526 ones, then the toys. */
export const EXERCISE_GROUPS: readonly DhGroup[] = [
  GROUPS.modp14,
  GROUPS.modp15,
  GROUPS.modp16,
  ...Object.values(TOY_GROUPS),
];

/** The ladder, in order. */
export const EXERCISES: readonly Exercise[] = [
  modpow,
  dh,
  validate,
  keys,
  seal,
  open,
  breakWeak,
  clientExercise,
  serverExercise,
];

export function exerciseNamed(name: string): Exercise | undefined {
  return EXERCISES.find((e) => e.name === name);
}

/** The sheet a student reads: goal, spec sections, the I/O contract, hints. */
export function sheet(exercise: Exercise): string {
  const number = EXERCISES.indexOf(exercise) + 1;
  const [input, output] = exercise.contract.split(/ {3}out: /) as [string, string | undefined];
  return [
    `Exercise ${number}: ${exercise.name}: ${exercise.title}`,
    '',
    ...wrapLine(exercise.goal, 80, ''),
    '',
    ...wrapLine(`Spec: docs/PROTOCOL.md ${exercise.spec}`, 80, '  '),
    '',
    ...(exercise.contractIntro ?? [
      'Contract: the grader starts your program once, writes one case per line to its',
      'stdin, closes it, and reads one answer line per case from its stdout, in order.',
      ...wrapLine(`  ${input}`, 80, '    '),
      ...(output ? wrapLine(`  out: ${output}`, 80, '     ') : []),
    ]),
    '',
    'Hints:',
    ...exercise.hints.flatMap((hint) => wrapLine(`  - ${hint}`, 80, '  ')),
    '',
    `Grade it: npx dhlab check ${exercise.name} -- YOUR COMMAND`,
    `      (for example: npx dhlab check ${exercise.name} -- python3 ${exercise.name}.py)`,
  ].join('\n');
}
