import { SupervisedProgram } from './supervisor.ts';
import type { CaseResult, Exercise, ExerciseCase, ExerciseResult, Limits } from './types.ts';

export type { CaseResult, ExerciseResult, Limits } from './types.ts';

export const LIMITS = {
  /** For the whole run of one exercise (a 4096-bit modpow in plain Python takes well under 1 s). */
  timeMs: 20_000,
  stdoutBytes: 1024 * 1024,
  /** The end of stderr is kept to show why a program failed. */
  stderrTailBytes: 2048,
} as const;

export interface ProgramRun {
  lines: string[];
  /** Why the program did not end normally: it could not start, hit a limit, exited non-zero or left processes running (a failure even when every answer was right). */
  problem: string | null;
  stderrTail: string;
}

/** Runs `command` once with `input` on stdin; never hangs or floods the grader (LIMITS, children included). */
export async function runProgram(command: string[], input: string, limits: Limits = LIMITS): Promise<ProgramRun> {
  const out: Buffer[] = [];
  const program = new SupervisedProgram(command, { ...limits, stderrTailBytes: LIMITS.stderrTailBytes }, (chunk) =>
    out.push(chunk),
  );
  program.writeStdin(input);
  program.endStdin();
  const { problem } = await program.done;
  // Lines end in \n (or \r\n); the text after the last \n, if any, is a last line without one.
  const lines = Buffer.concat(out).toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { lines: lines.map((line) => line.replace(/\r$/, '')), problem, stderrTail: program.stderrTail };
}

/** Runs the program over every case of the exercise and judges each answer line. */
export async function grade(
  exercise: Exercise,
  command: string[],
  seed: string,
  given?: Limits,
): Promise<ExerciseResult> {
  if (exercise.run) return exercise.run(command, seed, given);
  const limits = given ?? LIMITS;
  const cases: ExerciseCase[] = exercise.cases(seed);
  const run = await runProgram(
    command,
    exercise.stdin ? exercise.stdin(seed) : cases.map((c) => `${c.input}\n`).join(''),
    limits,
  );
  const judge = exercise.judge ?? exactOnly;
  const shift = shiftedBy(run.lines, cases, judge);
  const results = cases.map((c, index): CaseResult => {
    const got = run.lines[index] ?? null;
    const verdict = got === null ? '' : judge(got, c.expected, c.input);
    const ok = verdict === null;
    // An answer that is the exercise's secret (break-weak's chat) is never handed to a failed run.
    const expected = exercise.secretAnswers && !ok ? '(not shown: finding it is the exercise)' : c.expected;
    const shifted = `your answers are shifted by ${shift} line${shift > 1 ? 's' : ''}: the first ${shift > 1 ? `${shift} lines were` : 'line was'} not an answer (a debug print? print those to stderr)`;
    const hint = !ok && shift > 0 ? shifted : verdict ? `${verdict}; ${c.hint}` : c.hint;
    return { index, what: c.what, ok, sent: c.input, expected, got, hint };
  });
  const passed = results.filter((r) => r.ok).length;
  return {
    exercise: exercise.name,
    seed,
    cases: results,
    passed,
    ok: passed === results.length && run.problem === null,
    problem: run.problem,
    stderrTail: run.stderrTail,
  };
}

/**
 * How many extra lines came before the answers: the smallest k (1 to 3) for which every case's
 * answer is right when read k lines later; 0 when none (or when the answers are right as they are).
 */
function shiftedBy(
  lines: readonly string[],
  cases: readonly ExerciseCase[],
  judge: (got: string, expected: string, input?: string) => string | null,
): number {
  if (cases.length < 2 || cases.every((c, i) => lines[i] !== undefined && judge(lines[i], c.expected) === null))
    return 0;
  for (let k = 1; k <= 3; k++) {
    if (cases.every((c, i) => lines[i + k] !== undefined && judge(lines[i + k] as string, c.expected) === null))
      return k;
  }
  return 0;
}

function exactOnly(answer: string, expected: string): string | null {
  return answer === expected ? null : '';
}
