import { getEastAsianWidth } from 'unicode-properties';

/**
 * Columns a string takes on a terminal: East Asian wide and fullwidth characters and emoji take
 * two, combining marks and zero-width joiners none (UAX #11). Good enough to count wrapped rows.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (/\p{M}|[\u200b-\u200d]|[\ufe00-\ufe0f]/u.test(char)) continue;
    const eaw = getEastAsianWidth(code);
    width += eaw === 'W' || eaw === 'F' || /\p{Extended_Pictographic}/u.test(char) && code > 0xff ? 2 : 1;
  }
  return width;
}

/** Terminal rows a line takes when wrapped at `columns`. */
export function rowsOf(text: string, columns: number): number {
  return Math.max(1, Math.ceil(displayWidth(text) / Math.max(1, columns)));
}
