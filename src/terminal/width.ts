import { stripVTControlCharacters } from 'node:util';
import { getEastAsianWidth } from 'unicode-properties';

/**
 * Columns a string takes on a terminal: East Asian wide and fullwidth characters and emoji with
 * emoji presentation take two, combining marks, zero-width joiners and variation selectors none
 * (UAX #11, UTS #51). Good enough to count wrapped rows.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (/\p{M}|[\u200b-\u200d]|[\ufe00-\ufe0f]/u.test(char)) continue;
    const eaw = getEastAsianWidth(code);
    // Emoji drawn as emoji by default take two cells; pictographs whose default is text (▶ ❤ ✔)
    // take one, as terminals (tmux, xterm, VTE) draw them.
    width += eaw === 'W' || eaw === 'F' || /\p{Emoji_Presentation}/u.test(char) ? 2 : 1;
  }
  return width;
}

/** Terminal rows a line takes when wrapped at `columns`; the colours we paint it with take none. */
export function rowsOf(text: string, columns: number): number {
  return Math.max(1, Math.ceil(displayWidth(stripVTControlCharacters(text)) / Math.max(1, columns)));
}
