import { safeText } from '../../src/terminal/safe-text.ts';
/**
 * What reaches a blessed widget must take on screen the cells blessed thinks it takes, or
 * blessed's differential redraw writes later cells one column off and the damage stays (the
 * fidelity issue: "servertdata", stray "m", a border lost after visiting Eve's view). blessed's
 * width tables (2015) know the CJK blocks but not emoji: 🔒 is two cells in a terminal and one in
 * blessed. So the lab draws its own marks with one-cell glyphs, and a character blessed would
 * mis-measure is shown as its code point, `\u{1f512}`: visible and exact, never drawn wrong.
 */

/** The double-width ranges blessed knows (node_modules/blessed/lib/unicode.js, chars.wide and chars.swide). */
const BLESSED_WIDE =
  /[\u1100-\u115f\u2329\u232a\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}]/u;

/**
 * Characters whose width a terminal and blessed may disagree on: anything outside the Basic
 * Multilingual Plane, characters drawn as emoji by default, and the joiners and variation
 * selectors that turn text into emoji sequences.
 */
const DISPUTED = /[\u{10000}-\u{10ffff}]|\p{Emoji_Presentation}|\p{Regional_Indicator}|\u200d|\ufe0e|\ufe0f|\u20e3/gu;

/** Text as the lab may hand it to blessed: disputed characters shown as `\u{...}`. */
export function cellSafe(text: string): string {
  return text.replace(DISPUTED, (char) =>
    BLESSED_WIDE.test(char) ? char : `\\u{${(char.codePointAt(0) as number).toString(16)}}`,
  );
}

/** Peer text as a widget may show it: controls escaped (the one sanitizer), then disputed widths (cellSafe). */
export function widgetText(text: string): string {
  return cellSafe(safeText(text));
}
