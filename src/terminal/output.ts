import readline from 'node:readline';
import { safeJson, safeStyledText, safeText } from './safe-text.ts';

/**
 * The output gate: the only module that writes to stdout or stderr (a lint rule keeps it so;
 * eslint.config.js). Every line goes through safeText on the way out, so an error message that
 * quotes a peer (a server's `error` text, a frame type, a group name, a scenario file's title)
 * can be seen but never obeyed by the terminal, whichever path it took (docs/PROTOCOL.md s.6.3).
 * The lab draws through blessed instead; its widgets get safe text from lab/view/render.ts.
 */

function lines(text: string, safe: (line: string) => string): string {
  return text.split('\n').map(safe).join('\n');
}

/** Text on stdout; every control character in it is shown escaped. Line breaks stay. */
export function print(text: string): void {
  process.stdout.write(`${lines(text, safeText)}\n`);
}

/** Text on stderr, made safe the same way. */
export function printError(text: string): void {
  process.stderr.write(`${lines(text, safeText)}\n`);
}

/**
 * A line dhlab coloured itself (narration, --trace, the demo): colour codes stay, any other
 * control is escaped. The peer-chosen parts must already have gone through safeText.
 */
export function printStyled(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(`${lines(text, safeStyledText)}\n`);
}

/**
 * One JSON value per line, escaped so it is safe on a terminal and parses to the same value.
 * Returns what Writable.write does (false: stdout's buffer is full, wait for 'drain').
 */
export function printJson(value: unknown): boolean {
  return process.stdout.write(`${safeJson(value)}\n`);
}

/**
 * stdout's write without the newline, for the client's in-place redraw; backpressure reported
 * like Writable.write (false: wait for 'drain').
 */
export function writeStyled(text: string): boolean {
  return process.stdout.write(lines(text, safeStyledText));
}

/** What the CLI may know of its terminal. */
export const terminal = {
  get interactive(): boolean {
    return process.stdout.isTTY === true && process.stdin.isTTY === true;
  },
  get stdoutIsTTY(): boolean {
    return process.stdout.isTTY === true;
  },
  get stderrIsTTY(): boolean {
    return process.stderr.isTTY === true;
  },
  get columns(): number {
    return process.stdout.columns || 80;
  },
  get rows(): number {
    return process.stdout.rows || 24;
  },
  get stderrColumns(): number {
    return process.stderr.columns || 80;
  },
};

/** Cursor movement for the interactive client (ECMA-48 sequences written by node:readline). */
export const cursor = {
  clearLine: () => readline.clearLine(process.stdout, 0),
  to: (x: number) => readline.cursorTo(process.stdout, x),
  move: (dx: number, dy: number) => readline.moveCursor(process.stdout, dx, dy),
  clearDown: () => readline.clearScreenDown(process.stdout),
};

/**
 * The stream readline echoes the user's own typing to (never peer text): the interactive
 * client's input line.
 */
export function readlineOutput(): NodeJS.WritableStream {
  return process.stdout;
}

/** `dhlab client --json | head -1`: the reader went away; leave quietly, not with a stack trace. */
export function exitQuietlyOnBrokenPipe(
  stream: NodeJS.EventEmitter = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return exit(0);
    throw error;
  });
}

/** JSON lines with stdout's backpressure, for a producer that must not buffer without bound (dhlab eve --json). */
export const stdoutFlow = {
  writeJson: printJson,
  onceDrain: (listener: () => void) => process.stdout.once('drain', listener),
};

/**
 * Ends the process once what was printed has left: a finished command must not wait for stdin
 * (`sleep 60 | dhlab client ...` after a fatal error) or for a peer that never closes.
 */
export async function exitWhenFlushed(
  code: number,
  streams: NodeJS.WritableStream[] = [process.stdout, process.stderr],
  exit: (code: number) => never = (code) => process.exit(code),
): Promise<never> {
  await Promise.all(streams.map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  return exit(code);
}
