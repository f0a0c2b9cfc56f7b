import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

/** The end of stderr kept to show why a program failed. */
const STDERR_TAIL_BYTES = 2048;

/**
 * A student's program that runs while the grader acts (the client exercise): its stdout read line
 * by line as it comes, stdin written step by step, and a deadline after which it is killed. Like
 * runProgram, it never hangs or floods the grader.
 */
export class StudentProgram {
  readonly lines: string[] = [];
  /** Why it did not end normally; null while running and after a clean exit. */
  problem: string | null = null;
  exitCode: number | null = null;
  exited = false;
  private readonly child: ChildProcess;
  private readonly changes = new EventEmitter();
  private partial = '';
  private outBytes = 0;
  private stderr = Buffer.alloc(0);
  private readonly timer: NodeJS.Timeout;

  constructor(command: readonly string[], limits: { timeMs: number; stdoutBytes: number }) {
    const [file, ...args] = command as [string, ...string[]];
    this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.timer = setTimeout(() => this.stop(`still running ${limits.timeMs / 1000} s after it started: stopped`), limits.timeMs);
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (text: string) => {
      this.outBytes += Buffer.byteLength(text);
      if (this.outBytes > limits.stdoutBytes) return this.stop(`printed more than ${limits.stdoutBytes} bytes: stopped`);
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() as string;
      for (const line of parts) this.lines.push(line.replace(/\r$/, ''));
      if (parts.length > 0) this.changes.emit('change');
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = Buffer.concat([this.stderr, chunk]);
      if (this.stderr.length > STDERR_TAIL_BYTES) this.stderr = this.stderr.subarray(this.stderr.length - STDERR_TAIL_BYTES);
    });
    // A program that exits without reading its input must not crash the grader with EPIPE.
    this.child.stdin?.on('error', () => {});
    this.child.on('error', (error: NodeJS.ErrnoException) => {
      this.problem ??= `cannot run ${command.join(' ')}: ${error.code ?? error.message}`;
    });
    this.child.on('close', (code, signal) => {
      clearTimeout(this.timer);
      if (this.partial !== '') this.lines.push(this.partial.replace(/\r$/, ''));
      this.partial = '';
      this.exitCode = code;
      if (signal) this.problem ??= `killed by ${signal}`;
      this.exited = true;
      this.changes.emit('change');
    });
  }

  get stderrTail(): string {
    return this.stderr.toString('utf8');
  }

  /** Resolves once `done()` holds, or the program has exited (it can print nothing more). */
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
    if (!this.exited) this.child.stdin?.write(`${line}\n`);
  }

  endInput(): void {
    if (!this.exited) this.child.stdin?.end();
  }

  stop(why: string): void {
    this.problem ??= why;
    this.child.kill('SIGKILL');
  }

  /** Resolves when the program has exited (it is killed at the deadline, so this always ends). */
  exit(): Promise<void> {
    return this.until(() => false);
  }
}
