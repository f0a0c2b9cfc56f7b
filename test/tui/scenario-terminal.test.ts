import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Tmux } from './tmux.ts';
import { unlessInstalled } from '../support/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe(
  'dhlab scenario in a real terminal (tmux)',
  { skip: unlessInstalled(Tmux.available(), 'tmux is not installed') },
  () => {
    let term: Tmux | undefined;
    after(() => term?.kill());

    it('steps through the tampering lesson: space runs a step, ← goes back, q quits with status 0', async () => {
      term = Tmux.start(`sh -c 'cd ${ROOT} && node bin/dhlab.js scenario 08-tampering; echo "exit status $?"'`, {
        width: 110,
        height: 40,
      });
      await term.waitForScreen((s) => s.includes('every random value comes from it'), 'the scenario to open');
      await term.waitForInput();
      for (const [step, text] of [
        [1, 'A room with the original'],
        [2, 'Bob joins'],
        [3, 'CBC: flip the IV'],
      ] as const) {
        term.keys('Space');
        await term.waitForScreen((s) => s.includes(`step ${step}/11: ${text}`), `step ${step}`);
      }
      let screen = await term.waitForScreen(
        (s) => s.includes('✓ cbc.tampered = pay 90 euros to bob'),
        'the CBC result',
      );
      assert.match(screen, /scenario 08-tampering · modp14 · seed 8 \(INSECURE\)/);

      // Two quick presses run two steps: Mallory arms the flip, then Alice's chat arrives as a quit.
      term.keys('Space');
      term.keys('Space');
      screen = await term.waitForScreen(
        (s) => s.includes('step 5/11') && s.includes('✓ members are bob'),
        'the chat turned into a quit',
      );
      assert.match(screen, /view: bob/);
      assert.match(screen, /\* alice left/);
      assert.doesNotMatch(screen, /<alice> pay 10/);

      term.keys('Left');
      await term.waitForScreen((s) => s.includes('step 4/11: The same trick on the wire'), 'one step back');

      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'a clean exit');
    });

    it('a new lesson end to end: 11-nonce-reuse, from the stuck nonce to the refused forgery, back one step, q', async () => {
      term?.kill();
      term = Tmux.start(`sh -c 'cd ${ROOT} && node bin/dhlab.js scenario 11-nonce-reuse; echo "exit status $?"'`, {
        width: 120,
        height: 40,
      });
      await term.waitForScreen((s) => s.includes('every random value comes from it'), 'the scenario to open');
      await term.waitForInput();
      const checks: Array<[number, string, string]> = [
        [4, 'Eve XORs two frames', '✓ Eve reads "meet in room 101 at 5pm"'],
        [6, 'The forbidden attack', '✓ forbidden.h = forbidden.true_h'],
        [7, 'Mallory forges a chat as Alice', '✓ carol receives <alice> "the meeting is off"'],
        [13, 'The forgery is ERR_DECRYPT', '✓ server fails with ERR_DECRYPT'],
      ];
      let at = 0;
      for (const [step, title, check] of checks) {
        while (at < step) {
          term.keys('Space');
          at++;
          await term.waitForScreen((s) => s.includes(`step ${at}/13`), `step ${at}`);
        }
        const screen = await term.waitForScreen(
          (s) => s.includes(`step ${step}/13: ${title}`) && s.includes(check),
          `step ${step}: ${check}`,
        );
        assert.match(screen, /scenario 11-nonce-reuse · modp14 · seed 11 \(INSECURE\)/);
      }
      term.keys('Left');
      await term.waitForScreen(
        (s) => s.includes('step 12/13: The attack finds nothing') && s.includes('✓ forbidden.h ≠ forbidden.true_h'),
        'one step back',
      );
      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'a clean exit');
    });

    it('13-aes-inside at 80x24: the 4x4 round states fold into blocks the pane can hold, none wraps', async () => {
      term?.kill();
      term = Tmux.start(`sh -c 'cd ${ROOT} && node bin/dhlab.js scenario 13-aes-inside; echo "exit status $?"'`, {
        width: 80,
        height: 24,
      });
      await term.waitForScreen((s) => s.includes('The original project'), 'the scenario to open');
      await term.waitForInput();
      for (let step = 1; step <= 4; step++) {
        term.keys('Space');
        await term.waitForScreen((s) => s.includes(`step ${step}/6`), `step ${step}`);
      }
      // Page through the step: every row of a state table is whole 4x4 rows or column names, side
      // by side as many as fit, never a row wrapped into the next line.
      const grid = '(?:[0-9a-f]{2} ){3}[0-9a-f]{2}';
      const row = new RegExp(`^│> {12}(?:${grid}(?:  ${grid})*|[a-z_]+(?: +[a-z_]+)*)\\s*│`);
      let headers = 0;
      let screen = term.capture();
      for (let page = 0; page < 60; page++) {
        for (const line of screen
          .split('\n')
          .filter((l) => l.startsWith('│> ') && !l.startsWith('│> round[') && /^│> {11}/.test(l)))
          assert.match(line, row, screen);
        headers += screen.split('\n').filter((l) => /^│> round\[ ?\d+\] {2}(input|start) /.test(l)).length;
        if (!screen.includes('more lines: ]')) break;
        const before = screen;
        term.keys(']');
        screen = await term.waitForScreen((s) => s !== before, 'the pane to scroll');
      }
      assert.ok(headers >= 10, `saw ${headers} round headers`);
      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'a clean exit');
    });
  },
);
