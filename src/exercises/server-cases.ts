import { bigintToBytes, bytesToBigint, toHex } from '../crypto/bytes.ts';
import { generatePrivateKey } from '../crypto/dh.ts';
import { GROUPS, modPow, type DhGroup } from '../crypto/groups.ts';
import type { WireFrame } from '../protocol/frame.ts';
import { CaseSource } from './seeded.ts';
import { CaseMiss, engine, type Probe } from './server-probe.ts';
import { stalledReaderCase } from './server-stall.ts';
import {
  decryptDiagnosis,
  expectLines,
  expectRefusal,
  expectSealedRefusal,
  sayAndHear,
  type ServerCase,
  type ServerScript,
} from './server-steps.ts';

export type { ServerCase, ServerScript } from './server-steps.ts';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'zoë', 'jörg', 'émile', 'noor', 'søren', 'ana', 'marta', 'łukasz'];
const LINES = ['meet at 10', 'café at noon ☕', 'bring the USB stick', '山田さんによろしく', 'on my way ✓', 'thanks!'];

export function serverScript(seed: string): ServerScript {
  const source = new CaseSource(`server ${seed}`);
  const pool = [...NAMES];
  const name = (i: number) => pool.splice(Number(source.below(BigInt(pool.length), `name ${i}`)), 1)[0] as string;
  const first = Number(source.below(BigInt(LINES.length), 'line'));
  const line = (i: number) => LINES[(first + i) % LINES.length] as string;
  return { names: [name(0), name(1), name(2), name(3)], lines: [line(0), line(1), line(2)] };
}

const group = GROUPS.modp14;
const p = group.p;
const hexOf = (value: bigint) => toHex(bigintToBytes(value, group.byteLength));

/**
 * An exponent whose shared secret with y_s has a zero first byte (about 1 in 256 do): from a
 * random start x, step x by 1, so that Z = y_s^x is multiplied by y_s each step (no new power).
 */
function zeroLedExponent(chosen: DhGroup, serverPublic: Uint8Array): Uint8Array {
  const y = bytesToBigint(serverPublic);
  const start = bytesToBigint(generatePrivateKey(engine)) >> 1n;
  const below = 1n << BigInt(8 * (chosen.byteLength - 1));
  let z = modPow(y, start, chosen.p);
  for (let step = 0n; step < 100_000n; step++, z = (z * y) % chosen.p)
    if (z < below) return bigintToBytes(start + step, 32);
  throw new CaseMiss('the grader found no exponent giving a zero-led Z (y_s may be degenerate)');
}

/** The room still works: `speaker` says a line and every member hears it; who lists them all. */
async function roomGoesOn(speaker: Probe, members: readonly Probe[], text: string, hint: string): Promise<void> {
  await sayAndHear(speaker, text, members, hint);
  speaker.send({ type: 'who' });
  const names = members.map((m) => m.name);
  await expectLines(speaker, [`who [${names.join(', ')}] ${names.length}`], hint);
}

/** Rewrites client_key's y, once: the hostile public values. */
const withClientY = (y: (real: bigint) => bigint) => (frame: WireFrame) =>
  frame.type === 'client_key' ? [{ ...frame, y: hexOf(y(BigInt(`0x${String(frame.y)}`))) }] : [frame];

/** Flips one bit of the box of the data frame with this seq. */
const flipBitOf = (seq: number) => (frame: WireFrame) => {
  if (frame.type !== 'data' || frame.seq !== seq) return [frame];
  const box = Buffer.from(String(frame.box), 'base64');
  box[2] = (box[2] as number) ^ 0x01;
  return [{ ...frame, box: box.toString('base64') }];
};

/** One member that cheats once, and what the others see of it (the first copy of a replay is honest). */
interface Cheat {
  name: string;
  what: string;
  rewrite?: (frame: WireFrame) => WireFrame[];
  cheat: (probe: Probe) => void;
  seen: string[];
  hint: string;
}

/** Sends the data frame with this seq twice. */
const replay = (seq: number) => (frame: WireFrame) =>
  frame.type === 'data' && frame.seq === seq ? [frame, frame] : [frame];

const ROOM_HINT =
  'the room relays every chat as {"type":"message","id":N,"from":NAME,"text":TEXT} to every member, the sender too, in one order; "who" answers {"type":"who","members":[...],"count":N} (s.5, s.6)';
const GOES_ON =
  "one member's error ends that connection only: close it, forget its name, tell the room it left, and go on serving the others (s.7)";

// eslint-disable-next-line max-lines-per-function -- the case table is data, one entry per case
export function serverCases(): ServerCase[] {
  return [
    {
      what: 'one member: the handshake, a signature that verifies, welcome, who, a line, quit',
      expected:
        'server_key (modp14, the --host-key key), server_auth over H, welcome; who lists the member; its line comes back; quit gets bye OK and the connection closes',
      hint: 'follow s.4 step by step: hello, server_key, client_key, server_auth (Ed25519 over H), then sealed welcome; "quit" is answered with a sealed {"type":"bye","code":"OK"} before you close (s.5)',
      async play(room, { names: [a], lines: [line] }) {
        const alice = await room.join(a);
        alice.send({ type: 'who' });
        await expectLines(alice, [`who [${a}] 1`], ROOM_HINT);
        await sayAndHear(alice, line, [alice], ROOM_HINT);
        alice.send({ type: 'quit' });
        const bye =
          'answer quit with a sealed {"type":"bye","code":"OK","reason":"..."}, then close the connection (s.5)';
        await expectLines(alice, ['bye OK'], bye);
        if (!(await alice.until(() => alice.disconnected)))
          throw new CaseMiss(`${a}: bye OK, but the connection stayed open`, bye);
      },
    },
    {
      what: 'three members: joins announced, each line to all three once, in order, under three keys',
      expected:
        "each member sees the others join; each line reaches all three (its sender too) exactly once in one order; each copy sealed under its own member's key; a fresh y_s per connection",
      hint: ROOM_HINT,
      async play(room, { names: [a, b, c], lines: [first, second] }) {
        const alice = await room.join(a);
        const bob = await room.join(b, [alice]);
        const carol = await room.join(c, [alice, bob]);
        const all = [alice, bob, carol];
        await sayAndHear(alice, first, all, ROOM_HINT);
        const copies = all.map((probe) => probe.lastBox?.box);
        await sayAndHear(bob, second, all, ROOM_HINT);
        for (const probe of all) {
          probe.send({ type: 'who' });
          await expectLines(probe, [`who [${a}, ${b}, ${c}] 3`], ROOM_HINT);
        }
        checkThreeKeys(all, copies);
      },
    },
    {
      what: 'a shared secret Z whose first byte is 0 (the grader picked its exponent to get one)',
      expected: 'the welcome opens and a line comes back: the server padded Z to 256 bytes before SHA-256',
      hint: 'pad Z on the left to the byte length of p (256 bytes for modp14) before SHA-256 (s.4.3): this Z starts with 00, and 1 connection in 256 has such a Z',
      async play(room, { names: [a], lines: [line] }) {
        const alice = await room.join(a, [], { choosePrivateKey: zeroLedExponent });
        await sayAndHear(alice, line, [alice], this.hint);
      },
    },
    {
      what: 'public values y_c = 0, 1, p-1, p, and p-y_c (in range, outside the subgroup)',
      expected: 'each: error ERR_BAD_PUBLIC_KEY and the connection closes; the member already there chats on',
      hint: 'check y_c before you use it (s.4.2): exactly 256 bytes, 2 <= y_c <= p-2, and y_c^q mod p = 1 with q = (p-1)/2; any failure is ERR_BAD_PUBLIC_KEY, sent as a plaintext error before you close',
      async play(room, { names: [a, b], lines: [line] }) {
        const alice = await room.join(a);
        const values: [string, (real: bigint) => bigint][] = [
          ['y_c = 0', () => 0n],
          ['y_c = 1', () => 1n],
          ['y_c = p-1', () => p - 1n],
          ['y_c = p', () => p],
          ['y_c = p-y_c (outside the subgroup)', (real) => p - real],
        ];
        for (const [what, value] of values) {
          const probe = await room.connect({ name: b, rewrite: withClientY(value) });
          const hint =
            what === 'y_c = p-y_c (outside the subgroup)'
              ? 'this y_c passes 2 <= y_c <= p-2 but not y_c^q mod p = 1 (q = (p-1)/2): check the subgroup too (s.4.2)'
              : this.hint;
          await expectRefusal(probe, 'ERR_BAD_PUBLIC_KEY', what, hint);
        }
        await roomGoesOn(alice, [alice], line, GOES_ON);
      },
    },
    {
      what: 'a flipped bit, a replayed frame, a skipped seq: each ends that member alone',
      expected:
        'each cheater: a sealed error ERR_DECRYPT and the connection closes; the room sees it leave (reason ERR_DECRYPT) and never its bad frame; the room goes on',
      hint: 'open each frame with your own counter for that connection, never the frame\'s seq; a tag that fails or a seq that is not the next one is ERR_DECRYPT: send a sealed {"type":"error","code":"ERR_DECRYPT"}, close, and announce the leave (s.5, s.7)',
      async play(room, { names: [a, b, c, d], lines: [line, second, third] }) {
        const alice = await room.join(a);
        const cheats: Cheat[] = [
          {
            name: b,
            what: 'a flipped bit',
            rewrite: flipBitOf(1),
            cheat: (probe) => probe.send({ type: 'chat', text: second }),
            seen: [],
            hint: 'a frame whose GCM tag fails is ERR_DECRYPT: it is never relayed (s.5)',
          },
          {
            name: c,
            what: 'a replayed frame',
            rewrite: replay(1),
            cheat: (probe) => probe.send({ type: 'chat', text: second }),
            seen: [`${c}: ${second}`],
            hint: "keep a counter per connection and open with it, not with the frame's seq: the same frame twice is ERR_DECRYPT the second time (s.5)",
          },
          {
            name: d,
            what: 'a skipped seq',
            cheat: (probe) => probe.sealAt(2, { type: 'chat', text: third }),
            seen: [],
            hint: 'open with your own counter: a frame sealed at seq 2 when 1 is next is ERR_DECRYPT, however well it is sealed (s.5)',
          },
        ];
        for (const { name, what, rewrite, cheat, seen, hint } of cheats) {
          const probe = await room.join(name, [alice], rewrite ? { rewrite } : {});
          await sayAndHear(probe, line, [probe, alice], ROOM_HINT);
          cheat(probe);
          await expectSealedRefusal(probe, 'ERR_DECRYPT', `${name} after ${what}`, hint);
          const leave = `${hint}; the others see {"type":"leave","name":NAME,"reason":"ERR_DECRYPT"} (s.5)`;
          await expectLines(alice, [...seen, `- ${name} (ERR_DECRYPT)`], leave);
        }
        await roomGoesOn(alice, [alice], third, GOES_ON);
      },
    },
    {
      what: 'names: one taken, one with an escape character, one of 33 letters',
      expected:
        'ERR_NAME_TAKEN for the taken name, ERR_BAD_NAME for the others; each connection closes; the room goes on',
      hint: "check the name in hello before any DH work: taken is ERR_NAME_TAKEN; empty, over 32 code points, or a character that is not a letter, digit, mark or - _ . ' space is ERR_BAD_NAME (s.6.1)",
      async play(room, { names: [a], lines: [line] }) {
        const alice = await room.join(a);
        const taken = await room.connect({ name: a });
        await expectRefusal(
          taken,
          'ERR_NAME_TAKEN',
          `a second "${a}"`,
          'a name held by a member (or by a handshake under way) is ERR_NAME_TAKEN (s.6.1)',
        );
        const escape = await room.connect({ name: 'eve\u001b[2J' });
        await expectRefusal(
          escape,
          'ERR_BAD_NAME',
          'the name "eve\\x1b[2J"',
          'a name with a control character (ESC clears the terminal of everyone who prints it) is ERR_BAD_NAME (s.6.1)',
        );
        const long = await room.connect({ name: 'a'.repeat(33) });
        await expectRefusal(
          long,
          'ERR_BAD_NAME',
          'a name of 33 letters',
          'a name is 1 to 32 Unicode code points (s.6.1): 33 is ERR_BAD_NAME',
        );
        await roomGoesOn(alice, [alice], line, GOES_ON);
      },
    },
    {
      what: 'framing: a length prefix of 65537, and a frame that is not JSON',
      expected:
        'ERR_FRAME_LENGTH as soon as the 4 length bytes arrive; ERR_BAD_JSON for the other; each connection closes',
      hint: 'read the 4-byte big-endian length first and refuse 0 or more than 65536 at once, before waiting for the payload (ERR_FRAME_LENGTH); a payload that is not a JSON object with a string "type" is ERR_BAD_JSON (s.2)',
      async play(room, { names: [a], lines: [line] }) {
        const alice = await room.join(a);
        const long = await room.connect({ name: 'x', hello: false });
        long.writeRaw(Uint8Array.of(0x00, 0x01, 0x00, 0x01));
        await expectRefusal(long, 'ERR_FRAME_LENGTH', 'the length 65537 (no payload follows)', this.hint);
        const garbled = await room.connect({ name: 'x', hello: false });
        const payload = Buffer.from('hello, server!', 'utf8');
        const header = Buffer.alloc(4);
        header.writeUInt32BE(payload.length);
        garbled.writeRaw(Buffer.concat([header, payload]));
        await expectRefusal(
          garbled,
          'ERR_BAD_JSON',
          'a frame "hello, server!"',
          'a payload that is not JSON is ERR_BAD_JSON, sent as a plaintext error before you close (s.2)',
        );
        await roomGoesOn(alice, [alice], line, GOES_ON);
      },
    },
    stalledReaderCase(),
    {
      what: 'a member gone mid-handshake, and one that sends nothing: the room goes on',
      expected: 'a newcomer still joins at once; nobody sees the half-joined ones; lines reach everyone',
      hint: 'never wait on one connection: read every socket as data comes (select, poll, threads or async), and handle a client that vanishes or stays silent without stopping the others (s.6)',
      async play(room, { names: [a, b, c], lines: [line] }) {
        const alice = await room.join(a);
        const bob = await room.join(b, [alice]);
        // Its client_key never leaves: it hangs up between server_key and client_key.
        const gone = await room.connect({ name: 'mallory', rewrite: (f) => (f.type === 'client_key' ? [] : [f]) });
        if (!(await gone.until(() => gone.serverKeys.length > 0)))
          throw new CaseMiss('no server_key came for a third hello within 5 s', this.hint);
        gone.hangUp();
        await room.connect({ name: 'silent', hello: false });
        const carol = await room.join(c, [alice, bob]);
        await roomGoesOn(alice, [alice, bob, carol], line, this.hint);
      },
    },
  ];
}

/**
 * The tap's view of the three-member room: the line alice said left the server sealed three
 * ways, each under its own member's key, and each connection had its own y_s.
 */
function checkThreeKeys(all: readonly Probe[], copies: readonly (string | undefined)[]): void {
  const ys = new Set(all.map((probe) => probe.serverKeys[0]?.y));
  if (ys.size < all.length)
    throw new CaseMiss(
      'two connections got the same y_s',
      'draw a fresh 256-bit x_s for every connection (s.4.1): one y_s for all lets a recording of one connection help attack the others',
    );
  // s.5: a message's id is room-wide, so every member sees the same ids, rising.
  const ids = all.map((probe) => probe.messageIds.join(', '));
  if (new Set(ids).size > 1 || !all[0]?.messageIds.every((id, i, list) => i === 0 || id > (list[i - 1] as number)))
    throw new CaseMiss(
      `the members saw message ids ${ids.map((list, i) => `${all[i]?.name}: [${list}]`).join('; ')}`,
      "a message's id is the room's sequence number, the same in every copy of one line and rising line by line (s.5)",
    );
  const keys = new Set(all.map((probe) => toHex(probe.keys?.serverToClient ?? new Uint8Array())));
  const boxes = new Set(copies);
  if (keys.size < all.length || boxes.size < all.length)
    throw new CaseMiss('two members got the same sealed bytes', decryptDiagnosis(all[1] as Probe, all));
}
