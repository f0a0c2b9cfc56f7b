/** One line sent to the student's program, and what must come back. */
export interface ExerciseCase {
  /** Short words for the report: "modp14, a Y whose first byte is 0". */
  what: string;
  input: string;
  expected: string;
  /** The usual mistake this case catches, with the spec section (shown for the first failure). */
  hint: string;
}

export interface Exercise {
  name: string;
  title: string;
  /** docs/PROTOCOL.md sections the exercise implements. */
  spec: string;
  /** The I/O contract: one input line and one answer line per case. */
  contract: string;
  goal: string;
  hints: string[];
  cases(seed: string): ExerciseCase[];
  /** The program's whole stdin, when it is not one line per case (break-weak reads a recording). */
  stdin?(seed: string): string;
  /** Compares one answer (already without its line ending): null when right, else a hint of its own or ''. */
  judge?: (answer: string, expected: string, input?: string) => string | null;
  /** The contract's words on the sheet, when it is not one answer line per case (the client). */
  contractIntro?: string[];
  /** The expected answers are the secret the exercise is about: reports never show them. */
  secretAnswers?: boolean;
  /** Grades by its own script instead of one line per case (the client exercise runs the program once per case). */
  run?(command: readonly string[], seed: string, limits?: Limits): Promise<ExerciseResult>;
}

/** What a student's program may do before the grader stops it. */
export interface Limits {
  timeMs: number;
  stdoutBytes: number;
}

export interface CaseResult {
  index: number;
  what: string;
  ok: boolean;
  sent: string;
  expected: string;
  /** null: no line came back for this case. */
  got: string | null;
  hint: string;
  /** client and server: the frame the case went wrong on, decoded (and opened, when it could be). */
  frame?: string;
}

export interface ExerciseResult {
  exercise: string;
  seed: string;
  /** `--student`: whose cases these were (the seed came from the course secret). */
  student?: string;
  cases: CaseResult[];
  passed: number;
  /** Every case right and the program ended normally (exit status 0, within the limits). */
  ok: boolean;
  problem: string | null;
  stderrTail: string;
}
