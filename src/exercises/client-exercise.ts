import { randomBytes, randomInt } from 'node:crypto';
import { ChatClient } from '../client/chat-client.ts';
import { DhlabError } from '../errors.ts';
import { ENGINES } from '../crypto/engines.ts';
import { LoopbackRoom } from '../loopback/topology.ts';
import { FrameDecoder, parseFramePayload, type WireFrame } from '../protocol/frame.ts';
import { hostIdentityFromSeed, type HostIdentity } from '../protocol/identity.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import type { TapObservation } from '../tap/tap-proxy.ts';
import { clientScript, group, type ClientCase, type ClientScript, type Forbidden } from './client-cases.ts';
import type { CaseResult, Exercise, ExerciseResult } from './types.ts';
import { StudentProgram } from './student-program.ts';

export type { ClientCase } from './client-cases.ts';

const engine = ENGINES.native;

/** Per case: the program must be done within this (a correct client needs well under a second). */
export const CLIENT_CASE_MS = 10_000;

/** Anyone watching the grading (`dhlab check client --watch`): the servers' traces and the student's wire. */
export interface ClientCaseObserver {
  /** Resolves when the watchers are ready for case `index` (the lab waits for space). */
  ready?(index: number): Promise<void>;
  caseStarted(index: number, c: ClientCase & { name: string }): void;
  /** The grader's server, which reveals its secrets to the watcher (it is the grader's own). */
  serverTrace(index: number, connection: number, event: TraceEvent, name: string | null): void;
  /** The student's connection as a wiretapper sees it, between the student and Mallory. */
  wire(index: number, observation: TapObservation): void;
  caseEnded(result: CaseResult): void;
}

/** One line for the report: the lines in order, then how the program ended. */
function transcriptOf(lines: readonly string[], ending: string): string {
  return `${lines.length === 0 ? '(nothing)' : lines.join(' | ')} (${ending})`;
}

/** What crossed the student's wire and what the server opened, on one clock, around the cheat. */
class CaseEvidence {
  private clock = 0;
  helloSeen = false;
  /** The code the grader's server refused the student with, if it did (ERR_DECRYPT: a frame it could not open). */
  serverRefused: string | null = null;
  /** When the cheated frame was handed to the student's socket; null: the case never got there. */
  cheatAt: number | null = null;
  private cheatPending = false;
  readonly fromStudent: { at: number; type: string }[] = [];
  /** Requests the server opened from the student: { at, plaintext }. */
  readonly requests: { at: number; plaintext: string }[] = [];
  private readonly up = new FrameDecoder();
  private readonly down = new FrameDecoder();
  private unreadable = false;

  constructor(private readonly mitm: boolean) {}

  /** The relay's rewrite changed the frame it is about to write. */
  cheated(): void {
    this.cheatPending = true;
  }

  request(plaintext: string): void {
    this.requests.push({ at: this.clock++, plaintext });
  }

  wire(direction: 'from-client' | 'to-client', bytes: Uint8Array): void {
    if (this.unreadable) return;
    try {
      const decoder = direction === 'from-client' ? this.up : this.down;
      for (const payload of decoder.push(bytes)) {
        const frame = parseFramePayload(payload);
        const at = this.clock++;
        if (direction === 'from-client') {
          if (frame.type === 'hello') this.helloSeen = true;
          this.fromStudent.push({ at, type: frame.type });
        } else if (this.cheatAt === null && (this.cheatPending || (this.mitm && frame.type === 'server_key'))) this.cheatAt = at;
      }
    } catch {
      // Bytes that are not frames are the protocol core's to refuse; the evidence stops here.
      this.unreadable = true;
    }
  }

  /** What the student sent that it must not have, once the cheat had reached it. */
  violations(forbidden: Forbidden): string[] {
    const after = this.cheatAt;
    if (after === null || forbidden === 'nothing') return [];
    const sent = this.fromStudent.filter((f) => f.at > after).map((f) => f.type);
    if (forbidden === 'client_key')
      return this.fromStudent.some((f) => f.type === 'client_key') ? ['you sent client_key after a server_key you had to refuse'] : [];
    if (forbidden === 'sealed') return sent.includes('data') ? ['you sent a sealed frame after a server_auth that did not verify'] : [];
    const opened = this.requests.filter((r) => r.at > after && !r.plaintext.startsWith('{"type":"error"'));
    return opened.length > 0 ? [`after the frame you had to refuse you still sent ${opened.map((r) => requestType(r.plaintext)).join(', ')}`] : [];
  }
}

function requestType(plaintext: string): string {
  return /^\{"type":"([a-z_]{1,20})"/.exec(plaintext)?.[1] ?? 'a request';
}

const sameLines = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((line, i) => line === b[i]);

/** The case's room: a fresh server, Mallory in front of it (cheating as the case says), Eve's tap for a watcher. */
async function caseRoom(
  index: number,
  c: ClientCase,
  run: RunSetting,
  evidence: CaseEvidence,
  observer: ClientCaseObserver | undefined,
  onServerTrace: TraceSink,
) {
  const path = c.path;
  return LoopbackRoom.start({
    server: {
      engine,
      group,
      identity: run.serverIdentity,
      revealSecrets: true,
      trace: (connection, event, name) => {
        observer?.serverTrace(index, connection, event, name);
        onServerTrace(event, name);
      },
    },
    mallory: {
      engine,
      mode: path.kind === 'mallory' ? 'mitm' : 'relay',
      group,
      identity: run.malloryIdentity,
      ...(path.kind === 'relay'
        ? {
            rewriteFromServer: (frame: WireFrame) => {
              const { frames, cheated } = path.rewrite(frame);
              if (cheated) evidence.cheated();
              return frames;
            },
          }
        : {}),
      onClientWire: (direction, bytes) => evidence.wire(direction, bytes),
      onEvent: () => {},
    },
    eve: observer ? { onObservation: (o) => observer.wire(index, o) } : undefined,
  });
}

type TraceSink = (event: TraceEvent, name: string | null) => void;

/**
 * The script, the same in every case: the student joins; bob joins and says his lines in one
 * write; the student's stdin lines; bob leaves; stdin ends. Each step waits for the program's answer.
 */
async function playScript(
  student: StudentProgram,
  run: RunSetting,
  room: LoopbackRoom,
  established: ReadonlySet<string>,
  bobHeard: ServerEvent[],
): Promise<void> {
  const { script } = run;
  let bob: ChatClient | null = null;
  try {
    // The student is in the room (or has given up): only then does bob come, so his join is news to it.
    await student.until(() => established.has(script.name));
    if (!student.exited) {
      // A program may take the name bob itself: then bob cannot join, and the case says so.
      bob = await ChatClient.connect({ name: 'bob', host: '127.0.0.1', port: room.serverPort, engine, onEvent: (event) => bobHeard.push(event) }).catch(
        (error: unknown) => {
          student.stop(`the grader's bob could not join the room (${error instanceof DhlabError ? error.code : 'error'}): stopped`);
          return null;
        },
      );
      await student.until(() => student.lines.length >= 1);
    }
    if (!student.exited) {
      const before = student.lines.length;
      bob?.sayTogether(script.bobSays);
      await student.until(() => student.lines.length >= before + script.bobSays.length);
    }
    for (const line of script.stdin) {
      const before = student.lines.length;
      student.writeLine(line);
      await student.until(() => student.lines.length > before);
    }
    if (!student.exited && bob) {
      const before = student.lines.length;
      await bob.quit();
      await student.until(() => student.lines.length > before);
    }
    student.endInput();
    await student.exit();
  } finally {
    if (bob && !bob.closed) await bob.quit();
  }
}

/** Runs one case: its room, the program, the script; then the verdict. */
async function runCase(
  index: number,
  c: ClientCase,
  run: RunSetting,
  observer?: ClientCaseObserver,
): Promise<CaseResult & { problem: string | null; stderrTail: string }> {
  const { script } = run;
  observer?.caseStarted(index, { ...c, name: script.name });
  const evidence = new CaseEvidence(c.path.kind === 'mallory');
  const established = new Set<string>();
  let program: StudentProgram | null = null;
  const room = await caseRoom(index, c, run, evidence, observer, (event, name) => {
    if (name === null) return;
    if (event.kind === 'established') established.add(name);
    if (event.kind === 'open' && name === script.name) evidence.request(event.plaintext);
    if (event.kind === 'error' && !event.remote && name === script.name) evidence.serverRefused ??= event.code;
    program?.poke();
  });
  const student = new StudentProgram(
    [...run.command, '--host', '127.0.0.1', '--port', String(room.frontPort), '--name', script.name, '--fingerprint', run.serverIdentity.fingerprint],
    { timeMs: run.caseMs, stdoutBytes: 64 * 1024 },
  );
  program = student;
  const bobHeard: ServerEvent[] = [];
  try {
    await playScript(student, run, room, established, bobHeard);
  } finally {
    await room.close('the case is over');
  }
  const result = verdict(index, c, script, student, evidence, bobHeard);
  observer?.caseEnded(result);
  return result;
}

/** What the case concludes from what the program printed, sent and did after the cheat. */
function verdict(
  index: number,
  c: ClientCase,
  script: ClientScript,
  student: StudentProgram,
  evidence: CaseEvidence,
  bobHeard: readonly ServerEvent[],
): CaseResult & { problem: string | null; stderrTail: string } {
  const ending = student.problem ?? `exit ${student.exitCode}`;
  const violations = evidence.violations(c.forbidden);
  const problems = [...reachProblems(c, evidence), ...violations, ...(c.exitCode === 0 ? honestProblems(script, evidence, bobHeard) : [])];
  const printedRight = sameLines(student.lines, c.expected) && student.problem === null && student.exitCode === c.exitCode;
  const got = transcriptOf(student.lines, ending);
  // Lines already wrong say enough; what it sent after the cheat is still worth saying.
  const said = printedRight ? problems : violations;
  return {
    index,
    what: c.what,
    ok: printedRight && problems.length === 0,
    sent: c.story,
    expected: transcriptOf(c.expected, `exit ${c.exitCode}`),
    got: said.length > 0 ? `${got}; but ${said.join('; ')}` : got,
    hint: hintFor(c, student, evidence),
    // A crash is worth its stderr: any exit status the case did not expect (1 is a reported error).
    problem:
      student.problem ??
      (student.exitCode !== null && student.exitCode !== c.exitCode && student.exitCode > 1 ? `exited with status ${student.exitCode}` : null),
    stderrTail: student.stderrTail,
  };
}

/** Whether the program got as far as the case needs: connected, and still there for the cheat. */
function reachProblems(c: ClientCase, evidence: CaseEvidence): string[] {
  if (!evidence.helloSeen) return ['you never connected (no hello reached the server)'];
  return c.forbidden !== 'nothing' && evidence.cheatAt === null ? ["you stopped before the case's cheat reached you"] : [];
}

/** In an honest room every line typed reaches bob and the program says quit. */
function honestProblems(script: ClientScript, evidence: CaseEvidence, bobHeard: readonly ServerEvent[]): string[] {
  const problems = script.stdin
    .filter((line) => !bobHeard.some((e) => e.type === 'message' && e.from === script.name && e.text === line))
    .map((line) => `bob never got your "${line}"`);
  if (!evidence.requests.some((r) => r.plaintext.includes('"quit"'))) problems.push('the server got no quit from you');
  return problems;
}

function hintFor(c: ClientCase, student: StudentProgram, evidence: CaseEvidence): string {
  // Connected, then silent until the limit: the usual cause is output that was never flushed.
  if (student.lines.length === 0 && evidence.helloSeen && student.exitCode === null)
    return `your program printed nothing before it was stopped: flush stdout after each line (print(..., flush=True), System.out.flush()), and read the socket and stdin at once: the grader waits for each line before it acts; then: ${c.hint}`;
  if (c.forbidden === 'nothing' && evidence.serverRefused === 'ERR_DECRYPT' && evidence.requests.length > 0)
    return 'the server opened your first frame and refused a later one with ERR_DECRYPT: its seq, nonce or AAD does not follow your own counter; count the frames you send from 0, one more for each (s.5)';
  return c.diagnose?.(student.lines) ?? c.hint;
}

/** What every case of one run shares: the script, the host keys (fresh each run), the program. */
interface RunSetting {
  script: ClientScript;
  serverIdentity: HostIdentity;
  malloryIdentity: HostIdentity;
  command: readonly string[];
  caseMs: number;
}

/** A fresh order of the cases for each run, so that no program can learn "case 4 comes fourth". */
export function shuffledOrder(count: number): number[] {
  const order = [...Array(count).keys()];
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * `dhlab check client`: every case against servers the grader starts, one run of the program per
 * case, in `order` (shuffled unless given); the report lists them by case number.
 */
export async function gradeClient(
  command: readonly string[],
  seed: string,
  caseMs: number = CLIENT_CASE_MS,
  observer?: ClientCaseObserver,
  order?: readonly number[],
): Promise<ExerciseResult> {
  const script = clientScript(seed);
  const run: RunSetting = {
    script,
    serverIdentity: hostIdentityFromSeed(engine, randomBytes(32)),
    malloryIdentity: hostIdentityFromSeed(engine, randomBytes(32)),
    command,
    caseMs,
  };
  const results: Awaited<ReturnType<typeof runCase>>[] = [];
  for (const index of order ?? shuffledOrder(script.cases.length)) {
    await observer?.ready?.(index);
    results.push(await runCase(index, script.cases[index] as ClientCase, run, observer));
  }
  results.sort((a, b) => a.index - b.index);
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

/** The cases of one seed with the run's --name, for views that list them before they run. */
export function clientCases(seed: string): (ClientCase & { name: string; bobSays: readonly string[] })[] {
  const script = clientScript(seed);
  return script.cases.map((c) => ({ ...c, name: script.name, bobSays: script.bobSays }));
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
    'At the end of stdin send quit and exit 0. Every case looks the same until its',
    'cheat (one name, one host key, a relay in front of the server; bob joins, sends',
    'two lines in one batch, reads your line, leaves), in an order that changes each',
    'run: the honest room, then one cheat each: a flipped bit, a replayed frame,',
    'invalid public values, a bad signature, a man in the middle with her own key.',
    'The wire is judged too: nothing may be sent after a frame you had to refuse.',
    'The grader waits for each line before it acts: flush stdout after every line,',
    'and read the socket and stdin at once.',
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
