import fs from 'node:fs';
import path from 'node:path';
import { readRegularFile } from '../files.ts';
import { EXERCISES, exerciseNamed } from './catalog.ts';
import { grade } from './grade.ts';
import { studentSeed } from './student-seed.ts';
import type { ExerciseResult } from './types.ts';

/** The file in each student's folder: exercise name -> the command that runs it there. */
export const CLASS_FILE = 'dhlab-exercises.json';
const MAX_CLASS_FILE_BYTES = 64 * 1024;

/** One row of the gradebook: a student and an exercise. */
export interface ClassRow {
  student: string;
  exercise: string;
  passed: number;
  total: number;
  /** "3. a Z whose first byte is 0", or '' when every case passed. */
  firstFailingCase: string;
  hint: string;
  seconds: number;
  /** Why the row has no cases (no dhlab-exercises.json, a bad entry), or the program's problem. */
  problem: string;
}

export interface ClassOptions {
  secret: string;
  /** Only these exercises (all the student's file names when absent). */
  exercises?: readonly string[];
  jobs: number;
  /** One exercise's limits (check's defaults when absent). */
  timeMs?: number;
}

interface Job {
  student: string;
  exercise: string;
  command: string[] | null;
  problem: string;
  folder: string;
}

/** The student's map, checked: a row's problem for anything else. */
function readClassFile(folder: string): Record<string, string> | string {
  let text: string;
  try {
    text = readRegularFile(path.join(folder, CLASS_FILE), MAX_CLASS_FILE_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no ${CLASS_FILE}` : `${CLASS_FILE} cannot be read (${code ?? 'error'})`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${CLASS_FILE} is not JSON`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return `${CLASS_FILE} must be an object: {"dh": "python3 dh.py", ...}`;
  const map: Record<string, string> = {};
  for (const [name, command] of Object.entries(parsed)) {
    if (typeof command !== 'string' || command.trim() === '') return `${CLASS_FILE}: "${name}" must name a command`;
    map[name] = command;
  }
  return map;
}

/** The jobs of one student folder: one per exercise to grade, or one row that says what is wrong. */
function jobsOf(folder: string, student: string, options: ClassOptions): Job[] {
  const map = readClassFile(folder);
  const wanted = options.exercises ?? (typeof map === 'string' ? ['(all)'] : Object.keys(map));
  if (typeof map === 'string')
    return wanted.map((exercise) => ({ student, exercise, command: null, problem: map, folder }));
  return wanted.map((exercise) => {
    const command = map[exercise];
    if (!exerciseNamed(exercise))
      return { student, exercise, command: null, problem: `no exercise "${exercise}" (dhlab exercise --list)`, folder };
    if (command === undefined)
      return { student, exercise, command: null, problem: `${CLASS_FILE} has no "${exercise}"`, folder };
    // No shell: the command is words separated by spaces, run in the student's folder.
    return { student, exercise, command: command.trim().split(/\s+/), problem: '', folder };
  });
}

function rowOf(job: Job, result: ExerciseResult | null, seconds: number): ClassRow {
  const failing = result?.cases.find((c) => !c.ok);
  return {
    student: job.student,
    exercise: job.exercise,
    passed: result?.passed ?? 0,
    total: result?.cases.length ?? 0,
    firstFailingCase: failing ? `${failing.index + 1}. ${failing.what}` : '',
    hint: failing?.hint ?? '',
    seconds: Math.round(seconds * 10) / 10,
    problem: job.problem || (result?.problem ?? ''),
  };
}

/**
 * `dhlab class DIR`: every student folder's programs, each with the student's own cases, a few at
 * a time. One folder's problem is its own rows' problem; nobody else's rows are affected.
 */
export async function gradeClass(
  dir: string,
  options: ClassOptions,
  progress: (done: number, total: number, row: ClassRow) => void = () => {},
): Promise<ClassRow[]> {
  const students = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const jobs = students.flatMap((student) => jobsOf(path.join(dir, student), student, options));
  const rows: ClassRow[] = new Array<ClassRow>(jobs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index] as Job;
      const started = performance.now();
      const exercise = exerciseNamed(job.exercise);
      const result =
        job.command && exercise
          ? await grade(
              exercise,
              // `env -C` runs the program in its own folder (coreutils), inside the supervisor's process group.
              ['env', '-C', path.resolve(job.folder), ...job.command],
              studentSeed(options.secret, job.student, job.exercise),
              options.timeMs === undefined ? undefined : { timeMs: options.timeMs, stdoutBytes: 1024 * 1024 },
            )
          : null;
      rows[index] = rowOf(job, result, (performance.now() - started) / 1000);
      progress(++done, jobs.length, rows[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, jobs.length)) }, worker));
  return rows;
}

export const EXERCISE_ORDER = EXERCISES.map((e) => e.name);
