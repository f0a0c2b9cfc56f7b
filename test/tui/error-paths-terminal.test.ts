// In a real terminal: a server that answers hello with control sequences
// (window title, OSC 52 clipboard, clear screen, a green "all is well" line) in its error text,
// a frame type or a group name. tmux has set-clipboard on, so an OSC 52 that got through would
// leave a paste buffer behind.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PREKEY_REPLIES, startPrekeyHostileServer } from '../integration/prekey-hostile-server.ts';
import { Tmux } from './tmux.ts';
import { unlessInstalled } from '../support/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe(
  'error paths in a real terminal (tmux, set-clipboard on)',
  { skip: unlessInstalled(Tmux.available(), 'tmux is not installed') },
  () => {
    const terms: Tmux[] = [];
    after(() => terms.forEach((t) => t.kill()));

    for (const verb of ['client', 'inspect']) {
      for (const [what, reply] of Object.entries(PREKEY_REPLIES)) {
        it(`dhlab ${verb} against ${what}: title, clipboard and screen untouched`, async () => {
          const server = await startPrekeyHostileServer(reply);
          try {
            const term = Tmux.start(
              `sh -c 'cd ${ROOT} && echo before-the-run && node bin/dhlab.js ${verb} --name alice --port ${server.port} --known-servers /dev/null; echo "exit status $?"'`,
              {
                width: 160,
                height: 30,
                options: ['set-clipboard on', 'allow-rename on', 'set-titles on'],
              },
            );
            terms.push(term);
            const titleBefore = term.title();
            const screen = await term.waitForScreen((s) => s.includes('exit status'), 'the command to end');
            assert.match(screen, /exit status 1/);
            assert.match(screen, /before-the-run/, 'the screen was not cleared');
            assert.match(screen, /\\x1b\]0;pwn/, 'the sequence is shown as text');
            assert.equal(term.title(), titleBefore, 'the pane title is unchanged');
            assert.doesNotMatch(term.title(), /pwn/);
            assert.equal(term.buffers(), '', 'no OSC 52 clipboard write reached tmux');
            for (const line of screen.split('\n')) assert.doesNotMatch(line, /^connected OK/, 'a drawn line');
          } finally {
            await server.close();
          }
        });
      }
    }
  },
);
