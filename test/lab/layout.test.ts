// The panes' table (lab/view/layout.ts) and what it buys at 80x24: the whole basic ladder.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import { layout } from '../../lab/view/layout.ts';
import { waitFor } from '../support/helpers.ts';
import { openLabScreen } from '../support/lab-screen.ts';

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
      const lab80 = openLabScreen({ perspectives: lab.perspectives }, 80, 24);
      try {
        const screen = lab80.screen();
        assert.match(screen, /│ {2}1 group modp14/);
        assert.match(screen, /│ {2}2 p {2}ffff…ffff/);
        assert.match(screen, /│ {2}9 K = SHA-256\(Z\)/);
        assert.match(screen, /│ 11 ✓ established/);
        assert.doesNotMatch(screen, /more above/);
      } finally {
        lab80.close();
      }
    });
  });
});
