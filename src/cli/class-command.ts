import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { DhlabError, fileError } from '../errors.ts';
import { writeRegularFile } from '../files.ts';
import { CLASS_FILE, gradeClass } from '../exercises/class-grading.ts';
import { classCsv, classHtml } from '../exercises/class-report.ts';
import { courseSecret } from '../exercises/student-seed.ts';
import { print, printError } from '../terminal/output.ts';
import { intOption, numberOption } from './args.ts';
import type { ParsedArgs, Verb } from './verb.ts';

export const classVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: ['dhlab class DIR [--exercises a,b,...] [--csv FILE] [--html FILE] [--jobs N]'],
  description: [
    `Grades a class: DIR holds a folder per student (its name is the student's id), each with`,
    `${CLASS_FILE}, a map from exercise to the command that runs it there ({"dh": "python3 dh.py"}).`,
    "Each program gets the student's own cases (the course secret, as check --student) and check's",
    'limits, a few at a time. --csv writes a row per student and exercise, --html a printable report.',
  ],
  flags: {
    exercises: { type: 'string', value: 'a,b,...', needs: 'exercise names, comma-separated', help: 'only these' },
    csv: { type: 'string', value: 'FILE', needs: 'a file name', help: 'a row per student and exercise' },
    html: {
      type: 'string',
      value: 'FILE',
      needs: 'a file name',
      help: 'pass rates, misconceptions, a line per student',
    },
    jobs: {
      type: 'string',
      value: 'N',
      needs: 'a whole number from 1 to 64',
      help: 'programs at a time (default: the cores)',
    },
    'course-secret': {
      type: 'string',
      value: 'FILE',
      needs: 'a file holding the course secret',
      help: "the secret's file (else DHLAB_COURSE_SECRET)",
    },
    'time-limit': {
      type: 'string',
      value: 'SECONDS',
      needs: 'a number of seconds from 0.1 to 600',
      help: "per program run (default: check's)",
    },
  },
  positionals: true,
  examples: [
    'dhlab class submissions --csv grades.csv --html report.html',
    'dhlab class subs --exercises dh,keys --course-secret secret.txt --jobs 4',
  ],
  run: classCommand,
};

function write(file: unknown, text: string, what: string): void {
  if (typeof file !== 'string') return;
  try {
    writeRegularFile(file, text, 0o644, true);
  } catch (error) {
    throw fileError(error, `cannot write ${file}`);
  }
  print(`${what} written to ${path.resolve(file)}`);
}

async function classCommand({ values, positionals }: ParsedArgs): Promise<number> {
  if (positionals.length !== 1) throw new DhlabError('ERR_USAGE', 'class needs one DIR: a folder per student');
  const dir = positionals[0] as string;
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new DhlabError('ERR_USAGE', `${dir} is not a folder`);
  const secret = courseSecret(values['course-secret'], 'dhlab class needs');
  const exercises = typeof values.exercises === 'string' ? values.exercises.split(',').filter(Boolean) : undefined;
  const jobs = values.jobs === undefined ? os.availableParallelism() : intOption(values, 'jobs', 1, 64);
  const timeMs = values['time-limit'] === undefined ? undefined : numberOption(values, 'time-limit', 0.1, 600) * 1000;
  const rows = await gradeClass(
    dir,
    { secret, jobs, ...(exercises ? { exercises } : {}), ...(timeMs ? { timeMs } : {}) },
    (done, total, r) =>
      printError(
        `[${done}/${total}] ${r.student} ${r.exercise}: ${r.problem && r.total === 0 ? r.problem : `${r.passed}/${r.total}`} (${r.seconds} s)`,
      ),
  );
  for (const r of rows)
    print(
      `${r.student.padEnd(16)} ${r.exercise.padEnd(14)} ${r.total === 0 ? r.problem : `${r.passed} of ${r.total}${r.firstFailingCase ? `, first failing: ${r.firstFailingCase}` : ''}`}`,
    );
  write(values.csv, classCsv(rows), 'CSV');
  write(values.html, classHtml(rows, `dhlab class ${path.basename(path.resolve(dir))}`), 'HTML report');
  return 0;
}
