import { safeExcerpt } from '../terminal/safe-text.ts';
import type { CaseResult, ExerciseResult } from './types.ts';

/**
 * `dhlab check --format gradescope|junit`: the grader's results in the files schools' tools
 * read. Everything a student's program printed is peer text: cut and made visible by the one
 * sanitizer before it reaches a report, as before it reaches a terminal.
 */

const shown = (text: string) => safeExcerpt(text, 300);

/** What a failed case says: the hint first (the mistake it names), then the exchange. */
function failureText(c: CaseResult): string {
  return [
    `hint: ${c.hint}`,
    `sent: ${shown(c.sent)}`,
    `expected: ${shown(c.expected)}`,
    `got: ${c.got === null ? '(no line)' : shown(c.got)}`,
    ...(c.frame === undefined ? [] : [`frame: ${shown(c.frame)}`]),
  ].join('\n');
}

/** What went wrong with the program itself (a crash, a time limit), if anything. */
function programText(result: ExerciseResult): string {
  if (!result.problem) return '';
  const tail = result.stderrTail.trimEnd().split('\n').slice(-8).filter(Boolean).map(shown);
  return [`the program: ${shown(result.problem)}`, ...(tail.length ? ['its last stderr lines:', ...tail] : [])].join(
    '\n',
  );
}

/**
 * How a report names a run's seed: whole for `--seed`, and for `--student` the student and the
 * seed's first 12 hex digits (enough to tell two runs apart; nothing of the secret).
 */
export function seedLabel(result: ExerciseResult): string {
  return result.student === undefined
    ? `seed ${result.seed}`
    : `student ${shown(result.student)}, seed ${result.seed.slice(0, 12)}`;
}

const caseName = (result: ExerciseResult, c: CaseResult) => `${result.exercise} ${c.index + 1}. ${c.what}`;

/**
 * Gradescope's autograder results.json (its "Autograder Specifications"): a test per case, one
 * point each, the hint in the failed case's output; the top-level output says what the program
 * did wrong as a whole (a crash, a limit), which the case list alone cannot.
 */
export function gradescopeResults(results: readonly ExerciseResult[]): Record<string, unknown> {
  const tests = results.flatMap((result) =>
    result.cases.map((c) => ({
      name: caseName(result, c),
      number: `${results.indexOf(result) + 1}.${c.index + 1}`,
      score: c.ok ? 1 : 0,
      max_score: 1,
      status: c.ok ? 'passed' : 'failed',
      output: c.ok ? '' : failureText(c),
      visibility: 'visible',
    })),
  );
  const output = results
    .map(
      (r) =>
        `${r.exercise} (seed ${r.seed}): ${r.passed} of ${r.cases.length} passed${r.problem ? `\n${programText(r)}` : ''}`,
    )
    .join('\n');
  return {
    score: tests.reduce((sum, t) => sum + t.score, 0),
    output,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

/** Text as XML 1.0 character data or an attribute value: the five entities, and no character XML forbids. */
function xml(text: string): string {
  return (
    text
      // XML 1.0 s.2.2: tabs, newlines and U+0020 up, less the surrogates and U+FFFE/U+FFFF.
      .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * A JUnit XML report (the Ant/Surefire schema GitHub Classroom and CI systems read): a testsuite
 * per exercise, a testcase per case, the hint as the failure's message and the exchange as its
 * text; a program that crashed or hit a limit is the suite's <error>, with its stderr's tail.
 */
export function junitXml(results: readonly ExerciseResult[]): string {
  const cases = results.reduce((n, r) => n + r.cases.length, 0);
  const failures = results.reduce((n, r) => n + r.cases.filter((c) => !c.ok).length, 0);
  const suites = results.map((result) => {
    const failed = result.cases.filter((c) => !c.ok).length;
    const body = result.cases.map((c) => {
      const open = `    <testcase classname="dhlab.${xml(result.exercise)}" name="${xml(caseName(result, c))}"`;
      if (c.ok) return `${open}/>`;
      return `${open}>\n      <failure message="${xml(c.hint)}" type="${xml(result.exercise)}">${xml(failureText(c))}</failure>\n    </testcase>`;
    });
    const error = result.problem ? [`    <system-err>${xml(programText(result))}</system-err>`] : [];
    const head = `  <testsuite name="${xml(result.exercise)}" tests="${result.cases.length}" failures="${failed}" errors="0">`;
    const properties = `    <properties><property name="seed" value="${xml(seedLabel(result))}"/></properties>`;
    return [head, properties, ...body, ...error, '  </testsuite>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dhlab check" tests="${cases}" failures="${failures}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
