// Exercises graded by `dhlab check` (issue: exercises), the function exercises 1-7 (the client: client.test.ts): a reference
// solution written from the spec with node:crypto alone passes every case; each usual mistake is
// caught at the case made for it, with the hint that names it; a program that hangs, floods,
// crashes or prints escape sequences is reported and never takes the grader down.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EXERCISES } from '../../src/exercises/catalog.ts';
import { run } from '../support/cli-run.ts';

const SOLUTION = path.resolve(import.meta.dirname, 'reference/solution.ts');
const solution = [process.execPath, '--import', 'tsx', SOLUTION];

async function check(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const running = run(['check', ...args]);
    const code = await running.exit;
    return { code, out: running.stdout.join('\n'), stderr: running.stderr.join('\n') };
  } finally {
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

describe('dhlab check: the function exercises', () => {
  it('--all: the reference solution passes every case of every exercise (exit 0)', async () => {
    const result = await check(['--all', '--', ...solution]);
    assert.equal(result.code, 0, result.out);
    for (const exercise of EXERCISES)
      assert.match(
        result.out,
        new RegExp(`dhlab check ${exercise.name} \\(seed 1\\): (\\d+) cases[^]*?\\n\\1 of \\1 passed: done`),
        exercise.name,
      );
    assert.doesNotMatch(result.out, /✗/);
  });

  const MISTAKES: Array<[exercise: string, mistake: string, caughtAt: RegExp, hint: RegExp]> = [
    [
      'dh',
      'unpadded',
      /✗ \d+\. modp1[456]/,
      /leading zeros are part of the value on the wire: pad to the byte length of p/,
    ],
    ['keys', 'unpadded', /✗ 3\. modp14, a Z whose first byte is 0/, /hash Z with its leading zero byte/],
    ['validate', 'no-subgroup-check', /✗ 2\. toy23, y = 5/, /outside the order-q subgroup \(s\.4\.2, check 3\)/],
    [
      'validate',
      'no-length-check',
      /✗ (9\. modp14, one byte short|10\. modp14, a zero byte too many)/,
      /exactly (the byte length of p, )?256 bytes/,
    ],
    ['seal', 'padded-seq', /✗ 1\. the first message/, /aad "dhlab\/1 data 0"/],
    ['seal', 'hex-box', /✗ 1\. the first message/, /box is base64, not hex/],
    ['open', 'frame-seq', /✗ 5\. a replay/, /from your own counter \(4\), not from the frame's seq/],
    [
      'seal',
      'seq-first-nonce',
      /✗ 2\. message 12/,
      /the nonce is laid out with SEQ first: it is 4 zero bytes, then SEQ as a 64-bit big-endian number/,
    ],
    ['keys', 'no-lp', /✗ 1\. /, /K is right and H differs: the transcript hash is SHA-256 of lp\(\) of each field/],
    ['dh', 'debug-line', /✗ 1\. /, /your answers are shifted by 1 line: the first line was not an answer/],
    ['break-weak', 'wrong-direction', /✗ 1\. chat line 1/, /the client-to-server key/],
  ];
  for (const [exercise, mistake, caughtAt, hint] of MISTAKES) {
    it(`${exercise} with the mistake "${mistake}": caught, with the hint that names it (exit 1)`, async () => {
      const result = await check([exercise, '--', ...solution, exercise], { MISTAKE: mistake });
      assert.equal(result.code, 1, result.out);
      const firstFailure = result.out.split('\n').find((line) => line.includes('✗')) ?? '';
      assert.match(firstFailure, caughtAt, result.out);
      assert.match(result.out.split('hint:')[1] ?? '', hint, result.out);
    });
  }

  it('break-weak cannot be passed without the discrete log: lines from a large space, one size, never shown to a failed run', async () => {
    const breakWeak = EXERCISES.find((e) => e.name === 'break-weak');
    const lines = ['1', '2', '3', '4', '5', '6', '7', '8'].flatMap(
      (seed) => breakWeak?.cases(seed).map((c) => c.expected) ?? [],
    );
    assert.equal(new Set(lines).size, lines.length, 'no line repeats across seeds');
    assert.equal(new Set(lines.map((line) => Buffer.byteLength(line))).size, 1, 'the sealed boxes all have one size');
    // The sheet names every field of the lines the program reads (from the recording itself).
    const fields = Object.keys(JSON.parse(breakWeak?.stdin?.('1').split('\n')[0] ?? '{}') as object);
    assert.deepEqual(fields, ['connection', 'dir', 'bytes', 'type', 'frame']);
    for (const field of fields)
      assert.ok(
        breakWeak?.hints.some((h) => h.includes(`"${field}":`)),
        field,
      );
    const result = await check(['break-weak', '--json', '--', 'true']);
    assert.equal(result.code, 1);
    for (const line of breakWeak?.cases('1').map((c) => c.expected) ?? [])
      assert.ok(!result.out.includes(line), `${line} was printed`);
    assert.match(result.out, /not shown: finding it is the exercise/);
  });

  it('a program that never exits is stopped at the time limit and fails, even with every answer right', async () => {
    const started = Date.now();
    const result = await check(['modpow', '--time-limit', '3', '--', ...solution, 'modpow'], { MISTAKE: 'hang' });
    assert.equal(result.code, 1, result.out);
    assert.match(
      result.out,
      /the program: still running at the time limit \(3 s\): killed, with everything it started/,
    );
    assert.match(result.out, /\d of 8 passed(, but the program did not end cleanly)?$/m);
    assert.doesNotMatch(result.out, /: done/);
    assert.ok(Date.now() - started < 30_000);
  });

  it('a program that floods stdout is stopped at 1 MiB', async () => {
    const result = await check(['modpow', '--', ...solution, 'modpow'], { MISTAKE: 'flood' });
    assert.equal(result.code, 1);
    assert.match(result.out, /printed more than 1048576 bytes: killed/);
  });

  it('a program that crashes: its status and the end of its stderr, through the sanitizer', async () => {
    const result = await check(['dh', '--', ...solution, 'dh'], { MISTAKE: 'crash' });
    assert.equal(result.code, 1);
    assert.match(result.out, /exited with status 3/);
    assert.match(result.out, /Traceback: something broke/);
    assert.match(result.out, /got: {6}\(no line\)/);
  });

  it('a program that prints escape sequences: shown escaped, never obeyed', async () => {
    const result = await check(['modpow', '--', ...solution, 'modpow'], { MISTAKE: 'hostile' });
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.out, /\x1b/); // eslint-disable-line no-control-regex -- the point
    assert.match(result.out, /\\x1b\]0;pwned\\x07/);
  });

  it('a command that cannot start: one line with the cause, exit 2, no cases', async () => {
    for (const [program, why] of [
      ['/nonexistent/program', 'no such file'],
      ['no-such-program-dhlab', 'not found on PATH'],
      [path.resolve(import.meta.dirname, 'check.test.ts'), 'not an executable file'],
    ]) {
      const result = await check(['modpow', '--', program as string]);
      assert.equal(result.code, 2);
      assert.equal(result.out, '');
      assert.match(result.stderr, new RegExp(`ERR_USAGE: cannot run ${program}: ${why}`));
    }
  });

  it('--json: one object per case, then a summary; --seed changes the cases reproducibly', async () => {
    const a = await check(['dh', '--json', '--seed', '7', '--', ...solution, 'dh']);
    const lines = a.out.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 8);
    assert.deepEqual(lines.at(-1), { exercise: 'dh', seed: '7', ok: true, passed: 7, total: 7, problem: null });
    const again = await check(['dh', '--json', '--seed', '7', '--', '/bin/cat']);
    const other = await check(['dh', '--json', '--seed', '8', '--', '/bin/cat']);
    const sent = (out: string) =>
      out
        .split('\n')
        .map((line) => (JSON.parse(line) as { sent?: string }).sent)
        .filter(Boolean);
    assert.deepEqual(
      sent(again.out),
      sent((await check(['dh', '--json', '--seed', '7', '--', '/bin/cat'])).out),
      'the same seed, the same cases',
    );
    assert.notDeepEqual(sent(again.out), sent(other.out));
  });

  it('--summary: only the gradebook lines, whatever a student printed (an answer ending in "total cannot add one)', async () => {
    const tricky = ['sh', '-c', "while read -r line; do echo '\"total'; done"];
    const result = await check(['--all', '--summary', '--time-limit', '1', '--', ...tricky]);
    const lines = result.out.split('\n').map((line) => JSON.parse(line) as { exercise: string; total: number });
    assert.deepEqual(
      lines.map((l) => l.exercise),
      EXERCISES.map((e) => e.name),
    );
    assert.ok(lines.every((l) => typeof l.total === 'number'));
  });

  it('usage errors: no program, both a name and --all, an unknown exercise', async () => {
    assert.equal((await check(['dh'])).code, 2);
    assert.equal((await check(['dh', '--all', '--', 'x'])).code, 2);
    const unknown = await check(['nope', '--', 'x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no exercise "nope"/);
  });
});

describe('dhlab exercise: the ladder and the sheets', () => {
  it('--list names every exercise in order; a sheet has the goal, spec, contract and hints within 80 columns', async () => {
    const list = run(['exercise', '--list']);
    assert.equal(await list.exit, 0);
    assert.deepEqual(
      list.stdout.slice(1, 1 + EXERCISES.length).map((line) => line.trim().split(/\s+/)[1]),
      EXERCISES.map((e) => e.name),
    );
    for (const exercise of EXERCISES) {
      const sheet = run(['exercise', exercise.name]);
      assert.equal(await sheet.exit, 0);
      const text = sheet.stdout.join('\n');
      const contract =
        exercise.name === 'client'
          ? '--host H --port P --name N --fingerprint SHA256:'
          : exercise.name === 'server'
            ? '--host 127.0.0.1 --port P --host-key FILE'
            : '  in: ';
      for (const part of [
        'Spec: docs/PROTOCOL.md',
        'Contract:',
        contract,
        'Hints:',
        `npx dhlab check ${exercise.name} --`,
      ])
        assert.ok(text.includes(part), `${exercise.name}: ${part}`);
      assert.ok(
        sheet.stdout.every((line) => [...line].length <= 80),
        `${exercise.name}: a line over 80 columns`,
      );
    }
  });
});

describe('dhlab exercise --groups', () => {
  it("prints the RFC 3526 primes as the RFC has them, and the toy groups' p and g", async () => {
    const { MODP14, RFC3526 } = await import('./reference/groups.ts');
    const out = run(['exercise', '--groups']);
    assert.equal(await out.exit, 0);
    const text = out.stdout.join('\n');
    const hexOf = (name: string) =>
      new RegExp(`^${name} \\(\\d+ bits, RFC 3526 s\\.\\d\\): g = 2\\n((?:  (?:p = |    )[0-9a-f]+\\n?)+)`, 'm')
        .exec(text)?.[1]
        ?.replace(/p = |\s/g, '');
    // The reference primes are copied from the RFC itself, not from src/.
    assert.equal(hexOf('modp14'), MODP14.toString(16));
    assert.equal(hexOf('modp15'), RFC3526.modp15.toLowerCase());
    assert.equal(hexOf('modp16'), RFC3526.modp16.toLowerCase());
    assert.match(text, /^toy23 \(5 bits, toy group, INSECURE\): g = 2\n {2}p = 23 \(hex 17\)$/m);
    for (const line of out.stdout) assert.ok([...line].length <= 80, line);
  });
});
