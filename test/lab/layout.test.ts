// The panes' table (lab/view/layout.ts) and what it buys at 80x24: the whole basic ladder.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { palette } from '../../src/terminal/colors.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import { layout } from '../../lab/view/layout.ts';
import { LabView } from '../../lab/view/view.ts';
import { waitFor } from '../support/helpers.ts';
import { headlessTerminal, screenText } from '../support/headless.ts';

describe('the lab layout', () => {
  it('fills the rows between the title and the three lines below, at every height', () => {
    for (let rows = 12; rows <= 80; rows++) {
      for (const scenario of [false, true]) {
        const places = layout(rows, scenario);
        const inspector = places.inspector as NonNullable<typeof places.inspector>;
        const chat = places.chat as NonNullable<typeof places.chat>;
        assert.equal(inspector.top, 1);
        assert.equal(chat.top, inspector.top + inspector.height, `${rows}: the chat starts under the ladder`);
        assert.equal(
          chat.top + chat.height,
          rows - 3,
          `${rows}: the chat ends above the input, status and footer lines`,
        );
        assert.ok(chat.height >= 6, `${rows}: the chat keeps at least four lines`);
      }
    }
  });

  describe('at 80x24', () => {
    let lab: LabWorld;
    before(async () => {
      lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14 });
      await waitFor(() => (lab.perspectives[0]?.ladders.get('server')?.length ?? 0) >= 11, "alice's ladder");
    });
    after(() => lab.close());

    it('shows the whole basic ladder from step 1, with no scrolling', () => {
      const term = headlessTerminal(80, 24);
      const view = new LabView({
        perspectives: lab.perspectives,
        typists: [],
        subtitle: '',
        onQuit: () => {},
        input: term.input,
        output: term.output,
        colors: palette(0),
      });
      try {
        view.render(true);
        const screen = screenText(view.screen).join('\n');
        assert.match(screen, /│ {2}1 group modp14/);
        assert.match(screen, /│ {2}2 p {2}ffff…ffff/);
        assert.match(screen, /│ {2}9 K = SHA-256\(Z\)/);
        assert.match(screen, /│ 11 ✓ established/);
        assert.doesNotMatch(screen, /more above/);
      } finally {
        view.destroy();
      }
    });
  });
});
