import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Tmux } from './tmux.ts';
import { unlessInstalled } from '../support/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe(
  'npm start in a real terminal (tmux): the lab',
  { skip: unlessInstalled(Tmux.available(), 'tmux is not installed') },
  () => {
    let term: Tmux | undefined;
    after(() => term?.kill());

    it('types as alice, then shows bob, the server and Eve, each with what it may see', async () => {
      term = Tmux.start(`sh -c 'cd ${ROOT} && npm start --silent'`, { width: 100, height: 34 });
      await term.waitForScreen((s) => s.includes('* carol joined') && s.includes('✓ established'), 'the lab to start');
      let screen = term.capture();
      assert.match(screen, /view: alice · typing as: alice · modp14 \(2048-bit\)/);
      assert.match(screen, /K = SHA-256\(Z\) \[secret\]/);
      assert.match(screen, /■ public ■ secret \(this side only\) ■ on the wire ■ error/);

      await term.waitForInput();
      term.keys('i');
      await term.waitForScreen((s) => !s.includes('press i to type as alice'), 'the input line to open');
      term.type('meet at noon');
      term.keys('Enter');
      screen = await term.waitForScreen((s) => s.includes('<alice> meet at noon'), 'the echo');
      assert.match(screen, /chat "meet at noon"/);
      assert.match(screen, / ct [0-9a-f]{16}/);

      term.keys('2');
      screen = await term.waitForScreen((s) => s.includes('view: bob'), "bob's view");
      assert.match(screen, /chat: bob/);
      assert.match(screen, /<alice> meet at noon/);
      assert.match(screen, /handshake: bob ⇄ server/);

      term.keys('4');
      screen = await term.waitForScreen((s) => s.includes('view: server'), "the server's view");
      assert.match(screen, /handshake: server ⇄ alice/);
      assert.match(screen, /<alice> meet at noon/);

      term.keys('5');
      screen = await term.waitForScreen((s) => s.includes('view: Eve'), "Eve's view");
      assert.match(screen, /what Eve knows/);
      assert.match(screen, /sealed ct [0-9a-f]/);
      assert.doesNotMatch(screen, /meet at noon/);
      assert.doesNotMatch(screen, /plaintext/);

      term.keys('q');
      await term.waitForScreen((s) => !s.includes('view: Eve'), 'the lab to exit and restore the terminal');
    });
  },
);
