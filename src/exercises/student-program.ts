import { EventEmitter } from 'node:events';
import { SupervisedProgram } from './supervisor.ts';

/** The end of stderr kept to show why a program failed. */
const STDERR_TAIL_BYTES = 2048;

/**
 * A student's program that runs while the grader acts (the client exercise): its stdout read line
 * by line as it comes, stdin written step by step. The supervisor bounds its wall time and kills
 * everything it started.
 */
export class StudentProgram {
  readonly lines: string[] = [];
  /** Why it did not end normally; null while running and after a clean exit. */
  problem: string | null = null;
  exitCode: number | null = null;
  exited = false;
  private readonly program: SupervisedProgram;
  private readonly changes = new EventEmitter();
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';

  constructor(command: readonly string[], limits: { timeMs: number; stdoutBytes: number }) {
    this.program = new SupervisedProgram(command, { ...limits, stderrTailBytes: STDERR_TAIL_BYTES }, (chunk) =>
      this.programOnStdout(chunk),
    );
    void this.program.done.then(({ ending, leftovers, problem }) => {
      this.partial += this.decoder.decode();
      if (this.partial !== '') this.lines.push(this.partial.replace(/\r$/, ''));
      this.partial = '';
      this.exitCode = ending.kind === 'exited' ? ending.code : null;
      // A non-zero status is the case's to judge (1 is a reported error); the rest is a problem.
      const reportedError = ending.kind === 'exited' && ending.signal === null && ending.code !== 0;
      this.problem ??= !reportedError
        ? problem
        : leftovers > 0
          ? `it exited with status ${ending.code}, but left processes running: killed`
          : null;
      this.exited = true;
      this.changes.emit('change');
    });
  }

  get stderrTail(): string {
    return this.program.stderrTail;
  }

  private programOnStdout(chunk: Buffer): void {
    const parts = (this.partial + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.partial = parts.pop() as string;
    for (const line of parts) this.lines.push(line.replace(/\r$/, ''));
    if (parts.length > 0) this.changes.emit('change');
  }

  /** Resolves once `done()` holds, or the program has ended (it can print nothing more). */
  until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done() && !this.exited) return;
        this.changes.off('change', check);
        resolve();
      };
      this.changes.on('change', check);
      check();
    });
  }

  /** Wakes a pending until() to look again at a condition outside the program (the server's state). */
  poke(): void {
    this.changes.emit('change');
  }

  writeLine(line: string): void {
    this.program.writeStdin(`${line}\n`);
  }

  endInput(): void {
    this.program.endStdin();
  }

  /** Ends the program for a reason of the grader's: `why` is what the report says. */
  stop(why: string): void {
    this.problem ??= why;
    this.program.stop({ kind: 'exited', code: null, signal: 'SIGKILL' });
  }

  /** Resolves when the program and everything it started are gone (the supervisor's deadline bounds it). */
  exit(): Promise<void> {
    return this.until(() => false);
  }
}
