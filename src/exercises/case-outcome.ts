import type { CaseResult, ExerciseResult } from './types.ts';

/** One case of an exercise that runs the program once per case: its result, and how the run ended. */
export type CaseOutcome = CaseResult & { problem: string | null; stderrTail: string };

/**
 * The exercise's result from its cases' outcomes, in whatever order they ran: listed by case
 * number, and the first failed case's problem and stderr speak for the program.
 */
export function resultOfCases(exercise: string, seed: string, outcomes: readonly CaseOutcome[]): ExerciseResult {
  const sorted = [...outcomes].sort((a, b) => a.index - b.index);
  const failed = sorted.find((r) => !r.ok);
  const passed = sorted.filter((r) => r.ok).length;
  return {
    exercise,
    seed,
    cases: sorted.map(({ problem: _problem, stderrTail: _tail, ...result }) => result),
    passed,
    ok: passed === sorted.length,
    problem: failed?.problem ? `case ${failed.index + 1}: ${failed.problem}` : null,
    stderrTail: failed?.stderrTail ?? '',
  };
}
