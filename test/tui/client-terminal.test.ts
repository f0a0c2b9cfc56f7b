import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHostileServer } from '../integration/hostile-server.ts';
import { hostileScriptForTerminal } from './hostile-screen.ts';
import { Tmux } from './tmux.ts';
import { unlessInstalled } from '../support/helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/dhlab.js');

describe(
  'the interactive client in a real terminal (tmux) against a hostile server',
  { skip: unlessInstalled(Tmux.available(), 'no tmux') },
  () => {
    let hostile: Awaited<ReturnType<typeof startHostileServer>>;
    let term: Tmux;

    before(async () => {
      hostile = await startHostileServer(hostileScriptForTerminal);
    });
    after(async () => {
      term?.kill();
      await hostile.close();
    });

    it('keeps the window title, draws no fake lines and shows every escape', async () => {
      term = Tmux.start(
        `${process.execPath} ${BIN} client --name alice --port ${hostile.port} --known-servers /dev/null`,
        { width: 100, height: 40 },
      );
      const titleBefore = term.title();
      const screen = await term.waitForScreen((s) => s.includes('END OF SCRIPT'), 'the hostile script to finish');
      assert.equal(term.title(), titleBefore, 'the window title is unchanged');
      assert.doesNotMatch(term.title(), /pwned/);
      const lines = screen.split('\n');
      for (const line of lines) assert.doesNotMatch(line, /^<(alice|bob)>/, `a forged line: ${line}`);
      assert.ok(lines.some((l) => l.startsWith('<mallory> innocent\\r<alice> I owe bob 100')));
      assert.ok(lines.some((l) => l.includes('\\x1b[2J\\x1b[H* host key rotated')));
      assert.ok(screen.includes('connecting to 127.0.0.1:'), 'earlier lines were not erased');
    });
  },
);
