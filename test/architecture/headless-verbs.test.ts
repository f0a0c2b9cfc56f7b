// The headless verbs never load blessed: a module-resolve hook refuses it, and each verb still runs
// to its end. `dhlab server` on a box without a terminal, `eve --json` in a pipe and the grader in
// CI must not pay for (or break on) the inspector.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN } from '../support/cli-run.ts';

const MARK = 'BLESSED WAS LOADED';
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'blessed' || specifier.startsWith('blessed/')) throw new Error(${JSON.stringify(MARK)});
  return next(specifier, context);
}`;
const REFUSE_BLESSED = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`,
)}`;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import REFUSE_BLESSED bin/dhlab.js ...args`; `until` may stop it once it printed something. */
function dhlab(args: string[], options: { until?: RegExp; input?: string } = {}): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', REFUSE_BLESSED, BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  const watch = () => {
    // Once: a second SIGTERM would find the verb's handler gone and kill it outright.
    if (stopped || !options.until?.test(stdout + stderr)) return;
    stopped = true;
    child.kill('SIGTERM');
  };
  child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString('utf8')), watch()));
  child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString('utf8')), watch()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-headless-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('headless verbs load no blessed module', () => {
  it('the hook does refuse blessed (the control)', async () => {
    const child = spawn(
      process.execPath,
      ['--import', REFUSE_BLESSED, '--import', 'tsx', '-e', "await import('./lab/view/view.ts')"],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.notEqual(code, 0);
    assert.match(stderr, new RegExp(MARK));
  });

  it('server and client', async () => {
    const hostKey = path.join(dir, 'host-key.pem');
    let port = 0;
    const server = spawn(
      process.execPath,
      ['--import', REFUSE_BLESSED, BIN, 'server', '--port', '0', '--host-key', hostKey],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let serverOut = '';
    const listening = new Promise<void>((resolve) =>
      server.stdout.on('data', (chunk: Buffer) => {
        serverOut += chunk.toString('utf8');
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(serverOut);
        if (!match || port !== 0) return;
        port = Number(match[1]);
        resolve();
      }),
    );
    let serverErr = '';
    server.stderr.on('data', (chunk: Buffer) => (serverErr += chunk.toString('utf8')));
    const serverClosed = new Promise((resolve) => server.on('close', resolve));
    await listening;
    const known = path.join(dir, 'known');
    const client = await dhlab(
      ['client', '--name', 'alice', '--port', String(port), '--known-servers', known, '--accept-new-host-key'],
      {
        input: 'hello\n/quit\n',
      },
    );
    server.kill('SIGTERM');
    assert.equal(await serverClosed, 0, serverErr);
    assert.equal(client.code, 0, client.stderr);
    assert.doesNotMatch(serverErr + client.stderr, new RegExp(MARK));
  });

  it('eve --json', async () => {
    const eve = await dhlab(['eve', '--json', '--listen', '127.0.0.1:0', '--forward', '127.0.0.1:9'], {
      until: /dhlab eve listening/,
    });
    assert.match(eve.stderr, /dhlab eve listening on 127\.0\.0\.1:\d+/);
    assert.equal(eve.code, 0, eve.stderr);
  });

  it('scenario --headless, demo and check (without --watch)', async () => {
    const scenario = await dhlab(['scenario', '01-handshake', '--headless']);
    assert.equal(scenario.code, 0, scenario.stderr);
    const demo = await dhlab(['demo']);
    assert.equal(demo.code, 0, demo.stderr);
    // A program that does nothing fails the cases; the grader runs them all without the lab.
    const check = await dhlab(['check', 'dh', '--', process.execPath, '-e', '']);
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, /0 of \d+ passed/);
    for (const run of [scenario, demo, check]) assert.doesNotMatch(run.stderr, new RegExp(MARK));
  });
});
