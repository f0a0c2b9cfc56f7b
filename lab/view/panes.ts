import type { Palette } from '../../src/terminal/colors.ts';
import { foldStateTables, wrapLine } from '../../src/terminal/narrate.ts';
import { safeText } from '../../src/terminal/safe-text.ts';
import { displayWidth } from '../../src/terminal/width.ts';
import { anyGroup } from '../../src/insecure/toy-groups.ts';
import type { UiState } from '../keys/ui-state.ts';
import type { LadderStep } from '../model/ladder.ts';
import type { Perspective } from '../model/model.ts';
import { chatLine, fit, frameLines, ladderLines, windowOf, type RenderOptions } from './render.ts';

/**
 * The panes as text: each takes the model, the UI state and its inner size and returns its label
 * and its lines, with no screen. view.ts puts them in blessed boxes.
 */
export interface PaneInput {
  perspective: Perspective;
  state: Readonly<UiState>;
  options: RenderOptions;
  colors: Palette;
}

export interface PaneText {
  label: string;
  content: string;
}

/** Title segments that must survive a cut: the warning, and the group the room runs. */
function essential(segment: string): boolean {
  return segment.includes('INSECURE') || anyGroup(segment.split(' ')[0] ?? '') !== undefined;
}

/**
 * The title bar: the app, the view, who types, the subtitle's parts; "?=help" always shows. When
 * it is too wide, the free words go first (a scenario's name, the engine, the seed), then the
 * warning shrinks to its one word; the view, the group and INSECURE stay as long as anything can.
 */
export function titleLine(
  perspective: Perspective,
  typist: string | undefined,
  subtitle: string,
  width: number,
  app = 'dhlab lab',
): string {
  const viewName = perspective.kind === 'eve' ? 'Eve (wiretap)' : perspective.name;
  const helpHint = '   ?=help';
  const room = width - helpHint.length - 1;
  // The subtitle may hold a file's words (a scenario's name and titles): the sanitizer first.
  const parts = [app, `view: ${viewName}`, ...(typist ? [`typing as: ${typist}`] : []), ...subtitle.split(' · ')]
    .filter((part) => part !== '')
    .map((part) => safeText(part));
  const text = () => parts.filter((part) => part !== '').join(' · ');
  const typingAt = typist ? 2 : -1;
  const free = parts.flatMap((part, i) => (i > 1 && i !== typingAt && !essential(part) ? [i] : [])).reverse();
  // What goes first when it does not fit: the subtitle's free words (right to left), the app's
  // name (the terminal's title has it), the warning's detail, then who types.
  const shrink = (i: number, whole = false) => {
    const over = displayWidth(text()) - room;
    const part = parts[i] as string;
    if (over > 0) parts[i] = !whole && displayWidth(part) - over >= 6 ? fit(part, displayWidth(part) - over) : '';
  };
  free.forEach((i) => shrink(i));
  shrink(0, true);
  parts.forEach((part, i) => {
    if (displayWidth(text()) > room && part.includes('INSECURE')) parts[i] = 'INSECURE';
  });
  if (typingAt > 0) shrink(typingAt);
  return `${fit(` ${text()}`, room + 1)}${helpHint}`;
}

/** The handshake ladder of one connection, scrolled to the cursor when the pane has focus. */
export function ladderPane(
  pane: PaneInput,
  connection: string,
  steps: LadderStep[],
  width: number,
  height: number,
): PaneText {
  const { perspective, state, colors } = pane;
  const title =
    perspective.kind === 'eve'
      ? ` what Eve knows: ${safeText(connection)} `
      : perspective.kind === 'server'
        ? ` handshake: server ⇄ ${safeText(connection)} `
        : perspective.kind === 'mallory'
          ? ` Mallory's handshake: ${safeText(connection)} `
          : ` handshake: ${perspective.name} ⇄ server `;
  const focused = state.focus === 'inspector';
  const lines = ladderLines(
    steps,
    pane.options,
    width - 1,
    perspective.kind === 'client' ? perspective.name : 'server',
  );
  const stepWindow = windowOf(lines, height, focused ? state.stepCursor : null);
  const rows = stepWindow.items.map((line, i) =>
    focused && stepWindow.first + i === state.stepCursor ? colors.bold(`▶${line}`) : ` ${line}`,
  );
  // At 80x24 the first steps (group, p, g) are above the pane: say how many, and how to reach them.
  if (stepWindow.first > 0 && rows.length > 1)
    rows[0] = colors.dim(fit(` ↑ ${stepWindow.first + 1} more above (↑/PgUp)`, width));
  return { label: focused ? `[${title.trim()}]` : title, content: rows.join('\n') };
}

/** The frames that fit, newest last, or ending at the cursor when the pane has focus. */
export function framesPane(pane: PaneInput, width: number, height: number): PaneText {
  const { perspective, state, colors } = pane;
  const frames = perspective.frames;
  // Render only what fits: the ring may hold 10,000 frames.
  const cursor = state.focus === 'frames' ? state.frameCursor : null;
  const out: string[] = [];
  for (let i = cursor ?? frames.length - 1; i >= 0 && out.length < height; i--) {
    const row = frames.at(i);
    if (!row) break;
    out.unshift(
      ...frameLines(row, pane.options, width - 1).map((line, j) =>
        j === 0 && i === cursor ? colors.bold(`▶${line}`) : ` ${line}`,
      ),
    );
  }
  const label = state.focus === 'frames' ? `[frames: ${frames.total}]` : ` frames: ${frames.total} `;
  return { label, content: out.slice(Math.max(0, out.length - height)).join('\n') };
}

/** The chat as this perspective sees it; lines wrap (an error's reason is the point of it), the newest rows show. */
export function chatPane(pane: PaneInput, width: number, height: number): PaneText {
  const { perspective } = pane;
  const rows = perspective.chat.tail(height).flatMap((line) => chatLine(line, pane.options, width - 1));
  const label = perspective.kind === 'eve' ? ' what Eve gets instead of the chat ' : ` chat: ${perspective.name} `;
  return { label, content: rows.slice(-height).join('\n') };
}

/**
 * A lesson's narration for this step, from `state.narrationScroll` (clamped: returned as
 * `scroll`). Prose wraps flush left; action output and checks (">", "✓", "✗") hang indented; AES
 * state tables fold to the pane's width instead of wrapping (lesson 13 at 80x24).
 */
export function narrationPane(
  pane: PaneInput,
  heading: string,
  text: string[],
  width: number,
  height: number,
): PaneText & { scroll: number } {
  const inner = width - 1;
  const wrapped = foldStateTables(text, inner).flatMap((line) =>
    wrapLine(line, inner, /^[>✓✗ ]/.test(line) ? '    ' : ''),
  );
  const scroll = Math.max(0, Math.min(pane.state.narrationScroll, wrapped.length - height));
  const shown = wrapped.slice(scroll, scroll + height);
  if (scroll + height < wrapped.length)
    shown[height - 1] = pane.colors.bold(`▼ ${wrapped.length - scroll - height + 1} more lines: ] scrolls down, [ up`);
  return { label: ` ${fit(safeText(heading), width - 2)} `, content: shown.join('\n'), scroll };
}

/**
 * The ladder a perspective shows: a client's only one; for the server, Eve and Mallory the
 * connection `index` picks, or (index 0) the first named in `wanted` (a name also matches a
 * label it begins).
 */
export function ladderShown(
  perspective: Perspective,
  index: number,
  wanted: readonly string[],
): { connection: string; steps: LadderStep[] } {
  const connections = [...perspective.ladders.keys()];
  if (connections.length === 0) return { connection: '', steps: [] };
  const preferred = connections.findIndex((c) => wanted.some((w) => c === w || c.startsWith(`${w} `)));
  const connection = connections[index === 0 && preferred >= 0 ? preferred : index % connections.length] as string;
  return { connection, steps: perspective.ladders.get(connection) ?? [] };
}
