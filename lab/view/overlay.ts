import blessed from 'blessed';
import { cellSafe } from './cells.ts';

/**
 * A box over the lab (help, a value or a frame in full) that scrolls by ↑/↓, j/k and PgUp/PgDn
 * (blessed's scrollable box knows the first two, not the pages), and says so in its label, which
 * stays in view however long the content is.
 */
export function openOverlay(screen: blessed.Widgets.Screen, label: string, lines: string[], extraKeys = ''): blessed.Widgets.BoxElement {
  const overlay = blessed.box({
    parent: screen,
    top: 'center',
    left: 'center',
    width: '90%',
    height: '80%',
    border: 'line',
    label: cellSafe(`${label}· ${extraKeys}↑/↓ PgUp/PgDn scroll · Esc close `),
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
