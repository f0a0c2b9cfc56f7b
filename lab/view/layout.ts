import type blessed from 'blessed';

/**
 * Where each pane sits, in one table per kind of lab (as gtop declares its grid). Rows are
 * counted from the screen's height, so at 80x24 the handshake ladder gets the rows the chat
 * does not need: all eleven basic steps (group, p, g, both public values, Z, K ...) show with no
 * scrolling, and the chat keeps five lines. Below the panes: the input line, the status line and
 * the footer.
 */
export interface PanePlace {
  top: number;
  left: number | string;
  width: number | string;
  height: number;
}

export type Pane = 'inspector' | 'frames' | 'chat' | 'narration';

/** The title bar above the panes, the input, status and footer lines below them. */
const ABOVE = 1;
const BELOW = 3;

export function layout(rows: number, scenario: boolean): Partial<Record<Pane, PanePlace>> {
  const free = Math.max(8, rows - ABOVE - BELOW);
  // The lower band: the chat (live), or the narration beside a narrower chat (a lesson).
  const lower = scenario ? Math.max(6, Math.round(free / 2)) : Math.max(7, Math.round(free * 0.3));
  const upper = free - lower;
  const top = { top: ABOVE, height: upper };
  const bottom = { top: ABOVE + upper, height: lower };
  return scenario
    ? {
        inspector: { ...top, left: 0, width: '50%' },
        frames: { ...top, left: '50%', width: '50%' },
        narration: { ...bottom, left: 0, width: '62%' },
        chat: { ...bottom, left: '62%', width: '38%' },
      }
    : {
        inspector: { ...top, left: 0, width: '50%' },
        frames: { ...top, left: '50%', width: '50%' },
        chat: { ...bottom, left: 0, width: '100%' },
      };
}

/** Moves the panes to where the table puts them at this height (after a resize). */
export function placePanes(
  boxes: Record<Pane, blessed.Widgets.BoxElement | null>,
  rows: number,
  scenario: boolean,
): void {
  for (const [pane, place] of Object.entries(layout(rows, scenario)) as Array<[Pane, PanePlace]>) {
    const box = boxes[pane];
    if (box) Object.assign(box, place);
  }
}
