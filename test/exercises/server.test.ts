// Exercise 9, the whole server, graded by `dhlab check server` with honest and hostile clients on
// the real wire: the Python reference server (written from the spec alone) passes, and so does
// dhlab's own; each planted mistake is caught at the case made for it, with the hint that names
// it; a server that crashes, prints escapes or never listens is reported without harm.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gradeServer } from '../../src/exercises/server-exercise.ts';
import { serverCases, serverScript } from '../../src/exercises/server-cases.ts';
import { run } from '../support/cli-run.ts';

const REFERENCE = path.resolve(import.meta.dirname, 'reference');
const pyServer = ['python3', path.join(REFERENCE, 'server.py')];
const dhlabServer = [process.execPath, path.resolve(import.meta.dirname, '../../bin/dhlab.js'), 'server'];

async function withMistake<T>(mistake: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env.MISTAKE;
  process.env.MISTAKE = mistake;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.MISTAKE;
    else process.env.MISTAKE = saved;
  }
}

const caseNamed = (pattern: RegExp) => serverCases().findIndex((c) => pattern.test(c.what));

describe('dhlab check server: the whole server against clients that cheat', () => {
  it('the Python reference server passes all nine cases (exit 0), through the CLI', async () => {
    const running = run(['check', 'server', '--', ...pyServer]);
    const code = await running.exit;
    const out = running.stdout.join('\n');
    assert.equal(code, 0, out);
    assert.match(out, /dhlab check server \(seed 1\): 9 cases/);
    assert.match(out, /^9 of 9 passed: done$/m);
  });

  it("dhlab's own server passes too (its slow-consumer limit ends the stalled reader's case)", async () => {
    const result = await gradeServer(dhlabServer, '1', undefined, [...serverCases().keys()]);
    assert.equal(result.passed, 9, JSON.stringify(result.cases.filter((c) => !c.ok)));
    assert.equal(result.problem, null);
  });

  const MISTAKES: Array<[mistake: string, caughtAt: RegExp, got: RegExp, hint: RegExp]> = [
    ['no-validation', /^public values/, /y_c = 0: the server went on to server_auth/, /check y_c before you use it/],
    [
      'range-only',
      /^public values/,
      /outside the subgroup\): the server went on to server_auth/,
      /passes 2 <= y_c <= p-2 but not y_c\^q mod p = 1/,
    ],
    [
      'frame-seq',
      /^a flipped bit, a replayed frame/,
      /after a replayed frame: .*\| .*; then/,
      /not with the frame's seq/,
    ],
    ['one-key', /^one member/, /ERR_DECRYPT/, /you seal with one key both ways/],
    ['unpadded-z', /^a shared secret Z whose first byte is 0/, /ERR_DECRYPT/, /your keys are those of Z without it/],
    ['duplicate-names', /^names:/, /the server went on to welcome/, /ERR_NAME_TAKEN/],
    ['blocking-writes', /^a member that stops reading/, /the room stopped while .* read nothing/, /bounded queue/],
    ['wrong-signature', /^one member/, /ERR_BAD_SIGNATURE/, /sign H with the host key/],
  ];
  for (const [mistake, caughtAt, got, hint] of MISTAKES) {
    it(`a server with the mistake "${mistake}" fails its case, with the hint that names it`, async () => {
      const index = caseNamed(caughtAt);
      assert.ok(index >= 0, `a case matches ${caughtAt}`);
      const result = await withMistake(mistake, () => gradeServer(pyServer, '1', undefined, [index]));
      const [only] = result.cases;
      assert.equal(only?.ok, false, `${mistake} must fail ${caughtAt}`);
      assert.match(only.got ?? '', got);
      assert.match(only.hint, hint);
    });
  }

  it('a failure shows the frame it went wrong on, decoded and opened', async () => {
    const names = caseNamed(/^names:/);
    const taken = await withMistake('duplicate-names', () => gradeServer(pyServer, '1', undefined, [names]));
    assert.match(
      taken.cases[0]?.frame ?? '',
      /^data seq 0 \(\d+ base64 digits\), opened: \{"type": "welcome", "name": "([^"]+)", "members": \["\1", "\1"\]/,
    );
    const oneKey = await withMistake('one-key', () => gradeServer(pyServer, '1', undefined, [0]));
    assert.match(oneKey.cases[0]?.frame ?? '', /^data seq 0 \(\d+ base64 digits\)$/, 'it does not open: no plaintext');
    assert.match(oneKey.cases[0]?.got ?? '', /ERR_DECRYPT/);
  });

  it('the same mistakes pass every case made for something else (one planted bug, one case)', async () => {
    const others = serverCases()
      .map((c, i) => [c, i] as const)
      .filter(([c]) => /^(framing|a member gone)/.test(c.what))
      .map(([, i]) => i);
    const result = await withMistake('frame-seq', () => gradeServer(pyServer, '1', undefined, others));
    assert.equal(result.passed, others.length, JSON.stringify(result.cases.filter((c) => !c.ok)));
  });

  it('a server that crashes with escapes in its traceback: the case fails, its stderr is shown escaped', async () => {
    const running = withMistake('crash', async () => {
      const cli = run(['check', 'server', '--', ...pyServer]);
      return { code: await cli.exit, out: cli.stdout.join('\n') };
    });
    const { code, out } = await running;
    assert.equal(code, 1);
    assert.match(out, /the program: case \d+: exited with status 1/);
    assert.match(out, /RuntimeError: \\x1b\]0;pwned\\x07 something broke/);
    assert.doesNotMatch(out, /\x1b/); // eslint-disable-line no-control-regex -- the point
  });

  it('a program that never listens: each case says so at its limit, and nothing it started is left', async () => {
    const result = await gradeServer(['sh', '-c', 'sleep 31.25 & sleep 31.25', 'sh'], '1', 1000, [0, 1]);
    assert.equal(result.passed, 0);
    for (const c of result.cases) assert.match(c.got ?? '', /nothing accepted connections|ended before it accepted/);
    assert.match(result.problem ?? '', /still running at the time limit \(1 s\)/);
    const left = fs
      .readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x0031.25\x00';
        } catch {
          return false;
        }
      });
    assert.deepEqual(left, []);
  });

  it('a server that floods its stdout is stopped at 1 MiB; the flood is never shown', async () => {
    const result = await gradeServer(['sh', '-c', 'yes "$(printf "\\033[2J")"', 'sh'], '1', 5000, [0]);
    assert.equal(result.passed, 0);
    assert.match(result.problem ?? '', /printed more than 1048576 bytes: killed, with everything it started/);
    assert.doesNotMatch(JSON.stringify(result), /\\u001b/);
  });

  it('a port another program took first: the case runs again on another port, and the port is below the ephemeral range', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-port-'));
    const marker = path.join(scratch, 'ran-once');
    const ports = path.join(scratch, 'ports');
    // The first run fails as a Python server does when its port is taken; the next one serves.
    const script = `echo "$6" >> ${ports}; if [ ! -e ${marker} ]; then touch ${marker}; echo "OSError: [Errno 98] Address already in use" >&2; exit 1; fi; exec "$@"`;
    const result = await gradeServer(['sh', '-c', script, 'sh', ...pyServer], '1', undefined, [0]);
    assert.equal(result.passed, 1, JSON.stringify(result.cases));
    const used = fs.readFileSync(ports, 'utf8').trim().split('\n').map(Number);
    assert.equal(used.length, 2, 'run twice');
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
    for (const port of used) assert.ok(port >= 20_000 && port < low, `${port} is below ${low}`);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('a server on another RFC group fails: the public-value cases are modp14 values, and it would dodge them', async () => {
    const cases = [0, caseNamed(/^public values/)];
    const result = await gradeServer([...dhlabServer, '--group', 'modp15'], '1', undefined, cases);
    assert.equal(result.passed, 0);
    for (const c of result.cases) {
      assert.match(c.got ?? '', /ERR_BAD_GROUP, the server chose modp15; the exercise's server speaks modp14/);
      assert.match(c.hint, /server_key\.group is "modp14"/);
    }
  });

  it('the seed chooses the names and lines; the same seed, the same room', () => {
    assert.deepEqual(serverScript('7'), serverScript('7'));
    assert.notDeepEqual(serverScript('7'), serverScript('8'));
    assert.equal(new Set(serverScript('7').names).size, 4);
  });
});
