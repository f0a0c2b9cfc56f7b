import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import type { LabView } from '../../lab/view/view.ts';
import { waitFor } from '../support/helpers.ts';
import { screenText } from '../support/headless.ts';
import { openLabScreen } from '../support/lab-screen.ts';

const SIZES = [
  [80, 24],
  [200, 50],
] as const;

for (const [columns, rows] of SIZES) {
  describe(`the lab screen, headless at ${columns}x${rows}`, () => {
    let lab: LabWorld;
    let view: LabView;
    let ui: ReturnType<typeof openLabScreen>;
    let quit = false;
    const screen = () => screenText(view.screen).join('\n');
    const press = async (keys: string) => {
      await ui.press(keys);
      view.render(true);
    };

    before(async () => {
      lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14 });
      ui = openLabScreen(
        {
          perspectives: lab.perspectives,
          typists: [...lab.clients.keys()],
          subtitle: 'modp14 (2048-bit) · native',
          send: (who, text) => lab.say(who, text),
          onQuit: () => (quit = true),
        },
        columns,
        rows,
      );
      view = ui.view;
      lab.onChange = () => view.invalidate();
      // Until alice has seen carol join and her own ladder end (the first test reads both).
      await waitFor(
        () => (view.render(true), /\* carol joined/.test(screen()) && /✓ established/.test(screen())),
        'the lab to settle',
      );
    });
    after(async () => {
      view.destroy();
      await lab.close();
    });

    it("alice's view: title, ladder with group and K, frames, chat, legend and help bar", () => {
      const text = screen();
      const lines = screenText(view.screen);
      assert.equal(lines.length, rows);
      assert.ok(lines.every((line) => line.length === columns));
      assert.match(lines[0] as string, /dhlab lab · view: alice · typing as: alice · modp14 \(2048-bit\)/);
      assert.match(text, /handshake: alice ⇄ server/);
      assert.match(text, /■ public ■ secret \(this side only\) ■ on the wire ■ error/);
      // The footer fits the width and always ends with "? help"; the title always shows "?=help".
      assert.match(lines[rows - 1] as string, /^ 1-5 view {2}i type {2}t typist .* {2}\? help *$/);
      assert.doesNotMatch(lines[rows - 1] as string, /…/);
      assert.match(lines[0] as string, /\?=help *$/);
      assert.match(text, /\* carol joined/);
      // The whole basic ladder fits, from step 1, even at 80x24 (lab/view/layout.ts).
      assert.match(text, /✓ established/);
      assert.match(text, / 1 group modp14 {1,2}2048-bit/);
      assert.doesNotMatch(text, /more above/);
    });

    it('full detail: the newest steps stay in view and those above are counted (at 80x24)', async () => {
      await press('d');
      try {
        assert.match(screen(), /detail: full/);
        if (rows < 50) assert.match(screen(), /↑ \d+ more above \(↑\/PgUp\)/, 'the steps above the pane are counted');
      } finally {
        await press('d');
      }
    });

    it('typing as alice: the chat shows it and the frames pane has plaintext beside ciphertext', async () => {
      await press('i');
      await press('hello from the lab\r');
      await waitFor(
        () => lab.perspectives[0]?.chat.tail(3).some((l) => l.text.includes('hello from the lab')) ?? false,
        'echo',
      );
      view.render(true);
      const text = screen();
      assert.match(text, /<alice> hello from the lab/);
      assert.match(text, /chat "hello from the lab"|message #\d+ alice: "hello from the lab"/);
      assert.match(text, / ct [0-9a-f]{8}/);
    });

    it('t changes who types, 4 shows the server, 5 shows Eve with no plaintext', async () => {
      await press('t');
      assert.match(screenText(view.screen)[0] as string, /view: alice · typing as: bob/);
      await press('4');
      assert.match(screen(), /view: server/);
      assert.match(screen(), /handshake: server ⇄ bob/);
      await press('5');
      const eve = screen();
      assert.match(eve, /view: Eve \(wiretap\)/);
      assert.match(eve, /what Eve knows/);
      assert.match(eve, /sealed ct [0-9a-f]/);
      assert.doesNotMatch(eve, /hello from the lab/);
      assert.doesNotMatch(eve, /plaintext/);
    });

    it('d shows the full ladder, x switches to base64, ? opens help, Enter expands a value', async () => {
      await press('1');
      await press('d');
      assert.match(screen(), /detail: full/);
      await press('x');
      assert.match(screen(), /base64/);
      await press('?');
      assert.match(screen(), /dhlab lab: keys/);
      await press('\x1b');
      assert.doesNotMatch(screen(), /dhlab lab: keys/);
      await press('\x1b[A'); // select the last step (established), then up to the signature
      await press('\x1b[A');
      await press('\r');
      assert.match(screen(), /signature over H/);
      assert.match(screen(), /bits, \d+ bytes, base64/);
      await press('\x1b');
      await press('d');
      await press('x');
    });

    it('q quits', async () => {
      await press('q');
      assert.ok(quit);
    });
  });
}
