import { ChatClient } from '../client/chat-client.ts';
import { DhlabError } from '../errors.ts';
import { toHex } from '../crypto/bytes.ts';
import { ENGINES } from '../crypto/engines.ts';
import { GROUPS } from '../crypto/groups.ts';
import { Mallory } from '../insecure/mallory/mallory.ts';
import type { WireFrame } from '../protocol/frame.ts';
import { hostIdentityFromSeed } from '../protocol/identity.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { ChatServer } from '../server/chat-server.ts';
import { startTapProxy, type TapObservation } from '../tap/tap-proxy.ts';
import type { CaseResult, Exercise, ExerciseResult } from './types.ts';
import { CaseSource } from './seeded.ts';
import { StudentProgram } from './student-program.ts';

const engine = ENGINES.native;
const group = GROUPS.modp14;

/** Per case: the program must be done within this (a correct client needs well under a second). */
export const CLIENT_CASE_MS = 10_000;

/** What the server's relay does to the frames it sends the student (none: the honest server). */
type Path = { kind: 'direct' } | { kind: 'relay'; rewrite: (frame: WireFrame) => WireFrame[] } | { kind: 'mallory' };

export interface ClientCase {
  what: string;
  /** What the grader's side does, in words, for the report. */
  story: string;
  path: Path;
  /** The student's --name. */
  name: string;
  /** bob's lines, in one write (one sealed batch to the student), once the student printed bob's join. */
  bobSays: readonly string[];
  /** Lines written to the student's stdin, one at a time, each once its echo came back. */
  stdin: readonly string[];
  bobLeaves: boolean;
  expected: readonly string[];
  exitCode: 0 | 1;
  hint: string;
  /** A hint for what came back, when it shows a known mistake better than `hint`. */
  diagnose?(lines: readonly string[]): string | null;
}

/** Anyone watching the grading (`dhlab check client --watch`): the servers' traces and the student's wire. */
export interface ClientCaseObserver {
  /** Resolves when the watchers are ready for case `index` (the lab waits for space). */
  ready?(index: number): Promise<void>;
  caseStarted(index: number, c: ClientCase): void;
  /** The grader's server, which reveals its secrets to the watcher (it is the grader's own). */
  serverTrace(index: number, connection: number, event: TraceEvent, name: string | null): void;
  /** The student's connection as a wiretapper sees it, between the student and the server (or Mallory). */
  wire(index: number, observation: TapObservation): void;
  caseEnded(result: CaseResult): void;
}

const NAMES = ['zoë', 'jörg', 'émile', 'łukasz', 'søren', 'ana', 'noor', 'marta'];
const BOB_LINES = ['meet at 10', 'café at noon ☕', 'bring the USB stick', '山田さんによろしく', 'the key is under the mat'];
const STUDENT_LINES = ['hello bob', 'see you there', 'on my way ✓', 'thanks!'];

/** Flips one bit of a data frame's box (the ciphertext, or the tag). */
function flipped(frame: WireFrame, byte: number): WireFrame {
  const box = Buffer.from(String(frame.box), 'base64');
  const at = byte % box.length;
  box[at] = (box[at] as number) ^ 0x01;
  return { ...frame, box: box.toString('base64') };
}

/** The server's data frame number `seq` (0: welcome, 1: bob's join, 2: bob's first line). */
const isData = (frame: WireFrame, seq: number) => frame.type === 'data' && frame.seq === seq;

/** The cases for one seed: the honest room first, then one cheat per case. */
export function clientCases(seed: string): ClientCase[] {
  const source = new CaseSource(`client ${seed}`);
  const pick = <T>(list: readonly T[], label: string): T => list[Number(source.below(BigInt(list.length), label))] as T;
  const start = Number(source.below(BigInt(NAMES.length), 'names'));
  const nameAt = (i: number) => NAMES[(start + i) % NAMES.length] as string;
  const said = pick(BOB_LINES, 'bob');
  const second = BOB_LINES[(BOB_LINES.indexOf(said) + 1) % BOB_LINES.length] as string;
  const answer = pick(STUDENT_LINES, 'student');
  const honestName = nameAt(0);
  const p = group.p;
  const keys =
    'check Z padded to the byte length of p before SHA-256 (s.4.3: 1 connection in 256 has a zero-led Z), lp() lengths in UTF-8 bytes (your name is not ASCII), HKDF with salt H (s.4.4), the nonce 0x00000000 || uint64_be(seq) and the AAD "dhlab/1 data " + decimal seq (s.5)';
  return [
    {
      what: 'the honest room: bob joins, sends two lines at once (a batch), you answer, bob leaves',
      story: `honest server; bob says "${said}" and "${second}" in one write; stdin: "${answer}"; bob quits; stdin ends`,
      path: { kind: 'direct' },
      name: honestName,
      bobSays: [said, second],
      stdin: [answer],
      bobLeaves: true,
      expected: ['+ bob', `bob: ${said}`, `bob: ${second}`, `${honestName}: ${answer}`, '- bob'],
      exitCode: 0,
      hint: 'print "+ NAME" for join, "NAME: TEXT" for message (your own echo too), "- NAME" for leave, nothing else; at the end of stdin send quit and exit 0',
      diagnose(lines) {
        if (lines[0] === 'ERROR ERR_DECRYPT' || lines[0] === 'ERROR ERR_BAD_SIGNATURE') return `your keys or transcript differ from the server's: ${keys}`;
        if (lines[0] === '+ bob' && lines.length < 3)
          return 'bob\'s two lines came in one data frame, {"type":"batch","events":[...]}: handle each event in it, in order (s.5.1)';
        return null;
      },
    },
    {
      what: "a flipped bit: the server changes one bit of the frame that carries bob's line",
      story: `bob joins and says "${said}"; on the way one bit of its ciphertext is flipped`,
      path: { kind: 'relay', rewrite: (frame) => [isData(frame, 2) ? flipped(frame, 3) : frame] },
      name: nameAt(1),
      bobSays: [said],
      stdin: [],
      bobLeaves: false,
      expected: ['+ bob', 'ERROR ERR_DECRYPT'],
      exitCode: 1,
      hint: 'a frame whose GCM tag does not verify ends the session with ERR_DECRYPT (s.5): print nothing of it, print ERROR ERR_DECRYPT, exit 1',
    },
    {
      what: "a replayed frame: the server sends bob's line twice",
      story: `bob joins and says "${said}"; the frame is sent again, unchanged`,
      path: { kind: 'relay', rewrite: (frame) => (isData(frame, 2) ? [frame, frame] : [frame]) },
      name: nameAt(2),
      bobSays: [said],
      stdin: [],
      bobLeaves: false,
      expected: ['+ bob', `bob: ${said}`, 'ERROR ERR_DECRYPT'],
      exitCode: 1,
      hint: "compute the nonce and AAD from your own counter, never from the frame's seq: a frame whose seq is not the one you expect is ERR_DECRYPT (s.5)",
    },
    {
      what: 'an invalid public value: y_s = p - 1',
      story: 'server_key carries y = p - 1 (256 bytes, so the length is right)',
      path: { kind: 'relay', rewrite: (frame) => [frame.type === 'server_key' ? { ...frame, y: toHex(bigBytes(p - 1n)) } : frame] },
      name: nameAt(3),
      bobSays: [],
      stdin: [],
      bobLeaves: false,
      expected: ['ERROR ERR_BAD_PUBLIC_KEY'],
      exitCode: 1,
      hint: 'check 2 <= y_s <= p-2 before you use it (s.4.2): with y = p-1 the shared secret is 1 or p-1, whatever your exponent, and an eavesdropper knows it',
    },
    {
      what: 'a public value outside the subgroup: y_s replaced by p - y_s',
      story: 'server_key carries p - y_s: in range, but not in the subgroup of order q',
      path: { kind: 'relay', rewrite: (frame) => [frame.type === 'server_key' ? { ...frame, y: toHex(bigBytes(p - BigInt(`0x${String(frame.y)}`))) } : frame] },
      name: nameAt(4),
      bobSays: [],
      stdin: [],
      bobLeaves: false,
      expected: ['ERROR ERR_BAD_PUBLIC_KEY'],
      exitCode: 1,
      hint: 'check y_s^q mod p = 1 (s.4.2, q = (p-1)/2) before you use it: this value passes the range check but lies outside the subgroup (ERR_BAD_SIGNATURE here means you used it first, and only the signature noticed)',
    },
    {
      what: "a bad host signature: one bit of server_auth's signature flipped",
      story: 'server_auth carries the signature with one bit flipped',
      path: {
        kind: 'relay',
        rewrite: (frame) => {
          if (frame.type !== 'server_auth') return [frame];
          const signature = Buffer.from(String(frame.signature), 'hex');
          signature[10] = (signature[10] as number) ^ 0x01;
          return [{ ...frame, signature: signature.toString('hex') }];
        },
      },
      name: nameAt(5),
      bobSays: [],
      stdin: [],
      bobLeaves: false,
      expected: ['ERROR ERR_BAD_SIGNATURE'],
      exitCode: 1,
      hint: "verify server_auth's Ed25519 signature over H with server_key's host_key (s.4.5); a failure is ERR_BAD_SIGNATURE, and nothing may be sent or printed after it",
    },
    {
      what: 'a man in the middle: Mallory answers with her own host key',
      story: "Mallory runs one handshake with you (her host key, her valid signature) and one with the server; --fingerprint is the server's",
      path: { kind: 'mallory' },
      name: nameAt(6),
      bobSays: [],
      stdin: [],
      bobLeaves: false,
      expected: ['ERROR ERR_HOST_KEY_CHANGED'],
      exitCode: 1,
      hint: "compare SHA256: + unpadded base64 of SHA-256(server_key.host_key) with --fingerprint, and stop with ERR_HOST_KEY_CHANGED before sending client_key (s.4.5): Mallory's signature is valid, for her key",
    },
  ];
}

function bigBytes(value: bigint): Uint8Array {
  return Buffer.from(value.toString(16).padStart(group.byteLength * 2, '0'), 'hex');
}

/** One line for the report: the lines in order, then how the program ended. */
function transcriptOf(lines: readonly string[], ending: string): string {
  return `${lines.length === 0 ? '(nothing)' : lines.join(' | ')} (${ending})`;
}

interface ServerSide {
  established: Set<string>;
  /** Requests the server opened, by member name. */
  requests: Map<string, string[]>;
}

/** Runs one case: a fresh server, the path, the program, bob; then the verdict. */
async function runCase(
  index: number,
  c: ClientCase,
  command: readonly string[],
  seed: string,
  caseMs: number,
  observer?: ClientCaseObserver,
): Promise<CaseResult & { problem: string | null; stderrTail: string }> {
  observer?.caseStarted(index, c);
  const identity = hostIdentityFromSeed(engine, new CaseSource(`client ${seed} host ${index}`).bytes(32, 'host key'));
  const side: ServerSide = { established: new Set(), requests: new Map() };
  let program: StudentProgram | null = null;
  const server = new ChatServer({
    engine,
    group,
    identity,
    port: 0,
    revealSecrets: true,
    trace: (connection, event, name) => {
      observer?.serverTrace(index, connection, event, name);
      if (name === null) return;
      if (event.kind === 'established') side.established.add(name);
      if (event.kind === 'open') side.requests.set(name, [...(side.requests.get(name) ?? []), event.plaintext]);
      program?.poke();
    },
  });
  const { port: serverPort } = await server.listen();
  const closers: (() => Promise<void>)[] = [() => server.close('the case is over')];
  let port = serverPort;
  if (c.path.kind !== 'direct') {
    const mallory = await Mallory.start({
      engine,
      mode: c.path.kind === 'mallory' ? 'mitm' : 'relay',
      targetHost: '127.0.0.1',
      targetPort: serverPort,
      group,
      identity: hostIdentityFromSeed(engine, new CaseSource(`client ${seed} mallory ${index}`).bytes(32, 'host key')),
      ...(c.path.kind === 'relay' ? { rewriteFromServer: c.path.rewrite } : {}),
      onEvent: () => {},
    });
    closers.unshift(() => mallory.close());
    port = mallory.port;
  }
  if (observer) {
    const tap = await startTapProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort: port, onObservation: (o) => observer.wire(index, o) });
    closers.unshift(() => tap.close());
    port = tap.port;
  }

  const student = new StudentProgram([...command, '--host', '127.0.0.1', '--port', String(port), '--name', c.name, '--fingerprint', identity.fingerprint], {
    timeMs: caseMs,
    stdoutBytes: 64 * 1024,
  });
  program = student;
  const bobHeard: ServerEvent[] = [];
  let bob: ChatClient | null = null;
  try {
    // The student is in the room (or has given up): only then does bob come, so his join is news to it.
    await student.until(() => side.established.has(c.name));
    if (!student.exited) {
      // A program may take the name bob itself: then bob cannot join, and the case says so.
      bob = await ChatClient.connect({ name: 'bob', host: '127.0.0.1', port: serverPort, engine, onEvent: (event) => bobHeard.push(event) }).catch(
        (error: unknown) => {
          student.stop(`the grader's bob could not join the room (${error instanceof DhlabError ? error.code : 'error'}): stopped`);
          return null;
        },
      );
      await student.until(() => student.lines.length >= 1);
    }
    if (!student.exited && c.bobSays.length > 0) {
      const before = student.lines.length;
      bob?.sayTogether(c.bobSays);
      await student.until(() => student.lines.length >= before + c.bobSays.length);
    }
    for (const line of c.stdin) {
      const before = student.lines.length;
      student.writeLine(line);
      await student.until(() => student.lines.length > before);
    }
    if (!student.exited && c.bobLeaves && bob) {
      const before = student.lines.length;
      await bob.quit();
      await student.until(() => student.lines.length > before);
    }
    student.endInput();
    await student.exit();
  } finally {
    if (bob && !bob.closed) await bob.quit();
    for (const close of closers) await close();
  }

  const ending = student.problem ?? `exit ${student.exitCode}`;
  const got = transcriptOf(student.lines, ending);
  const expected = transcriptOf(c.expected, `exit ${c.exitCode}`);
  const problems: string[] = [];
  if (c.exitCode === 0) {
    for (const line of c.stdin) {
      if (!bobHeard.some((e) => e.type === 'message' && e.from === c.name && e.text === line)) problems.push(`bob never got your "${line}"`);
    }
    if (!(side.requests.get(c.name) ?? []).some((r) => r.includes('"quit"'))) problems.push('the server got no quit from you');
  }
  const ok = got === expected && problems.length === 0;
  const result = {
    index,
    what: c.what,
    ok,
    sent: c.story,
    expected,
    got: problems.length > 0 && got === expected ? `${got}; but ${problems.join('; ')}` : got,
    hint: c.diagnose?.(student.lines) ?? c.hint,
    // A crash is worth its stderr: any exit status the case did not expect (1 is a reported error).
    problem:
      student.problem ??
      (student.exitCode !== null && student.exitCode !== c.exitCode && student.exitCode > 1 ? `exited with status ${student.exitCode}` : null),
    stderrTail: student.stderrTail,
  };
  observer?.caseEnded(result);
  return result;
}

/** `dhlab check client`: every case against servers the grader starts, one run of the program per case. */
export async function gradeClient(
  command: readonly string[],
  seed: string,
  caseMs: number = CLIENT_CASE_MS,
  observer?: ClientCaseObserver,
): Promise<ExerciseResult> {
  const cases = clientCases(seed);
  const results = [];
  for (const [index, c] of cases.entries()) {
    await observer?.ready?.(index);
    results.push(await runCase(index, c, command, seed, caseMs, observer));
  }
  const failed = results.find((r) => !r.ok);
  const passed = results.filter((r) => r.ok).length;
  return {
    exercise: 'client',
    seed,
    cases: results.map(({ problem: _problem, stderrTail: _tail, ...result }) => result),
    passed,
    ok: passed === results.length,
    problem: failed?.problem ? `case ${failed.index + 1}: ${failed.problem}` : null,
    stderrTail: failed?.stderrTail ?? '',
  };
}

export const clientExercise: Exercise = {
  name: 'client',
  title: 'The whole client, against servers that cheat',
  spec: 's.2-5 (everything), s.7 (error codes)',
  contract: 'args: --host H --port P --name N --fingerprint SHA256:...   out: one line per event; ERROR ERR_CODE on a protocol error',
  contractIntro: [
    'Contract: the grader starts a server and runs your program once per case:',
    '  YOUR COMMAND --host H --port P --name N --fingerprint SHA256:...',
    'Connect, complete the handshake (refuse a server whose host key does not have',
    'that fingerprint), then send each stdin line as a chat. Print each event on its',
    'own stdout line, and nothing else:',
    '  + NAME        someone joined',
    '  - NAME        someone left',
    '  NAME: TEXT    a message (your own echo included)',
    '  ERROR ERR_..  a protocol error (s.7): print it, then exit with status 1',
    'At the end of stdin send quit and exit 0. Cases: the honest room (bob joins,',
    'sends two lines in one batch, reads your line, leaves), then servers that cheat',
    'once each: a flipped bit, a replayed frame, invalid public values, a bad',
    'signature, a man in the middle with his own host key.',
  ],
  goal: 'Write a dhlab client from the spec alone that a real server accepts and a cheating one cannot fool: the handshake, the keys, the sealed frames both ways, and every check the spec makes a MUST.',
  hints: [
    'Build it from your earlier exercises: dh (y_c), validate (y_s), keys (K, H, the two keys), seal (your chats), open (its frames).',
    'Frames are a 4-byte big-endian length, then JSON (s.2): read exactly that many bytes, however TCP cuts them.',
    'Keep two counters, one per direction, both from 0; a frame with another seq, or a tag that fails, is ERR_DECRYPT.',
    'An error the server sends (a sealed {"type":"error"} or a bye with an ERR_ code) is printed the same way: ERROR and its code.',
    'No case forces a Z with a leading zero byte: the server commits to y_s before it sees y_c, so it cannot choose Z. An unpadded Z fails 1 connection in 256, as ERR_DECRYPT on the first frame; the keys exercise tests it every time.',
  ],
  cases(seed) {
    return clientCases(seed).map((c) => ({ what: c.what, input: c.story, expected: c.expected.join(' | '), hint: c.hint }));
  },
  run(command, seed, limits) {
    return gradeClient(command, seed, limits?.timeMs);
  },
};
