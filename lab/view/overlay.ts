import blessed from 'blessed';
import { displayWidth } from '../../src/terminal/width.ts';
import { cellSafe } from './cells.ts';
import { fit } from './render.ts';

/**
 * A box over the lab (help, a value or a frame in full) that scrolls by ↑/↓, j/k and PgUp/PgDn
 * (blessed's scrollable box knows the first two, not the pages), and says so in its label, which
 * stays in view however long the content is. `saveTo`: the folder `s` saves into, named when the
 * label has room (blessed wraps a label longer than its box into the content).
 */
export function openOverlay(
  screen: blessed.Widgets.Screen,
  label: string,
  lines: string[],
  saveTo?: string,
): blessed.Widgets.BoxElement {
  const room = Math.floor(((screen.width as number) || 80) * 0.9) - 4;
  const keys =
    [saveTo === undefined ? '' : `s saves to ${saveTo} · `, saveTo === undefined ? '' : 's saves · ']
      .map((save) => `${save}↑/↓ PgUp/PgDn scroll · Esc close `)
      .find((k) => displayWidth(k) <= room - 12) ?? 'Esc close ';
  const title = fit(cellSafe(label), Math.max(6, room - displayWidth(keys) - 2));
  const overlay = blessed.box({
    parent: screen,
    top: 'center',
    left: 'center',
    width: '90%',
    height: '80%',
    border: 'line',
    label: `${title}· ${cellSafe(keys)}`,
    tags: false,
    scrollable: true,
    alwaysScroll: true,
    keys: true,
    vi: true,
    content: cellSafe(lines.join('\n')),
  });
  const page = () => Math.max(1, (overlay.height as number) - 2);
  overlay.key(['pageup'], () => (overlay.scroll(-page()), screen.render()));
  overlay.key(['pagedown'], () => (overlay.scroll(page()), screen.render()));
  return overlay;
}
