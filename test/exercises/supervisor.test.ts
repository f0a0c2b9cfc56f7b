// The grader's supervisor (src/exercises/supervisor.ts) against programs that try to outlive it:
// a background child holding stdout, a child in a new session, a wrapper whose solution hangs, a
// flood from a pipeline, a child that redirected its output. The limit bounds wall time, children
// included; nothing the program started survives; the program has no controlling terminal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runProgram } from '../../src/exercises/grade.ts';
import { DRAIN_GRACE_MS } from '../../src/exercises/supervisor.ts';
import { unlessInstalled } from '../support/helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dhlab-supervisor-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const LIMIT = { timeMs: 2000, stdoutBytes: 1024 * 1024 };
/** Wall time allowed past the limit: the drain grace, and a loaded 2-core machine's scheduling. */
const SLACK_MS = DRAIN_GRACE_MS + 1500;

/** The pids a program wrote to `file` (one per line), and whether any of them still runs (a zombie does not). */
function survivors(file: string): number[] {
  const pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

async function timed(script: string, input = '') {
  const started = Date.now();
  const run = await runProgram(['sh', '-c', script], input, LIMIT);
  return { ...run, ms: Date.now() - started };
}

describe('the supervisor: a program cannot outlive its limit, nor reach the terminal', () => {
  it('a background child that holds stdout: the grader does not wait for it, and kills it', async () => {
    const pids = path.join(dir, 'background');
    const run = await timed(`sleep 60 & echo $! > ${pids}; echo answer`);
    assert.deepEqual(run.lines, ['answer']);
    assert.ok(run.ms < 1000, `${run.ms} ms`);
    assert.match(run.problem ?? '', /it exited, but left a process running: killed/);
    assert.deepEqual(survivors(pids), []);
  });

  it('a child in a session of its own (setsid), in a loop: killed, the grader ends', async () => {
    const pids = path.join(dir, 'setsid');
    const run = await timed(`setsid sh -c 'echo $$ >> ${pids}; while :; do sleep 1; done' & sleep 0.2; echo answer`);
    assert.deepEqual(run.lines, ['answer']);
    assert.ok(run.ms < LIMIT.timeMs, `${run.ms} ms`);
    assert.match(run.problem ?? '', /left (a process|\d processes) running: killed/);
    assert.deepEqual(survivors(pids), []);
  });

  it('a child that redirected its output and ran on: killed when the program exits', async () => {
    const pids = path.join(dir, 'redirected');
    const run = await timed(`(sleep 60 > /dev/null 2>&1 & echo $! > ${pids}); echo answer`);
    assert.match(run.problem ?? '', /left a process running: killed/);
    assert.deepEqual(survivors(pids), []);
  });

  it('an honest wrapper (solution | tee) whose solution hangs: stopped at the limit, the whole pipeline', async () => {
    const pids = path.join(dir, 'tee');
    const run = await timed(`sh -c 'echo $$ >> ${pids}; exec sleep 60' | tee ${path.join(dir, 'tee.log')}`);
    assert.ok(run.ms >= LIMIT.timeMs && run.ms < LIMIT.timeMs + SLACK_MS, `${run.ms} ms`);
    assert.equal(run.problem, 'still running at the time limit (2 s): killed, with everything it started');
    assert.deepEqual(survivors(pids), []);
  });

  it('a flood without a newline from a pipeline (yes | tr): stopped at 1 MiB, yes and tr killed', async () => {
    const pids = path.join(dir, 'flood');
    const run = await timed(`sh -c 'echo $$ >> ${pids}; exec yes' | tr -d '\\n'`);
    assert.ok(run.ms < LIMIT.timeMs, `${run.ms} ms`);
    assert.match(run.problem ?? '', /printed more than 1048576 bytes: killed/);
    assert.ok(run.lines.join('').length <= LIMIT.stdoutBytes);
    assert.deepEqual(survivors(pids), []);
  });

  it('an exit after its children are done, output complete: no problem reported', async () => {
    const run = await timed('cat; (echo child) | cat', 'line 1\nline 2\n');
    assert.deepEqual(run.lines, ['line 1', 'line 2', 'child']);
    assert.equal(run.problem, null);
  });

  it('the program leads a session of its own: it has no controlling terminal', async () => {
    // /proc/self/stat: pid (comm) state ppid pgrp session; sh's comm has no spaces.
    const run = await timed(
      'read -r pid comm state ppid pgrp session rest < /proc/self/stat; echo "$pid $pgrp $session"; (: > /dev/tty) 2> /dev/null || echo no-tty',
    );
    const [pid, pgrp, session] = (run.lines[0] ?? '').split(' ').map(Number);
    assert.equal(pgrp, pid);
    assert.equal(session, pid);
    assert.equal(run.lines[1], 'no-tty');
  });

  it(
    'on a real terminal, a program that writes to /dev/tty reaches nothing',
    { skip: unlessInstalled(hasScript(), 'no script(1)') },
    () => {
      // script(1) gives the grader a pseudo-terminal of its own, as a teacher's shell would.
      const grader = path.join(dir, 'grader.mts');
      const runner = path.resolve(import.meta.dirname, '../../src/exercises/grade.ts');
      const hostile = `printf 'PWNED-TTY' > /dev/tty; echo answer`;
      execFileSync('sh', ['-c', `cat > ${grader}`], {
        input: `import { runProgram } from ${JSON.stringify(runner)};\nconst r = await runProgram(['sh', '-c', ${JSON.stringify(hostile)}], '');\nconsole.log('LINES', JSON.stringify(r.lines));\n`,
      });
      const out = execFileSync('script', ['-qec', `${process.execPath} --import tsx ${grader}`, '/dev/null'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.match(out, /LINES \["answer"\]/);
      assert.doesNotMatch(out, /PWNED-TTY/);
    },
  );
});

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
