import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tmux } from './tmux.ts';
import { BIN, run, type Running } from '../support/cli-run.ts';
import { unlessInstalled, waitFor } from '../support/helpers.ts';

const lastLine = (screen: string) => screen.trimEnd().split('\n').at(-1) ?? '';
// `env -u CI`: supports-color turns colour off under CI=true, and coloured lines are the ones whose
// rows are easy to miscount.

describe(
  'the interactive client as a person types into it (tmux)',
  { skip: unlessInstalled(Tmux.available(), 'no tmux') },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-typing-'));
    let server: Running;
    let port = 0;
    let term: Tmux | undefined;

    before(async () => {
      server = run(['server', '--port', '0', '--host-key', path.join(dir, 'host_key')]);
      await waitFor(() => server.stdout.length >= 1, 'server banner', 20_000);
      port = Number(/:(\d+)$/.exec(server.stdout[0] ?? '')?.[1]);
      assert.ok(port > 0, server.stdout[0]);
    });
    after(() => {
      term?.kill();
      server.proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('shows every line of a 20-line paste as sent, each confirmed once', async () => {
      term = Tmux.start(
        `env -u CI ${process.execPath} ${BIN} client --name alice --port ${port} --known-servers /dev/null`,
        { width: 100, height: 40 },
      );
      await term.waitForScreen((s) => s.includes('* in the room: alice'), 'the welcome');
      await term.waitForScreen((s) => lastLine(s) === '>', 'the prompt');
      const lines = Array.from({ length: 20 }, (_, i) => `pasted line ${i + 1}`);
      term.type(lines.join('\r') + '\r');
      const screen = await term.waitForScreen(
        (s) => s.includes('<alice> pasted line 20') && !s.includes(' …'),
        'all twenty lines confirmed',
      );
      const shown = screen.split('\n');
      for (const line of lines) {
        assert.equal(
          shown.filter((l) => l === `<alice> ${line}`).length,
          1,
          `"${line}" shown once as sent:\n${screen}`,
        );
        assert.ok(!shown.includes(`> ${line}`), `readline's echo of "${line}" was taken back`);
        assert.ok(!shown.includes(line), `"${line}" is not left as bare text`);
      }
      assert.equal(lastLine(screen), '>');
      term.kill();
      term = undefined;
    });

    it('keeps the prompt whole while --trace prints the handshake and each frame', async () => {
      term = Tmux.start(
        `env -u CI ${process.execPath} ${BIN} client --name bob --trace --port ${port} --known-servers /dev/null`,
        { width: 100, height: 40 },
      );
      await term.waitForScreen(
        (s) => lastLine(s) === '>' && s.includes('welcome'),
        'the prompt after the traced handshake',
      );
      term.type('hello with trace\r');
      const screen = await term.waitForScreen(
        (s) => s.includes('<bob> hello with trace') && !s.includes(' …'),
        'the echo',
      );
      await waitFor(() => lastLine(term?.capture() ?? '') === '>', 'the prompt at the bottom');
      const shown = term.capture().split('\n');
      const spoiled = shown.filter((l) => l.startsWith('>') && l.trim() !== '>');
      assert.deepEqual(spoiled, [], `no trace line lands on the prompt:\n${screen}`);
    });
  },
);
