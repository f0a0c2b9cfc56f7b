import fs from 'node:fs';
import path from 'node:path';
import { DhlabError, fileError } from '../errors.ts';
import { writeRegularFile } from '../files.ts';
import { courseSecret, seedId, studentSeed } from '../exercises/student-seed.ts';
import { gradescopeResults, junitXml, seedLabel } from '../exercises/reports.ts';
import { exportSheets } from './sheet-export.ts';
import { EXERCISE_GROUPS, EXERCISES, exerciseNamed, sheet, type Exercise } from '../exercises/catalog.ts';
import { grade, LIMITS, type ExerciseResult } from '../exercises/grade.ts';
import { print, printJson, terminal } from '../terminal/output.ts';
import { clientCases, gradeClient } from '../exercises/client-exercise.ts';
import { gradeServer, watchedServerCases } from '../exercises/server-exercise.ts';
import { safeExcerpt } from '../terminal/safe-text.ts';
import { displayWidth } from '../terminal/width.ts';
import { numberOption, stringOption } from './args.ts';
import type { ParsedArgs, Verb } from './verb.ts';

type VerbSpec = Omit<Verb, 'name' | 'summary'>;

export const exerciseVerb: VerbSpec = {
  synopsis: ['dhlab exercise [--list | --groups | NAME | --export DIR]'],
  description: [
    'The exercises, in order. NAME prints its sheet: the goal, the spec sections, the I/O contract',
    'and hints. --groups prints p and g of every group the cases use (RFC 3526 and the toys).',
  ],
  flags: {
    list: { type: 'boolean', help: 'the exercises, one line each (also with no NAME)' },
    groups: { type: 'boolean', help: "the groups' numbers, so no network is needed" },
    export: {
      type: 'string',
      value: 'DIR',
      needs: 'a folder',
      help: 'every sheet as Markdown and printable HTML, and a packet with all of them',
    },
  },
  positionals: true,
  examples: ['dhlab exercise --list', 'dhlab exercise dh', 'dhlab exercise --export sheets'],
  run: ({ values, positionals }) => exerciseCommand(values, positionals),
};

export const checkVerb: VerbSpec = {
  synopsis: [
    'dhlab check NAME|--all [--seed S] [--json|--summary] [--time-limit SECONDS] [--watch] -- COMMAND [ARGS...]',
    'dhlab check NAME|--all --format gradescope|junit [--output FILE] -- COMMAND [ARGS...]',
  ],
  description: [
    'Grades a program, in any language, against the spec: one case per stdin line, one answer per',
    'stdout line; client runs it once per case against servers that cheat, server once per case',
    'with clients that cheat. With --all every exercise runs, its name as the first argument. The',
    'program runs in its own process group, killed whole at its time limit. Exit 0: all passed.',
  ],
  flags: {
    all: { type: 'boolean', help: 'every exercise, in order' },
    seed: {
      type: 'string',
      value: 'S',
      default: '1',
      needs: 'a seed (any word)',
      help: "the cases' seed: the same seed, the same cases",
    },
    json: { type: 'boolean', help: 'one JSON object per case, then one per exercise' },
    summary: { type: 'boolean', help: 'only the gradebook line of each exercise, as JSON' },
    'time-limit': {
      type: 'string',
      value: 'SECONDS',
      needs: 'a number of seconds from 0.1 to 600',
      help: 'per run (default 20 s), per client case (10 s), per server case (30 s)',
    },
    watch: { type: 'boolean', help: "client and server: open the lab on the grader's side and the wire" },
    student: {
      type: 'string',
      value: 'ID',
      needs: "a student's id",
      help: 'cases of their own, from the course secret (DHLAB_COURSE_SECRET or --course-secret)',
    },
    'course-secret': {
      type: 'string',
      value: 'FILE',
      needs: 'a file holding the course secret',
      help: "with --student: the secret's file (else DHLAB_COURSE_SECRET)",
    },
    format: {
      type: 'string',
      value: 'gradescope|junit',
      needs: 'gradescope or junit',
      help: "Gradescope's results.json, or a JUnit XML report (GitHub Classroom, CI)",
    },
    output: {
      type: 'string',
      value: 'FILE',
      needs: 'a file name',
      help: 'with --format: write the report there (replacing it) and print the usual report',
    },
  },
  positionals: true,
  command: true,
  examples: [
    'dhlab check dh -- python3 dh.py',
    'dhlab check client --watch -- node client.js',
    'dhlab check server -- python3 server.py',
    'dhlab check --all --format gradescope --output /autograder/results/results.json -- ./run.sh',
  ],
  run: checkCommand,
};

/** `dhlab exercise`: the ladder, or one sheet. */
function exerciseCommand(values: ParsedArgs['values'], positionals: string[]): number {
  const name = positionals[0];
  if (positionals.length > 1) throw new DhlabError('ERR_USAGE', `exercise takes one NAME, got ${positionals.length}`);
  if (values.groups) {
    for (const line of groupLines()) print(line);
    return 0;
  }
  if (typeof values.export === 'string') {
    const files = exportSheets(values.export, groupLines());
    print(`${files.length} files written to ${path.resolve(values.export)} (packet.html prints every sheet)`);
    return 0;
  }
  if (values.list || name === undefined) {
    print('dhlab exercises (grade one with: npx dhlab check NAME -- YOUR COMMAND):');
    EXERCISES.forEach((e, i) =>
      print(
        `  ${String(i + 1).padStart(2)}. ${e.name.padEnd(Math.max(...EXERCISES.map((x) => x.name.length)))} ${e.title} (PROTOCOL ${e.spec.split(' ')[0]})`,
      ),
    );
    return 0;
  }
  print(sheet(exerciseOrFail(name)));
  return 0;
}

/** The groups' numbers, so a student needs no network: hex in lines of 64 digits, toys in decimal too. */
function groupLines(): string[] {
  const out: string[] = [];
  for (const group of EXERCISE_GROUPS) {
    const hexP = group.p.toString(16);
    const origin = group.insecure ? 'toy group, INSECURE' : `RFC 3526 s.${group.rfcSection.split(' ')[0]}`;
    out.push(`${group.name} (${group.p.toString(2).length} bits, ${origin}): g = ${group.g}`);
    if (group.p < 1n << 64n) out.push(`  p = ${group.p} (hex ${hexP})`);
    else
      for (let at = 0; at < hexP.length; at += 64)
        out.push(`  ${at === 0 ? 'p = ' : '    '}${hexP.slice(at, at + 64)}`);
  }
  return out;
}

function exerciseOrFail(name: string): Exercise {
  const exercise = exerciseNamed(name);
  if (!exercise) throw new DhlabError('ERR_USAGE', `no exercise "${name}" (dhlab exercise --list)`);
  return exercise;
}

/** Student output is peer text: shown through the sanitizer, and cut. */
const shown = (text: string) => safeExcerpt(text, 300);

/**
 * A caret under the first character where `got` differs from `expected`, as both are shown (a
 * student finds a wrong digit in a 600-digit number at once); nothing when one is the other's end.
 */
export function caretUnder(expected: string, got: string, indent: string): string {
  const a = [...expected];
  const b = [...got];
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return `${indent}${' '.repeat(displayWidth(b.slice(0, at).join('')))}^ first difference (character ${at + 1})`;
}

function report(result: ExerciseResult): void {
  const total = result.cases.length;
  print(`dhlab check ${result.exercise} (${seedLabel(result)}): ${total} cases`);
  const firstFailure = result.cases.find((c) => !c.ok);
  const onTheWire = exerciseNamed(result.exercise)?.run !== undefined;
  for (const c of result.cases) {
    print(`  ${c.ok ? '✓' : '✗'} ${c.index + 1}. ${c.what}`);
    if (c !== firstFailure) continue;
    print(`      sent:     ${shown(c.sent)}`);
    print(`      expected: ${shown(c.expected)}`);
    print(`      got:      ${c.got === null ? '(no line)' : shown(c.got)}`);
    // A caret points into an answer line; client and server report what happened, in words.
    if (c.got !== null && !onTheWire) print(caretUnder(shown(c.expected), shown(c.got), '                '));
    if (c.frame !== undefined) print(`      frame:    ${shown(c.frame)}`);
    print(`      hint:     ${c.hint}`);
  }
  if (result.problem) print(`  the program: ${shown(result.problem)}`);
  if (result.problem && result.stderrTail.trim() !== '') {
    print('  its last stderr lines:');
    for (const line of result.stderrTail.trimEnd().split('\n').slice(-8)) print(`    ${shown(line)}`);
  }
  const verdict = result.ok ? ': done' : result.passed === total ? ', but the program did not end cleanly' : '';
  print(`${result.passed} of ${total} passed${verdict}`);
}

/** `summaryOnly` (--summary): the gradebook line alone, one per exercise. */
function reportJson(result: ExerciseResult, summaryOnly = false): void {
  if (!summaryOnly)
    for (const c of result.cases)
      printJson({
        exercise: result.exercise,
        case: c.index + 1,
        what: c.what,
        ok: c.ok,
        ...(c.ok
          ? {}
          : { sent: c.sent, expected: c.expected, got: c.got, hint: c.hint, ...(c.frame ? { frame: c.frame } : {}) }),
      });
  printJson({
    exercise: result.exercise,
    ...(result.student === undefined ? { seed: result.seed } : { student: result.student, seed: seedId(result.seed) }),
    ok: result.ok,
    passed: result.passed,
    total: result.cases.length,
    problem: result.problem,
  });
}

/**
 * A program that cannot start would fail every case with a hint about the first: say the cause
 * once instead (ERR_USAGE, exit 2), as a shell does.
 */
function refuseUnrunnable(file: string): void {
  const candidates = file.includes('/')
    ? [file]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, file));
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return;
    } catch {
      // Not here, or not executable: look further.
    }
  }
  const why = file.includes('/')
    ? fs.existsSync(file)
      ? 'not an executable file'
      : 'no such file'
    : 'not found on PATH';
  throw new DhlabError('ERR_USAGE', `cannot run ${safeExcerpt(file, 200)}: ${why}`);
}

/**
 * The seed of each exercise: `--seed` for all, or with `--student` one per student and exercise
 * from the course secret. @throws DhlabError ERR_USAGE without a secret, or with both
 */
function seedsFor(values: ParsedArgs['values']): (exercise: string) => string {
  const student = values.student;
  if (student === undefined) {
    if (values['course-secret'] !== undefined) throw new DhlabError('ERR_USAGE', '--course-secret is for --student');
    const seed = stringOption(values, 'seed');
    return () => seed;
  }
  if (typeof student !== 'string') throw new DhlabError('ERR_USAGE', '--student needs an id');
  if (values.seed !== '1' && values.seed !== undefined)
    throw new DhlabError('ERR_USAGE', '--student and --seed: a student gets the seed the course secret gives');
  const known = courseSecret(values['course-secret'], '--student needs');
  return (exercise) => studentSeed(known, student, exercise);
}

interface ReportFormat {
  kind: 'gradescope' | 'junit';
  /** Where it goes; stdout (in place of the usual report) without --output. */
  file?: string;
}

/** `--format` and `--output`, checked. @throws DhlabError ERR_USAGE */
function reportFormat(values: ParsedArgs['values']): ReportFormat | null {
  const { format, output } = values;
  if (format === undefined) {
    if (output !== undefined) throw new DhlabError('ERR_USAGE', '--output is for --format gradescope or junit');
    return null;
  }
  if (format !== 'gradescope' && format !== 'junit')
    throw new DhlabError('ERR_USAGE', `--format must be gradescope or junit, got "${safeExcerpt(String(format), 40)}"`);
  if (values.json || values.summary) throw new DhlabError('ERR_USAGE', '--format replaces --json and --summary');
  return { kind: format, ...(typeof output === 'string' ? { file: output } : {}) };
}

function writeReport(format: ReportFormat, results: ExerciseResult[]): void {
  const text = format.kind === 'junit' ? junitXml(results) : `${JSON.stringify(gradescopeResults(results), null, 2)}\n`;
  if (format.file === undefined) return print(text.trimEnd());
  try {
    writeRegularFile(format.file, text, 0o644, true);
  } catch (error) {
    throw fileError(error, `cannot write ${format.file}`);
  }
  print(`${format.kind === 'junit' ? 'JUnit report' : 'Gradescope results'} written to ${path.resolve(format.file)}`);
}

/** `dhlab check client|server --watch`: the grading in the lab, case by case. */
async function watchGrader(
  exercise: 'client' | 'server',
  command: string[],
  seed: string,
  timeMs: number | undefined,
  values: ParsedArgs['values'],
): Promise<number> {
  if (!terminal.stdoutIsTTY) throw new DhlabError('ERR_USAGE', '--watch opens the lab: it needs a terminal');
  const { watchGrading } = await import('../../lab/cli.ts');
  const subtitle = `seed ${seedId(seed)} · ${command.join(' ')}`;
  // Watched, the cases run in their numbered order: the lab tells their story to a class.
  const result =
    exercise === 'client'
      ? await watchGrading({ title: 'dhlab check client', subtitle, cases: clientCases(seed) }, (observer) =>
          gradeClient(command, seed, timeMs, observer, [...clientCases(seed).keys()]),
        )
      : await watchGrading(
          { title: 'dhlab check server', subtitle, cases: watchedServerCases(seed), side: 'clients' },
          (observer) => gradeServer(command, seed, timeMs, [...watchedServerCases(seed).keys()], observer),
        );
  if (typeof values.student === 'string') result.student = values.student;
  if (values.json || values.summary) reportJson(result, values.summary === true);
  else report(result);
  return result.ok ? 0 : 1;
}

/** `dhlab check NAME|--all [--seed S] [--json] -- COMMAND...`: exit 0 when every case passed. */
async function checkCommand({ values: flags, positionals, command }: ParsedArgs): Promise<number> {
  const values = { values: flags, positionals };
  if (command.length === 0)
    throw new DhlabError('ERR_USAGE', 'give the program after --, for example: dhlab check dh -- python3 dh.py');
  const name = values.positionals[0];
  if (values.positionals.length > 1)
    throw new DhlabError(
      'ERR_USAGE',
      `check takes one NAME, got ${values.positionals.join(' ')}; the program goes after --`,
    );
  if (values.values.all === (name !== undefined)) throw new DhlabError('ERR_USAGE', 'name one exercise, or --all');
  const exercises = values.values.all ? [...EXERCISES] : [exerciseOrFail(name as string)];
  refuseUnrunnable(command[0] as string);
  const seedOf = seedsFor(values.values);
  const seed = seedOf(name ?? 'all');
  // Without --time-limit each exercise keeps its own: 20 s for a whole run, 10 s for each client case.
  const limits =
    values.values['time-limit'] === undefined
      ? undefined
      : { ...LIMITS, timeMs: numberOption(values.values, 'time-limit', 0.1, 600) * 1000 };
  if (values.values.watch) {
    if (name !== 'client' && name !== 'server')
      throw new DhlabError(
        'ERR_USAGE',
        '--watch is for the client and server exercises: dhlab check client --watch -- COMMAND',
      );
    return watchGrader(name, command, seed, limits?.timeMs, values.values);
  }
  const format = reportFormat(values.values);
  const results: ExerciseResult[] = [];
  for (const exercise of exercises) {
    const exerciseSeed = seedOf(exercise.name);
    const result = await grade(
      exercise,
      values.values.all ? [...command, exercise.name] : command,
      exerciseSeed,
      limits,
    );
    if (typeof values.values.student === 'string') result.student = values.values.student;
    results.push(result);
    if (values.values.json || values.values.summary) reportJson(result, values.values.summary === true);
    else if (!format || format.file) report(result);
  }
  if (format) writeReport(format, results);
  return results.every((r) => r.ok) ? 0 : 1;
}
