import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The one way the grader runs a student's program, a stranger's code. The program gets a session
 * and process group of its own (setsid: no controlling terminal, so /dev/tty is ENXIO and it can
 * neither draw on nor type into the teacher's terminal), and a marker in its environment. At its
 * deadline, after a flood, and whenever it ends, everything it started is killed: its process group,
 * its session, its descendants, and any process that still carries the marker (a child that
 * called setsid, or whose parent died). The grader never waits on a pipe another process holds:
 * the limit bounds wall time, children included.
 */

/** After the program exits, how long its output may take to drain before what holds it is killed. */
export const DRAIN_GRACE_MS = 250;
const MARKER = 'DHLAB_GRADED_RUN';

export interface SupervisorLimits {
  timeMs: number;
  stdoutBytes: number;
  stderrTailBytes: number;
}

/** How the program ended, in the words the report uses. */
export type Ending =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'time-limit'; exitedFirst: boolean }
  | { kind: 'flood' }
  /** `what`: the command and why it could not start (ENOENT). */
  | { kind: 'cannot-start'; code: string };

export interface Outcome {
  ending: Ending;
  /** Processes it left behind (they held its output, or ran on after it): all killed. */
  leftovers: number;
  /** null when it ended normally (exit status 0, within the limits, nothing left running). */
  problem: string | null;
}

const live = new Set<SupervisedProgram>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The grader stopped by Ctrl-C or a signal takes its students' programs with it. */
function onGraderSignal(signal: NodeJS.Signals): void {
  for (const program of live) program.killEverything();
  for (const s of SIGNALS) process.removeListener(s, onGraderSignal);
  process.kill(process.pid, signal);
}
function onGraderExit(): void {
  for (const program of live) program.killEverything();
}
function track(program: SupervisedProgram): void {
  if (live.size === 0) {
    for (const s of SIGNALS) process.on(s, onGraderSignal);
    process.on('exit', onGraderExit);
  }
  live.add(program);
}
function untrack(program: SupervisedProgram): void {
  if (!live.delete(program) || live.size > 0) return;
  for (const s of SIGNALS) process.removeListener(s, onGraderSignal);
  process.removeListener('exit', onGraderExit);
}

export class SupervisedProgram {
  /** Resolves once the program and everything it started are gone and its pipes are closed. */
  readonly done: Promise<Outcome>;
  private readonly child: ChildProcess;
  private readonly marker = randomBytes(12).toString('hex');
  private ending: Ending | null = null;
  private exitedAt: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private outBytes = 0;
  private stderr = Buffer.alloc(0);
  /** Every process of the run the sweeps found and killed, once each. */
  private readonly killed = new Set<number>();
  private finished = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private resolveDone!: (outcome: Outcome) => void;

  constructor(
    private readonly command: readonly string[],
    private readonly limits: SupervisorLimits,
    private readonly onStdout: (chunk: Buffer) => void,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const [file, ...args] = command as [string, ...string[]];
    this.child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, [MARKER]: this.marker },
    });
    track(this);
    this.timers.push(
      setTimeout(() => this.stop({ kind: 'time-limit', exitedFirst: this.exitedAt !== null }), limits.timeMs),
    );
    this.child.stdout?.on('data', (chunk: Buffer) => this.socketOnStdout(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.socketOnStderr(chunk));
    // A program that exits without reading its input must not crash the grader with EPIPE.
    this.child.stdin?.on('error', () => {});
    this.child.on('error', (error: NodeJS.ErrnoException) => this.childOnError(error));
    this.child.on('exit', (code, signal) => this.childOnExit(code, signal));
    this.child.on('close', () => this.finish());
  }

  get stderrTail(): string {
    return this.stderr.toString('utf8');
  }

  get running(): boolean {
    return !this.finished;
  }

  /** It exited, or a limit ended it (its pipes may still be draining). */
  get ended(): boolean {
    return this.exitedAt !== null || this.ending !== null;
  }

  writeStdin(text: string): void {
    if (!this.finished && this.child.stdin?.writable) this.child.stdin.write(text);
  }

  endStdin(): void {
    if (!this.finished) this.child.stdin?.end();
  }

  /** Ends the program now for a reason of the grader's (its output is not read any further). */
  stop(ending: Ending): void {
    if (this.finished) return;
    this.ending ??= ending;
    this.killEverything();
    this.destroyPipes();
    // SIGKILL to the group: 'exit' follows at once; the timer only guards against a lost event.
    this.timers.push(setTimeout(() => this.finish(), DRAIN_GRACE_MS));
  }

  /** Kills the program's group, session, descendants and marked processes; counts what it found. */
  killEverything(): number {
    const pid = this.child.pid;
    if (pid === undefined) return 0;
    const killed = this.killed;
    const sweep = () => {
      const found = relatedProcesses(pid, this.marker).filter((other) => !killed.has(other));
      for (const other of found) {
        killed.add(other);
        try {
          process.kill(other, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      return found.length;
    };
    sweep();
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already empty.
    }
    // A fork loop can race one sweep: sweep until one finds nothing new.
    for (let round = 0; round < 5 && sweep() > 0; round++);
    return killed.size;
  }

  private socketOnStdout(chunk: Buffer): void {
    if (this.ending?.kind === 'flood' || this.ending?.kind === 'time-limit') return;
    this.outBytes += chunk.length;
    if (this.outBytes > this.limits.stdoutBytes) return this.stop({ kind: 'flood' });
    this.onStdout(chunk);
  }

  private socketOnStderr(chunk: Buffer): void {
    const max = this.limits.stderrTailBytes;
    this.stderr = Buffer.concat([this.stderr, chunk.length > max ? chunk.subarray(chunk.length - max) : chunk]);
    if (this.stderr.length > max) this.stderr = this.stderr.subarray(this.stderr.length - max);
  }

  private childOnError(error: NodeJS.ErrnoException): void {
    this.ending ??= { kind: 'cannot-start', code: `${this.command.join(' ')}: ${error.code ?? error.message}` };
    this.finish();
  }

  private childOnExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitedAt = { code, signal };
    // Whatever it started and left running (a child that redirected its output) dies with it.
    this.killEverything();
    // Output still in the pipe drains; a pipe still held after the grace is destroyed.
    this.timers.push(
      setTimeout(() => {
        this.killEverything();
        this.destroyPipes();
        this.finish();
      }, DRAIN_GRACE_MS),
    );
  }

  private destroyPipes(): void {
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  private finish(): void {
    if (this.finished) return;
    if (this.exitedAt === null && this.ending === null) return;
    this.finished = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.killEverything();
    this.destroyPipes();
    untrack(this);
    const ending = this.ending ?? {
      kind: 'exited',
      ...(this.exitedAt as { code: number | null; signal: NodeJS.Signals | null }),
    };
    this.resolveDone({ ending, leftovers: this.killed.size, problem: describe(ending, this.killed.size, this.limits) });
  }
}

/** The report's sentence for how a program ended; null when it ended normally. */
export function describe(ending: Ending, leftovers: number, limits: SupervisorLimits): string | null {
  const seconds = `${limits.timeMs / 1000} s`;
  switch (ending.kind) {
    case 'cannot-start':
      return `cannot run ${ending.code}`;
    case 'flood':
      return `printed more than ${limits.stdoutBytes} bytes: killed, with everything it started`;
    case 'time-limit':
      return ending.exitedFirst
        ? `it exited, but processes it started were still running at the time limit (${seconds}): all killed`
        : `still running at the time limit (${seconds}): killed, with everything it started`;
    case 'exited':
      if (ending.signal) return `killed by ${ending.signal}`;
      if (ending.code !== 0) return `exited with status ${ending.code}`;
      return leftovers > 0
        ? `it exited, but left ${leftovers === 1 ? 'a process' : `${leftovers} processes`} running: killed`
        : null;
  }
}

/**
 * Processes that belong to the run of `pid`: in its group or session, descended from it, or
 * carrying its marker. Linux's /proc only; elsewhere the group kill is all there is.
 */
function relatedProcesses(pid: number, marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const parents = new Map<number, number>();
  const related = new Set<number>();
  const needle = `${MARKER}=${marker}`;
  for (const entry of entries) {
    const other = Number(entry);
    if (other === process.pid) continue;
    const stat = readStat(other);
    if (stat === null) continue;
    parents.set(other, stat.ppid);
    if (stat.state === 'Z') continue;
    if (stat.pgrp === pid || stat.session === pid || other === pid || hasMarker(other, needle)) related.add(other);
  }
  for (const other of parents.keys()) {
    for (let up = parents.get(other), hops = 0; up !== undefined && up > 1 && hops < 64; up = parents.get(up), hops++) {
      if (up === pid || related.has(up)) {
        if (readStat(other)?.state !== 'Z') related.add(other);
        break;
      }
    }
  }
  return [...related];
}

function readStat(pid: number): { state: string; ppid: number; pgrp: number; session: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]) };
  } catch {
    return null;
  }
}

function hasMarker(pid: number, needle: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(needle);
  } catch {
    return false;
  }
}
