// `dhlab check NAME --student ID`: cases of one's own, from the course secret.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EXERCISES } from '../../src/exercises/catalog.ts';
import { studentSeed } from '../../src/exercises/student-seed.ts';
import { run } from '../support/cli-run.ts';

const SOLUTION = path.resolve(import.meta.dirname, 'reference/solution.ts');
const solution = [process.execPath, '--import', 'tsx', SOLUTION];
const SECRET = 'correct horse battery staple, course 2026';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-student-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function check(args: string[], env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(env))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  try {
    const running = run(['check', ...args]);
    const code = await running.exit;
    return { code, out: running.stdout.join('\n'), err: running.stderr.join('\n'), json: () => running.json() };
  } finally {
    process.env = saved;
  }
}

/** What a failing program is sent: a program that answers nothing fails every case, so each shows. */
async function casesOf(
  exercise: string,
  student: string,
  extra: string[] = [],
  env: Record<string, string | undefined> = { DHLAB_COURSE_SECRET: SECRET },
) {
  const result = await check([exercise, '--student', student, '--json', ...extra, '--', 'true'], env);
  assert.equal(result.code, 1);
  return result.json();
}

describe('per-student seeds', () => {
  it('HMAC-SHA256 of length-prefixed fields: different students and exercises differ, one student never does', () => {
    const a = studentSeed(SECRET, 'ana', 'dh');
    assert.equal(a, studentSeed(SECRET, 'ana', 'dh'));
    assert.notEqual(a, studentSeed(SECRET, 'bo', 'dh'));
    assert.notEqual(a, studentSeed(SECRET, 'ana', 'keys'));
    assert.notEqual(studentSeed(SECRET, 'ab', 'c'), studentSeed(SECRET, 'a', 'bc'));
    assert.notEqual(a, studentSeed(`${SECRET}!`, 'ana', 'dh'));
    assert.match(a, /^[0-9a-f]{64}$/);
  });

  it('two students get different cases, the same student the same; the report names the student, never the secret', async () => {
    const ana = await casesOf('dh', 'ana');
    const again = await casesOf('dh', 'ana');
    const bo = await casesOf('dh', 'bo');
    const sent = (lines: Array<Record<string, unknown>>) => lines.filter((l) => 'case' in l).map((l) => l.sent);
    assert.deepEqual(sent(ana), sent(again));
    assert.notDeepEqual(sent(ana), sent(bo), 'a copied answer is an answer to other cases');
    // break-weak hides its cases from a failed run: its recording differs by student all the same.
    const breakWeak = EXERCISES.find((e) => e.name === 'break-weak');
    const recording = (student: string) => breakWeak?.stdin?.(studentSeed(SECRET, student, 'break-weak'));
    assert.ok(recording('ana'));
    assert.notEqual(recording('ana'), recording('bo'));
    const summary = ana.at(-1) as Record<string, unknown>;
    assert.equal(summary.student, 'ana');
    assert.match(String(summary.seed), /^[0-9a-f]{12}$/);
    assert.ok(!JSON.stringify(ana).includes(SECRET));
  });

  it('the reference solution passes its own cases; --course-secret FILE is the same secret', async () => {
    const file = path.join(dir, 'secret');
    fs.writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const fromFile = await casesOf('dh', 'ana', ['--course-secret', file], { DHLAB_COURSE_SECRET: undefined });
    const fromEnv = await casesOf('dh', 'ana');
    assert.deepEqual(fromFile.at(-1), fromEnv.at(-1));
    const passed = await check(['dh', '--student', 'ana', '--', ...solution, 'dh'], { DHLAB_COURSE_SECRET: SECRET });
    assert.equal(passed.code, 0, passed.out);
    assert.match(passed.out, /^dhlab check dh \(student ana, seed [0-9a-f]{12}\): \d+ cases/m);
  });

  it('without a secret, --student says how to set one; --student with --seed is refused', async () => {
    const none = await check(['dh', '--student', 'ana', '--', 'true'], { DHLAB_COURSE_SECRET: undefined });
    assert.equal(none.code, 2);
    assert.match(
      none.err,
      /ERR_USAGE: --student needs the course secret: set DHLAB_COURSE_SECRET, or give --course-secret FILE/,
    );
    const both = await check(['dh', '--student', 'ana', '--seed', '9', '--', 'true'], { DHLAB_COURSE_SECRET: SECRET });
    assert.equal(both.code, 2);
  });
});
