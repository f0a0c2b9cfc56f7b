import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ED25519_PKCS8_PREFIX } from '../crypto/ed25519-der.ts';
import { hostIdentityFromSeed } from '../protocol/identity.ts';
import { randomBytes } from 'node:crypto';
import { SupervisedProgram, type Outcome } from './supervisor.ts';
import { listening, LISTEN_MS, portWasTaken, releasePort, reservePort } from './server-ports.ts';
import { CaseMiss, engine } from './server-probe.ts';
import { serverCases, serverScript, type ServerCase, type ServerScript } from './server-cases.ts';
import { CaseRoom } from './server-steps.ts';
import { shuffledOrder } from './client-exercise.ts';
import type { CaseResult, Exercise, ExerciseResult } from './types.ts';
import { resultOfCases, type CaseOutcome } from './case-outcome.ts';
import type { Relay } from '../net/relay.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { startTapProxy, type TapObservation } from '../tap/tap-proxy.ts';

/*
 * `dhlab check server -- COMMAND`: the student's server, started afresh for each case on a free
 * loopback port with a host key the grader wrote, and the grader's clients, honest and hostile,
 * on the real wire. Its process group is killed after each case.
 */

/** Per case (the stalled reader has its own): a correct server needs a second or two. */
export const SERVER_CASE_MS = 30_000;
const STDOUT_BYTES = 1024 * 1024;
/** After a failed case, how long the grader waits to see whether the server is exiting. */
const EXIT_GRACE_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A server that could not bind its port (another program took it first) gets its case again, this often. */
const PORT_RETRIES = 2;
const STDERR_TAIL_BYTES = 2048;

/** The host key file `--host-key` names: Ed25519 in PKCS#8 PEM, mode 0600 (what `dhlab server` reads). */
function writeHostKey(dir: string, seed: Uint8Array): string {
  const file = path.join(dir, 'host_ed25519_key');
  const body = Buffer.concat([ED25519_PKCS8_PREFIX, seed]).toString('base64');
  fs.writeFileSync(file, `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  return file;
}

interface ServerRun {
  command: readonly string[];
  script: ServerScript;
  hostKeyFile: string;
  hostKey: Uint8Array;
  caseMs: number | undefined;
}

/** A case as a watcher lists it: what it is, what must happen, and the client to look at first. */
export interface WatchedServerCase {
  what: string;
  story: string;
  expected: readonly string[];
  name: string;
  detail: string;
}

/** Anyone watching the grading (`dhlab check server --watch`): the grader's clients and the wire. */
export interface ServerCaseObserver {
  /** Resolves when the watchers are ready for case `index` (the lab waits for space). */
  ready?(index: number): Promise<void>;
  caseStarted(index: number, c: WatchedServerCase): void;
  /** One of the grader's clients, which reveal their secrets to the watcher (they are the grader's own). */
  clientTrace(index: number, client: string, event: TraceEvent): void;
  /** The student's server's wire, as a wiretapper between it and the grader's clients sees it. */
  wire(index: number, observation: TapObservation): void;
  caseEnded(result: CaseResult): void;
}

/** The cases as a watcher lists them, for one seed. */
export function watchedServerCases(seed: string): WatchedServerCase[] {
  const script = serverScript(seed);
  return serverCases().map((c) => ({
    what: c.what,
    story: c.hint,
    expected: [c.expected],
    name: script.names[0],
    detail: `members: ${script.names.join(', ')}`,
  }));
}

/** A tap between the grader's clients and the student's server, for a watcher's Eve. */
function watcherTap(index: number, port: number, observer: ServerCaseObserver): Promise<Relay> {
  return startTapProxy({
    listenPort: 0,
    targetHost: '127.0.0.1',
    targetPort: port,
    onObservation: (observation) => observer.wire(index, observation),
  });
}

/** Waits for the server to listen, then plays the case's clients against it (through a tap when watched). */
async function playOnTheWire(
  index: number,
  c: ServerCase,
  run: ServerRun,
  port: number,
  program: SupervisedProgram,
  observer?: ServerCaseObserver,
): Promise<{ up: boolean; miss: CaseMiss | null }> {
  let room: CaseRoom | null = null;
  let tap: Relay | null = null;
  let up = false;
  try {
    up = await listening(port, program);
    if (!up)
      return {
        up,
        miss: new CaseMiss(
          program.running
            ? `nothing accepted connections on 127.0.0.1:${port} within ${LISTEN_MS / 1000} s`
            : 'the server ended before it accepted a connection',
          'listen on the --host and --port you are given (TCP), before anything else that takes time',
        ),
      };
    tap = observer ? await watcherTap(index, port, observer) : null;
    room = new CaseRoom(
      tap?.port ?? port,
      run.hostKey,
      observer ? (client, event) => observer.clientTrace(index, client, event) : undefined,
      tap ? 2 : 1,
    );
    await c.play(room, run.script);
    return { up, miss: null };
  } catch (error) {
    if (!(error instanceof CaseMiss)) throw error;
    return { up, miss: error };
  } finally {
    room?.close();
    await tap?.close();
  }
}

async function runCase(
  index: number,
  c: ServerCase,
  run: ServerRun,
  observer?: ServerCaseObserver,
): Promise<CaseOutcome & { portTaken: boolean }> {
  const port = await reservePort();
  const timeMs = run.caseMs ?? c.ms ?? SERVER_CASE_MS;
  const program = new SupervisedProgram(
    [...run.command, '--host', '127.0.0.1', '--port', String(port), '--host-key', run.hostKeyFile],
    { timeMs, stdoutBytes: STDOUT_BYTES, stderrTailBytes: STDERR_TAIL_BYTES },
    // Its stdout is counted (a flood is stopped) but never shown: the server's log is its own.
    () => {},
  );
  const started = `${run.command.join(' ')} --host 127.0.0.1 --port ${port} --host-key FILE`;
  const { up, miss } = await playOnTheWire(index, c, run, port, program, observer);
  // A case that failed because the server died: its exit is a moment behind its closed sockets.
  if (miss !== null && !program.ended) await Promise.race([program.done, sleep(EXIT_GRACE_MS)]);
  const endedByItself = program.ended;
  program.stop({ kind: 'exited', code: null, signal: 'SIGKILL' });
  const outcome: Outcome = await program.done;
  releasePort(port);
  // A server runs until it is stopped: ending on its own (a crash, a limit) is the problem.
  const problem = endedByItself
    ? (outcome.problem ?? 'it exited during the case (a server runs until it is stopped)')
    : null;
  // It never listened and says its port was taken: another program bound it first, not its fault.
  const portTaken = !up && endedByItself && portWasTaken(program.stderrTail);
  const result = caseResult(index, c, started, miss, problem, program.stderrTail);
  if (!portTaken) observer?.caseEnded(result);
  return { ...result, portTaken };
}

function caseResult(
  index: number,
  c: ServerCase,
  started: string,
  miss: CaseMiss | null,
  problem: string | null,
  stderrTail: string,
): CaseOutcome {
  const ok = miss === null && problem === null;
  return {
    index,
    what: c.what,
    ok,
    sent: started,
    expected: miss?.expected ?? c.expected,
    got: ok ? 'as expected' : (miss?.got ?? problem ?? ''),
    hint: miss?.hint ?? c.hint,
    ...(miss?.frame ? { frame: miss.frame } : {}),
    problem,
    stderrTail,
  };
}

/** `dhlab check server`: every case against a fresh run of the program, in `order` (shuffled unless given). */
export async function gradeServer(
  command: readonly string[],
  seed: string,
  caseMs?: number,
  order?: readonly number[],
  observer?: ServerCaseObserver,
): Promise<ExerciseResult> {
  const cases = serverCases();
  const watched = watchedServerCases(seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-check-server-'));
  try {
    const hostSeed = randomBytes(32);
    const run: ServerRun = {
      command,
      script: serverScript(seed),
      hostKeyFile: writeHostKey(dir, hostSeed),
      hostKey: hostIdentityFromSeed(engine, hostSeed).publicKey,
      caseMs,
    };
    const results: CaseOutcome[] = [];
    for (const index of order ?? shuffledOrder(cases.length)) {
      await observer?.ready?.(index);
      observer?.caseStarted(index, watched[index] as WatchedServerCase);
      let outcome = await runCase(index, cases[index] as ServerCase, run, observer);
      for (let retry = 0; outcome.portTaken && retry < PORT_RETRIES; retry++)
        outcome = await runCase(index, cases[index] as ServerCase, run, observer);
      if (outcome.portTaken) observer?.caseEnded(outcome);
      const { portTaken: _taken, ...result } = outcome;
      results.push(result);
    }
    return resultOfCases('server', seed, results);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const serverExercise: Exercise = {
  name: 'server',
  title: 'The whole server, against clients that cheat',
  spec: 's.2-7 (everything)',
  contract:
    'args: --host H --port P --host-key FILE   the grader connects as several clients, honest and hostile; stdout is not read',
  contractIntro: [
    'Contract: for each case the grader writes an Ed25519 host key (PKCS#8 PEM,',
    'mode 0600, as `dhlab server --host-key` reads) and runs',
    '  YOUR COMMAND --host 127.0.0.1 --port P --host-key FILE',
    'Listen there within 10 s, then serve the room (s.4-s.6) until you are stopped.',
    'The grader connects as clients and judges every frame on the wire; stdout and',
    'stderr are yours (stderr is shown if the server crashes). The cases, in an',
    'order that changes each run:',
    '  one member: handshake, signature over H, welcome, who, a line, quit: bye OK;',
    '  three members: joins, each line to all three (sender too), three keys;',
    '  a client whose Z starts with a zero byte;',
    '  public values 0, 1, p-1, p, and one outside the subgroup;',
    '  a flipped bit, a replayed frame, a skipped seq: a sealed ERR_DECRYPT, and',
    '    the room sees that member leave;',
    '  a taken name, bad names, a length prefix of 65537, a frame that is not JSON;',
    '  a member that stops reading while others chat;',
    '  one gone mid-handshake, one that sends nothing.',
    'Refusals before keys are plaintext errors (s.7): send, then close that',
    'connection, only that one. Names: 1 to 32 code points (letters, marks,',
    "digits, - _ . ' and space), unique in the room.",
  ],
  goal: 'Write a dhlab server from the spec alone that honest clients can use together and hostile ones cannot break: the handshake with your host key, a key pair per member, the sealed room, every MUST check, and a room that never waits for one member.',
  hints: [
    'Build it from your client: the same framing, keys (swap the directions: you seal with k_s2c) and checks (y_c now).',
    'Read the host key from the PEM: base64 of a 48-byte DER whose last 32 bytes are the Ed25519 seed (RFC 8410); python3-cryptography: load_pem_private_key.',
    'One event loop (selectors, asyncio, epoll) or a thread per client with a queue per member: never a write that blocks the room.',
    'The first sealed frame to a member is welcome; its join goes to the others; its leave (reason: quit or the error code) too.',
  ],
  cases() {
    return serverCases().map((c) => ({
      what: c.what,
      input: 'the grader connects',
      expected: c.expected,
      hint: c.hint,
    }));
  },
  run(command, seed, limits) {
    return gradeServer(command, seed, limits?.timeMs);
  },
};
