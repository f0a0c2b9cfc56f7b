import { toHex } from '../crypto/bytes.ts';
import { GROUPS } from '../crypto/groups.ts';
import type { WireFrame } from '../protocol/frame.ts';
import { CaseSource } from './seeded.ts';

export const group = GROUPS.modp14;

/**
 * What Mallory, in front of the grader's server in every case, does to what the server sends the
 * student: a rewrite that marks the frame it changed (the cheat), or her own handshake (mitm).
 */
export type Path =
  { kind: 'relay'; rewrite: (frame: WireFrame) => { frames: WireFrame[]; cheated: boolean } } | { kind: 'mallory' };

/** What the student must not send once the cheat has reached it (judged on the wire). */
export type Forbidden = 'nothing' | 'client_key' | 'sealed' | 'requests';

export interface ClientCase {
  what: string;
  /** What the grader's side does, in words, for the report. */
  story: string;
  path: Path;
  /** What a student that noticed the cheat never sends after it. */
  forbidden: Forbidden;
  expected: readonly string[];
  exitCode: 0 | 1;
  hint: string;
  /** A hint for what came back, when it shows a known mistake better than `hint`. */
  diagnose?(lines: readonly string[]): string | null;
}

/**
 * One run's script, the same in every case so that a program cannot tell the cases apart before
 * the cheat: one --name, one host key, Mallory in front of the server; bob joins and sends two
 * lines in one write (one sealed batch), the student's stdin has one line, bob leaves, stdin ends.
 */
export interface ClientScript {
  name: string;
  bobSays: readonly string[];
  stdin: readonly string[];
  cases: ClientCase[];
}

const NAMES = ['zoë', 'jörg', 'émile', 'łukasz', 'søren', 'ana', 'noor', 'marta'];
const BOB_LINES = [
  'meet at 10',
  'café at noon ☕',
  'bring the USB stick',
  '山田さんによろしく',
  'the key is under the mat',
];
const STUDENT_LINES = ['hello bob', 'see you there', 'on my way ✓', 'thanks!'];

/** The server's data frames to the student: 0 welcome, 1 bob's join, 2 bob's batch, 3 the student's echo. */
const ECHO_SEQ = 3;
const BATCH_SEQ = 2;
const isData = (frame: WireFrame, seq: number) => frame.type === 'data' && frame.seq === seq;
const unchanged = (frame: WireFrame) => ({ frames: [frame], cheated: false });

/** Flips one bit of a data frame's box (the ciphertext, or the tag). */
function flipped(frame: WireFrame, byte: number): WireFrame {
  const box = Buffer.from(String(frame.box), 'base64');
  const at = byte % box.length;
  box[at] = (box[at] as number) ^ 0x01;
  return { ...frame, box: box.toString('base64') };
}

function bigBytes(value: bigint): Uint8Array {
  return Buffer.from(value.toString(16).padStart(group.byteLength * 2, '0'), 'hex');
}

/** A relay that changes the first frame `matches` picks, and only that one. */
function cheatOnce(matches: (frame: WireFrame) => boolean, cheat: (frame: WireFrame) => WireFrame[]): Path {
  let done = false;
  return {
    kind: 'relay',
    rewrite: (frame) => {
      if (done || !matches(frame)) return unchanged(frame);
      done = true;
      return { frames: cheat(frame), cheated: true };
    },
  };
}

/** The script for one seed; each call makes fresh relays (one run of the cases). */
// eslint-disable-next-line max-lines-per-function -- the case table is data, one entry per case
export function clientScript(seed: string): ClientScript {
  const source = new CaseSource(`client ${seed}`);
  const pick = <T>(list: readonly T[], label: string): T => list[Number(source.below(BigInt(list.length), label))] as T;
  const name = pick(NAMES, 'names');
  const said = pick(BOB_LINES, 'bob');
  const second = BOB_LINES[(BOB_LINES.indexOf(said) + 1) % BOB_LINES.length] as string;
  const answer = pick(STUDENT_LINES, 'student');
  const p = group.p;
  const bobLines = ['+ bob', `bob: ${said}`, `bob: ${second}`];
  let batch: WireFrame | null = null;
  const keys =
    'check Z padded to the byte length of p before SHA-256 (s.4.3: 1 connection in 256 has a zero-led Z), lp() lengths in UTF-8 bytes (your name is not ASCII), HKDF with salt H (s.4.4), the nonce 0x00000000 || uint64_be(seq) and the AAD "dhlab/1 data " + decimal seq (s.5)';
  const story = `bob joins and says "${said}" and "${second}" in one write; your stdin: "${answer}"`;
  const cases: ClientCase[] = [
    {
      what: 'the honest room: bob joins, sends two lines at once (a batch), you answer, bob leaves',
      story: `the server is honest; ${story}; bob quits; stdin ends`,
      path: { kind: 'relay', rewrite: unchanged },
      forbidden: 'nothing',
      expected: [...bobLines, `${name}: ${answer}`, '- bob'],
      exitCode: 0,
      hint: 'print "+ NAME" for join, "NAME: TEXT" for message (your own echo too), "- NAME" for leave, nothing else; at the end of stdin send quit and exit 0',
      diagnose(lines) {
        if (lines[0] === 'ERROR ERR_DECRYPT' || lines[0] === 'ERROR ERR_BAD_SIGNATURE')
          return `your keys or transcript differ from the server's: ${keys}`;
        if (lines[0] === '+ bob' && lines.length < 3)
          return 'bob\'s two lines came in one data frame, {"type":"batch","events":[...]}: handle each event in it, in order (s.5.1)';
        return null;
      },
    },
    {
      what: 'a flipped bit: the server changes one bit of the frame that echoes your line',
      story: `${story}; on the way back one bit of your echo's ciphertext is flipped`,
      path: cheatOnce(
        (frame) => isData(frame, ECHO_SEQ),
        (frame) => [flipped(frame, 3)],
      ),
      forbidden: 'requests',
      expected: [...bobLines, 'ERROR ERR_DECRYPT'],
      exitCode: 1,
      hint: 'a frame whose GCM tag does not verify ends the session with ERR_DECRYPT (s.5): print nothing of it, print ERROR ERR_DECRYPT, send nothing more, exit 1',
    },
    {
      what: "a replayed frame: the server sends bob's batch again before your echo",
      story: `${story}; before your echo, the frame with bob's batch is sent again, unchanged`,
      path: {
        kind: 'relay',
        rewrite: (frame) => {
          if (isData(frame, BATCH_SEQ)) batch = frame;
          if (!isData(frame, ECHO_SEQ) || batch === null) return unchanged(frame);
          const replayed = batch;
          batch = null;
          return { frames: [replayed, frame], cheated: true };
        },
      },
      forbidden: 'requests',
      expected: [...bobLines, 'ERROR ERR_DECRYPT'],
      exitCode: 1,
      hint: "compute the nonce and AAD from your own counter, never from the frame's seq: a frame whose seq is not the one you expect is ERR_DECRYPT (s.5)",
    },
    {
      what: 'an invalid public value: y_s = p - 1',
      story: 'server_key carries y = p - 1 (256 bytes, so the length is right)',
      path: cheatOnce(
        (frame) => frame.type === 'server_key',
        (frame) => [{ ...frame, y: toHex(bigBytes(p - 1n)) }],
      ),
      forbidden: 'client_key',
      expected: ['ERROR ERR_BAD_PUBLIC_KEY'],
      exitCode: 1,
      hint: 'check 2 <= y_s <= p-2 before you use it, and before you send client_key (s.4.2): with y = p-1 the shared secret is 1 or p-1, whatever your exponent, and an eavesdropper knows it',
    },
    {
      what: 'a public value outside the subgroup: y_s replaced by p - y_s',
      story: 'server_key carries p - y_s: in range, but not in the subgroup of order q',
      path: cheatOnce(
        (frame) => frame.type === 'server_key',
        (frame) => [{ ...frame, y: toHex(bigBytes(p - BigInt(`0x${String(frame.y)}`))) }],
      ),
      forbidden: 'client_key',
      expected: ['ERROR ERR_BAD_PUBLIC_KEY'],
      exitCode: 1,
      hint: 'check y_s^q mod p = 1 (s.4.2, q = (p-1)/2) before you use it: this value passes the range check but lies outside the subgroup (ERR_BAD_SIGNATURE here means you used it first, and only the signature noticed)',
    },
    {
      what: "a bad host signature: one bit of server_auth's signature flipped",
      story: 'server_auth carries the signature with one bit flipped',
      path: cheatOnce(
        (frame) => frame.type === 'server_auth',
        (frame) => {
          const signature = Buffer.from(String(frame.signature), 'hex');
          signature[10] = (signature[10] as number) ^ 0x01;
          return [{ ...frame, signature: signature.toString('hex') }];
        },
      ),
      forbidden: 'sealed',
      expected: ['ERROR ERR_BAD_SIGNATURE'],
      exitCode: 1,
      hint: "verify server_auth's Ed25519 signature over H with server_key's host_key (s.4.5); a failure is ERR_BAD_SIGNATURE, and nothing may be sent or printed after it",
    },
    {
      what: 'a man in the middle: Mallory answers with her own host key',
      story:
        "Mallory runs one handshake with you (her host key, her valid signature) and one with the server; --fingerprint is the server's",
      path: { kind: 'mallory' },
      forbidden: 'client_key',
      expected: ['ERROR ERR_HOST_KEY_CHANGED'],
      exitCode: 1,
      hint: "compare SHA256: + unpadded base64 of SHA-256(server_key.host_key) with --fingerprint, and stop with ERR_HOST_KEY_CHANGED before sending client_key (s.4.5): Mallory's signature is valid, for her key",
    },
  ];
  return { name, bobSays: [said, second], stdin: [answer], cases };
}
