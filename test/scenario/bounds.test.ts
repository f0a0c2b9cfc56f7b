// Scenario files that would lock dhlab up are refused at load time, with the line, the field and
// the estimate: a discrete log with no bound over a large group, a 300 KB exponent, a long
// cbc_bitflip text, a long cost list; and files that are not files (a FIFO) are refused, not
// waited on. The work that remains allowed finishes in seconds (timed here on the real code).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DhlabError } from '../../src/errors.ts';
import { babyStepGiantStep } from '../../src/insecure/attacks/discrete-log.ts';
import { toyGroup } from '../../src/insecure/toy-groups.ts';
import { loadScenario, MAX_DISCRETE_LOG_BITS, parseScenario } from '../../src/scenario/parse/file.ts';
import { run } from '../support/cli-run.ts';
import { waitFor } from '../support/helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-bounds-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function lesson(group: string, action: string, server = ''): string {
  return `title: t
summary: s
actors:
  server: { group: ${group}${server} }
  clients: [alice]
  eve: true
steps:
  - title: one
    narration: hello
    action: { connect: alice }
  - title: two
    narration: the attack
    action:
      ${action}
`;
}

function problem(text: string): string {
  const started = Date.now();
  try {
    parseScenario(text, 'bomb.yaml');
  } catch (error) {
    assert.ok(error instanceof DhlabError);
    assert.equal(error.code, 'ERR_SCENARIO');
    assert.ok(Date.now() - started < 1000, 'refused at once');
    return error.message;
  }
  assert.fail('the file was accepted');
}

describe('scenario files that would lock dhlab up', () => {
  for (const group of ['toy-48', 'toy-64', 'modp14']) {
    it(`discrete_log without bound_bits in ${group}: refused at load, with the table size`, () => {
      const message = problem(lesson(group, 'discrete_log: { of: eve/alice.y_s, as: eve/alice.x_s }'));
      assert.match(
        message,
        /^bomb\.yaml:14: steps\[1\]\.action\.discrete_log: without bound_bits the search covers the order of g in /,
      );
      assert.match(message, /a table of 2\^\d+ entries.*give bound_bits \(at most 40\)/);
    });
  }

  it('discrete_log without bound_bits where the order is small (toy-32) still loads', () => {
    assert.equal(
      parseScenario(lesson('toy-32', 'discrete_log: { of: eve/alice.y_s, as: eve/alice.x_s }'), 'ok.yaml').steps.length,
      2,
    );
  });

  it('the largest search allowed (2^40) finishes in seconds: a 2^20-entry table, timed', () => {
    const group = toyGroup('toy-48');
    assert.ok(group);
    const x = (1n << 39n) + 12345n;
    const y = ((): bigint => {
      let r = 1n;
      for (let b = group.g, e = x; e > 0n; e >>= 1n, b = (b * b) % group.p) if (e & 1n) r = (r * b) % group.p;
      return r;
    })();
    const started = Date.now();
    const found = babyStepGiantStep(group.g, y, group.p, 1n << BigInt(MAX_DISCRETE_LOG_BITS));
    assert.equal(found.x, x);
    assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
  });

  it('an exponent of 300,000 digits: refused (exponents are below 2^256)', () => {
    const message = problem(lesson('toy23', 'connect: alice', `, exponent: "${'7'.repeat(300_000)}"`));
    assert.match(
      message,
      /actors\.server\.(exponent: must be a positive whole number below 2\^256|exponent: is 300000 characters long)/,
    );
  });

  it('cbc_bitflip on a 64 KB text: refused (one GCM open per bit grows with the square of the text)', () => {
    const text = 'a'.repeat(4000);
    const message = problem(
      lesson('toy23', `cbc_bitflip: { text: "${text}", key: alice.key_c2s, from: "a", to: "b" }`),
    );
    assert.match(message, /steps\[1\]\.action\.cbc_bitflip\.text: must be at most 256 bytes/);
  });

  it('a cost list of 200 groups: refused', () => {
    const message = problem(lesson('toy23', `cost: { groups: [${Array(200).fill('toy23').join(', ')}] }`));
    assert.match(message, /steps\[1\]\.action\.cost\.groups: has 200 items; at most 9/);
  });

  it('a FIFO as the scenario file is refused, not waited on', async () => {
    const fifo = path.join(dir, 'lesson.yaml');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => loadScenario(fifo), /ERR_SCENARIO|not a regular file/);
    const cli = run(['scenario', fifo, '--headless']);
    assert.equal(await cli.exit, 1);
    assert.match(cli.stderr.join('\n'), /cannot read \(not a regular file\)/);
  });

  it('--export through a planted symlink is refused and the link target untouched; a FIFO is refused at once', async () => {
    const target = path.join(dir, 'victim.txt');
    fs.writeFileSync(target, 'precious\n');
    const link = path.join(dir, 'handout.md');
    fs.symlinkSync(target, link);
    const viaLink = run(['scenario', '01-handshake', '--headless', '--export', link]);
    assert.equal(await viaLink.exit, 1);
    assert.match(viaLink.stderr.join('\n'), /ERR_FILE: cannot write .*handout\.md: it is a symbolic link/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'precious\n');
    const fifo = path.join(dir, 'handout.html');
    execFileSync('mkfifo', [fifo]);
    const intoFifo = run(['scenario', '01-handshake', '--headless', '--export', fifo]);
    assert.equal(await intoFifo.exit, 1);
    assert.match(intoFifo.stderr.join('\n'), /ERR_FILE: cannot write .*handout\.html: it is not a regular file/);
  });

  it('a FIFO as --host-key is refused (ERR_HOST_KEY_FILE), not waited on', async () => {
    const fifo = path.join(dir, 'host_key');
    execFileSync('mkfifo', [fifo]);
    const server = run(['server', '--port', '0', '--host-key', fifo]);
    assert.equal(await server.exit, 1);
    assert.match(server.stderr.join('\n'), /ERR_HOST_KEY_FILE: cannot read host key .*: not a regular file/);
  });

  it('dhlab scenario --headless stopped by SIGTERM leaves no temporary folder behind', async () => {
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const cli = run(['scenario', '01-handshake', '--headless']);
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    // The world's folder exists once the first step has printed.
    await waitFor(
      () => cli.stdout.length > 0 && fs.readdirSync(tmp).some((name) => name.startsWith('dhlab-scenario-')),
      'the run started',
    );
    cli.proc.kill('SIGTERM');
    await cli.exit;
    assert.deepEqual(
      fs.readdirSync(tmp).filter((name) => name.startsWith('dhlab-')),
      [],
    );
  });
});
