/**
 * Safe display of peer-controlled text: the one function every output path uses (plain client,
 * server log, narration, --trace, the lab's widgets) before a string a peer chose reaches a
 * terminal. docs/PROTOCOL.md s.6.3.
 *
 * A terminal obeys control characters in what it prints: ESC starts CSI/OSC/DCS sequences (move
 * the cursor, clear the screen, set the window title), CR and BS overwrite a line, C1 controls
 * (U+0080-U+009F) are 8-bit forms of the same. Bidi controls reorder what follows them
 * (CVE-2021-42574, "Trojan Source"), and U+2028/U+2029 break lines in some renderers. Each of
 * these becomes a visible escape, so what a peer sent can always be seen and never obeyed.
 */
import { BIDI_CONTROL_CLASS } from '../protocol/unicode-controls.ts';

/** Code points shown as escapes instead of being printed. */
const UNSAFE = new RegExp(`[\\p{Cc}${BIDI_CONTROL_CLASS}\\u2028\\u2029\\ufff9-\\ufffb]|\\p{Cs}`, 'gu');

const SHORT_ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeCodePoint(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short) return short;
  const code = char.codePointAt(0) as number;
  // C0, DEL and C1 (up to U+009F) as \xNN; the rest as \uNNNN. Lone surrogates (JSON lets a
  // peer send "\ud800") reach here one UTF-16 unit at a time.
  return code <= 0x9f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes a peer-controlled string safe to print on one terminal line: every control character
 * (C0, DEL, C1), bidi control, line/paragraph separator and lone surrogate becomes a visible
 * escape such as `\x1b`, `\r` or `\u202e`. Printable text, emoji and combining marks pass unchanged.
 * A string that was already safe is returned as is.
 */
export function safeText(text: string): string {
  // replace() with a global pattern starts at 0 and returns the same text when nothing matches.
  return text.replace(UNSAFE, escapeCodePoint);
}

/** safeText, cut to at most maxChars code points with an ellipsis: for peer text in one-line logs. */
export function safeExcerpt(text: string, maxChars: number): string {
  const chars = [...text];
  const cut = chars.length > maxChars ? `${chars.slice(0, maxChars).join('')}…` : text;
  return safeText(cut);
}

/** Shows bytes that are not a dhlab frame (an HTTP banner, say) as safe text. */
export function safeBytes(bytes: Uint8Array, maxChars = 40): string {
  return safeExcerpt(Buffer.from(bytes).toString('latin1'), maxChars);
}

/** Select Graphic Rendition (colour, bold, dim): the only escape sequence dhlab's own output uses. */
const SGR = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex -- matching our own colour codes

/**
 * safeText for a line dhlab styled itself: its colour codes (SGR, from src/terminal/colors.ts) stay, any
 * other control is escaped. Only for lines whose peer-chosen parts already went through safeText
 * (a peer's own SGR then arrives here as the visible text `\x1b[31m`, not as an escape).
 */
export function safeStyledText(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(SGR)) {
    out += safeText(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + safeText(text.slice(last));
}

/** What JSON.stringify leaves raw but a terminal obeys: DEL, C1, bidi controls, U+2028/9, U+FFF9-B. */
const JSON_UNSAFE = new RegExp(`[\\u007f-\\u009f${BIDI_CONTROL_CLASS}\\u2028\\u2029\\ufff9-\\ufffb]`, 'g');

/**
 * One JSON line that is safe on a terminal and parses to the same value: JSON.stringify escapes
 * C0 and lone surrogates (ES2019 well-formed stringify); the rest become \uXXXX escapes too.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    JSON_UNSAFE,
    (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}
