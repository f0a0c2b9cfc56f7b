import { randomBytes, randomInt } from 'node:crypto';
import { ChatClient } from '../client/chat-client.ts';
import { DhlabError } from '../errors.ts';
import { ENGINES } from '../crypto/engines.ts';
import { LoopbackRoom } from '../loopback/topology.ts';
import type { WireFrame } from '../protocol/frame.ts';
import { hostIdentityFromSeed, type HostIdentity } from '../protocol/identity.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import type { TapObservation } from '../tap/tap-proxy.ts';
import { clientScript, group, type ClientCase, type ClientScript } from './client-cases.ts';
import type { CaseResult, Exercise, ExerciseResult } from './types.ts';
import { resultOfCases, type CaseOutcome } from './case-outcome.ts';
import { StudentProgram } from './student-program.ts';
import { CaseEvidence, verdict } from './client-verdict.ts';

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
      bob = await ChatClient.connect({
        name: 'bob',
        host: '127.0.0.1',
        port: room.serverPort,
        engine,
        onEvent: (event) => bobHeard.push(event),
      }).catch((error: unknown) => {
        student.stop(
          `the grader's bob could not join the room (${error instanceof DhlabError ? error.code : 'error'}): stopped`,
        );
        return null;
      });
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
): Promise<CaseOutcome> {
  const { script } = run;
  observer?.caseStarted(index, { ...c, name: script.name });
  const evidence = new CaseEvidence(c.path.kind === 'mallory');
  const established = new Set<string>();
  let program: StudentProgram | null = null;
  const room = await caseRoom(index, c, run, evidence, observer, (event, name) => {
    if (name === null) return;
    if (event.kind === 'established') established.add(name);
    if (event.kind === 'open' && name === script.name) evidence.request(event.plaintext);
    if (event.kind === 'seal' && name === script.name) evidence.sealed(event.seq, event.plaintext);
    if (event.kind === 'wire' && event.dir === 'recv' && name === script.name) evidence.serverGot = event.frame;
    if (event.kind === 'error' && !event.remote && name === script.name) evidence.refused(event.code);
    program?.poke();
  });
  const student = new StudentProgram(
    [
      ...run.command,
      '--host',
      '127.0.0.1',
      '--port',
      String(room.frontPort),
      '--name',
      script.name,
      '--fingerprint',
      run.serverIdentity.fingerprint,
    ],
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
  const results: CaseOutcome[] = [];
  for (const index of order ?? shuffledOrder(script.cases.length)) {
    await observer?.ready?.(index);
    results.push(await runCase(index, script.cases[index] as ClientCase, run, observer));
  }
  return resultOfCases('client', seed, results);
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
  contract:
    'args: --host H --port P --name N --fingerprint SHA256:...   out: one line per event; ERROR ERR_CODE on a protocol error',
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
    return clientCases(seed).map((c) => ({
      what: c.what,
      input: c.story,
      expected: c.expected.join(' | '),
      hint: c.hint,
    }));
  },
  run(command, seed, limits) {
    return gradeClient(command, seed, limits?.timeMs);
  },
};
