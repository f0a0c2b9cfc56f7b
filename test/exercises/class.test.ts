// `dhlab class DIR`: a folder of students graded at once, each with their own cases.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../support/cli-run.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOLUTION = path.join(ROOT, 'test/exercises/reference/solution.ts');
// Absolute paths: each program runs in its student's folder.
const node = `${process.execPath} --import ${path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')} ${SOLUTION}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-class-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function student(name: string, file: string | null): void {
  fs.mkdirSync(path.join(dir, 'class', name), { recursive: true });
  if (file !== null) fs.writeFileSync(path.join(dir, 'class', name, 'dhlab-exercises.json'), file);
}

/** Python's csv module reads the file (a real RFC 4180 parser). */
function readCsv(file: string): string[][] {
  const script = 'import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as string[][];
}

describe('dhlab class', () => {
  let rows: string[][];
  let htmlText: string;
  let out: string;
  before(async () => {
    student('ana', JSON.stringify({ dh: `${node} dh`, keys: `${node} keys` }));
    student('bo', JSON.stringify({ dh: `${node} dh`, keys: `env MISTAKE=no-lp ${node} keys` }));
    student('cy', null);
    student('=dee', '{"dh": ');
    const saved = process.env.DHLAB_COURSE_SECRET;
    process.env.DHLAB_COURSE_SECRET = 'a course secret';
    try {
      const csv = path.join(dir, 'grades.csv');
      const html = path.join(dir, 'report.html');
      const ran = run([
        'class',
        path.join(dir, 'class'),
        '--exercises',
        'dh,keys',
        '--csv',
        csv,
        '--html',
        html,
        '--jobs',
        '2',
      ]);
      assert.equal(await ran.exit, 0, ran.stderr.join('\n'));
      out = ran.stdout.join('\n');
      assert.match(ran.stderr.join('\n'), /^\[8\/8\] /m, 'a progress line per program');
      rows = readCsv(csv);
      htmlText = fs.readFileSync(html, 'utf8');
    } finally {
      if (saved === undefined) delete process.env.DHLAB_COURSE_SECRET;
      else process.env.DHLAB_COURSE_SECRET = saved;
    }
  });

  it('a CSV row per student and exercise: passes, the first failing case and its hint', () => {
    assert.deepEqual(rows[0], [
      'student',
      'exercise',
      'passed',
      'total',
      'first_failing_case',
      'hint',
      'seconds',
      'problem',
    ]);
    const row = (who: string, exercise: string) => rows.find((r) => r[0] === who && r[1] === exercise) as string[];
    assert.equal(rows.length, 1 + 4 * 2);
    for (const exercise of ['dh', 'keys']) {
      assert.equal(row('ana', exercise)[2], row('ana', exercise)[3], `ana passes ${exercise}`);
      assert.equal(row('ana', exercise)[4], '');
    }
    assert.equal(row('bo', 'dh')[2], row('bo', 'dh')[3]);
    assert.match(row('bo', 'keys')[4] as string, /^1\. /);
    assert.match(row('bo', 'keys')[5] as string, /K is right and H differs/);
  });

  it('a folder without a valid file gets rows that say why; a spreadsheet formula in a name is defused', () => {
    const cy = rows.filter((r) => r[0] === 'cy');
    assert.deepEqual(
      cy.map((r) => r[7]),
      ['no dhlab-exercises.json', 'no dhlab-exercises.json'],
    );
    const dee = rows.filter((r) => r[0] === "'=dee");
    assert.equal(dee.length, 2, 'the name starting with = is quoted as text');
    assert.match(dee[0]?.[7] ?? '', /is not JSON/);
    assert.match(out, /^cy +dh +no dhlab-exercises\.json$/m);
  });

  it('the HTML report: pass rates per exercise, the misconception histogram, a line per student', () => {
    assert.match(htmlText, /<td>dh<\/td><td>2 of 4<\/td>/);
    assert.match(htmlText, /<td>keys<\/td><td>1 of 4<\/td>/);
    assert.match(
      htmlText,
      /<td class="n">1<\/td><td><span class="bar"[^>]*><\/span><\/td><td>keys: K is right and H differs/,
    );
    for (const who of ['ana', 'bo', 'cy', '=dee']) assert.ok(htmlText.includes(`<tr><td>${who}</td>`), who);
    assert.ok(!htmlText.includes('<script'));
  });
});
