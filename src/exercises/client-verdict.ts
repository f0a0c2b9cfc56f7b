import { FrameDecoder, parseFramePayload, type WireFrame } from '../protocol/frame.ts';
import { safeExcerpt } from '../terminal/safe-text.ts';
import { frameShown, sealedShown } from './frame-shown.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { ClientCase, ClientScript, Forbidden } from './client-cases.ts';
import type { StudentProgram } from './student-program.ts';
import type { CaseResult } from './types.ts';

/*
 * The client exercise's judgement of one case: the evidence gathered on the student's wire and
 * from the grader's server, on one clock, and the verdict, problems and hint drawn from it.
 */

/** One line for the report: the lines in order, then how the program ended. */
function transcriptOf(lines: readonly string[], ending: string): string {
  return `${lines.length === 0 ? '(nothing)' : lines.join(' | ')} (${ending})`;
}

/** What crossed the student's wire and what the server opened, on one clock, around the cheat. */
export class CaseEvidence {
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
  /** What the grader's server sealed for the student, in order: the frames its lines come from. */
  private readonly sealedForStudent: { seq: number; plaintext: string }[] = [];
  /** The cheated frame as it reached the student. */
  cheatFrame: WireFrame | null = null;
  /** The last frame the server read from the student, and the one it refused (the last before its error). */
  serverGot: WireFrame | null = null;
  refusedFrame: WireFrame | null = null;
  private readonly up = new FrameDecoder();
  private readonly down = new FrameDecoder();
  private unreadable = false;

  constructor(private readonly mitm: boolean) {}

  /** The first request the server opened after the cheat had reached the student. */
  requestAfterCheat(): string | null {
    const after = this.cheatAt;
    if (after === null) return null;
    return this.requests.find((r) => r.at > after && !r.plaintext.startsWith('{"type":"error"'))?.plaintext ?? null;
  }

  /** The relay's rewrite changed the frame it is about to write. */
  cheated(): void {
    this.cheatPending = true;
  }

  /** The server refused the student with `code`, on the frame it read last. */
  refused(code: string): void {
    if (this.serverRefused !== null) return;
    this.serverRefused = code;
    this.refusedFrame = this.serverGot;
  }

  request(plaintext: string): void {
    this.requests.push({ at: this.clock++, plaintext });
  }

  sealed(seq: number, plaintext: string): void {
    if (this.sealedForStudent.length < 64) this.sealedForStudent.push({ seq, plaintext });
  }

  /**
   * The sealed frame that carried the event printed as line `line` (joins, leaves and messages
   * print; welcome and bye do not), decoded; null behind Mallory's own handshake, or past the end.
   */
  frameOfLine(line: number): string | null {
    if (this.mitm) return null;
    let printed = 0;
    for (const { seq, plaintext } of this.sealedForStudent) {
      let inner: { type?: unknown; events?: { type?: unknown }[] };
      try {
        inner = JSON.parse(plaintext) as typeof inner;
      } catch {
        continue;
      }
      const events = inner.type === 'batch' && Array.isArray(inner.events) ? inner.events : [inner];
      for (const event of events)
        if (['join', 'leave', 'message'].includes(String(event.type)) && printed++ === line)
          return sealedShown(seq, plaintext);
    }
    return null;
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
        } else if (this.cheatAt === null && (this.cheatPending || (this.mitm && frame.type === 'server_key'))) {
          this.cheatAt = at;
          this.cheatFrame = frame;
        }
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
      return this.fromStudent.some((f) => f.type === 'client_key')
        ? ['you sent client_key after a server_key you had to refuse']
        : [];
    if (forbidden === 'sealed')
      return sent.includes('data') ? ['you sent a sealed frame after a server_auth that did not verify'] : [];
    const opened = this.requests.filter((r) => r.at > after && !r.plaintext.startsWith('{"type":"error"'));
    return opened.length > 0
      ? [`after the frame you had to refuse you still sent ${opened.map((r) => requestType(r.plaintext)).join(', ')}`]
      : [];
  }
}

function requestType(plaintext: string): string {
  return /^\{"type":"([a-z_]{1,20})"/.exec(plaintext)?.[1] ?? 'a request';
}

const sameLines = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((line, i) => line === b[i]);

/** What the case concludes from what the program printed, sent and did after the cheat. */
export function verdict(
  index: number,
  c: ClientCase,
  script: ClientScript,
  student: StudentProgram,
  evidence: CaseEvidence,
  bobHeard: readonly ServerEvent[],
): CaseResult & { problem: string | null; stderrTail: string } {
  const ending = student.problem ?? `exit ${student.exitCode}`;
  const violations = evidence.violations(c.forbidden);
  const problems = [
    ...reachProblems(c, evidence),
    ...violations,
    ...(c.exitCode === 0 ? honestProblems(script, evidence, bobHeard) : []),
  ];
  const printedRight =
    sameLines(student.lines, c.expected) && student.problem === null && student.exitCode === c.exitCode;
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
    ...frameFor(c, student, evidence, violations),
    // A crash is worth its stderr: any exit status the case did not expect (1 is a reported error).
    problem:
      student.problem ??
      (student.exitCode !== null && student.exitCode !== c.exitCode && student.exitCode > 1
        ? `exited with status ${student.exitCode}`
        : null),
    stderrTail: student.stderrTail,
  };
}

/**
 * The frame the case went wrong on, decoded: the cheat, where an ERROR line was due; the request
 * sent after a frame that had to be refused; the student's frame the server refused; else the
 * sealed frame behind the first line printed wrong.
 */
function frameFor(
  c: ClientCase,
  student: StudentProgram,
  evidence: CaseEvidence,
  violations: readonly string[],
): { frame?: string } {
  let line = 0;
  while (line < c.expected.length && student.lines[line] === c.expected[line]) line++;
  const linesRight = line === c.expected.length && student.lines.length <= line;
  if (!linesRight && c.expected[line]?.startsWith('ERROR') && evidence.cheatFrame)
    return { frame: `the cheat, as it reached you: ${frameShown(evidence.cheatFrame)}` };
  const after = violations.length > 0 ? evidence.requestAfterCheat() : null;
  if (after !== null) return { frame: `you sent, sealed: ${safeExcerpt(after, 200)}` };
  if (evidence.serverRefused !== null && evidence.refusedFrame)
    return { frame: `yours, refused with ${evidence.serverRefused}: ${frameShown(evidence.refusedFrame)}` };
  if (linesRight) return {};
  const carried = evidence.frameOfLine(line);
  return carried === null ? {} : { frame: `line ${line + 1} came from: ${carried}` };
}

/** Whether the program got as far as the case needs: connected, and still there for the cheat. */
function reachProblems(c: ClientCase, evidence: CaseEvidence): string[] {
  if (!evidence.helloSeen) return ['you never connected (no hello reached the server)'];
  return c.forbidden !== 'nothing' && evidence.cheatAt === null
    ? ["you stopped before the case's cheat reached you"]
    : [];
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
