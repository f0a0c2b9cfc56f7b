// `dhlab check --format gradescope|junit`: the grader's results in the files schools' tools read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { junitXml } from '../../src/exercises/reports.ts';
import type { ExerciseResult } from '../../src/exercises/types.ts';
import { run } from '../support/cli-run.ts';

const SOLUTION = path.resolve(import.meta.dirname, 'reference/solution.ts');
const solution = [process.execPath, '--import', 'tsx', SOLUTION];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-reports-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function check(args: string[]) {
  const running = run(['check', ...args]);
  return { code: await running.exit, out: running.stdout.join('\n'), err: running.stderr.join('\n') };
}

/** Parses XML with Python's expat (a real parser): the counts a CI system would read. */
function parseJunit(file: string): { tests: number; failures: number; cases: number; failed: string[] } {
  const script = [
    'import sys, json, xml.etree.ElementTree as ET',
    'root = ET.parse(sys.argv[1]).getroot()',
    'cases = root.findall(".//testcase")',
    'print(json.dumps({"tests": int(root.get("tests")), "failures": int(root.get("failures")), "cases": len(cases),',
    '  "failed": [c.find("failure").get("message") for c in cases if c.find("failure") is not None]}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as ReturnType<
    typeof parseJunit
  >;
}

describe('dhlab check --format', () => {
  it("gradescope: a test per case, a point each, the reference solution's full score", async () => {
    const file = path.join(dir, 'results.json');
    const result = await check(['--all', '--format', 'gradescope', '--output', file, '--', ...solution]);
    assert.equal(result.code, 0, result.out + result.err);
    assert.match(result.out, /Gradescope results written to .*results\.json$/m);
    assert.match(result.out, /of \d+ passed: done/, 'the usual report is printed too');
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      score: number;
      tests: Array<Record<string, unknown>>;
    };
    assert.ok(report.tests.length > 20);
    assert.equal(report.score, report.tests.length);
    for (const t of report.tests) {
      assert.deepEqual(Object.keys(t).sort(), [
        'max_score',
        'name',
        'number',
        'output',
        'score',
        'status',
        'visibility',
      ]);
      assert.equal(t.status, 'passed');
    }
  });

  it('junit: one testsuite per exercise, the hint as the failure message, well-formed for a real parser', async () => {
    const file = path.join(dir, 'junit.xml');
    const saved = process.env.MISTAKE;
    process.env.MISTAKE = 'hostile';
    try {
      const result = await check(['modpow', '--format', 'junit', '--output', file, '--', ...solution, 'modpow']);
      assert.equal(result.code, 1);
    } finally {
      if (saved === undefined) delete process.env.MISTAKE;
      else process.env.MISTAKE = saved;
    }
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /\x1b/); // eslint-disable-line no-control-regex -- the point
    assert.match(text, /\\x1b\]0;pwned\\x07/, "the student's escape, made visible");
    const parsed = parseJunit(file);
    assert.equal(parsed.cases, parsed.tests);
    assert.ok(parsed.failures >= 1);
    assert.equal(parsed.failed.length, parsed.failures);
  });

  it('any text a case holds stays well-formed XML: markup, quotes, controls, lone surrogates', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        (got, what) => {
          const result: ExerciseResult = {
            exercise: 'dh',
            seed: '1',
            cases: [{ index: 0, what, ok: false, sent: '1', expected: '2', got, hint: `a "hint" <b>${what}</b>` }],
            passed: 0,
            ok: false,
            problem: got,
            stderrTail: got,
          };
          const file = path.join(dir, 'property.xml');
          fs.writeFileSync(file, junitXml([result]));
          assert.equal(parseJunit(file).failures, 1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('usage: --output without --format, an unknown format, --format with --json', async () => {
    for (const args of [
      ['--output', 'x.json'],
      ['--format', 'csv'],
      ['--format', 'junit', '--json'],
    ]) {
      const result = await check(['dh', ...args, '--', ...solution, 'dh']);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.err, /ERR_USAGE/);
    }
  });
});
