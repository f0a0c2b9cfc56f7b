import type { WireFrame } from '../protocol/frame.ts';
import { safeExcerpt } from '../terminal/safe-text.ts';

/*
 * A frame as a failure report shows it: its JSON with long values cut to their two ends (a
 * 512-digit y reads "ffffffff…fffffffe (512 digits)"), a data frame as its seq and size (its box
 * says nothing to a reader), and what it opened to when the grader could open it.
 */

const LONG = 40;

function shortened(value: unknown): unknown {
  if (typeof value === 'string' && value.length > LONG)
    return `${value.slice(0, 8)}…${value.slice(-8)} (${value.length} digits)`;
  return value;
}

/** One frame, decoded, for a report line; `opened`: the plaintext it carried, if known. */
export function frameShown(frame: WireFrame, opened: string | null = null): string {
  if (frame.type === 'data') {
    const outer = `data seq ${safeExcerpt(String(frame.seq), 20)} (${String(frame.box).length} base64 digits)`;
    return opened === null ? outer : `${outer}, opened: ${safeExcerpt(opened, 200)}`;
  }
  const fields = Object.fromEntries(Object.entries(frame).map(([key, value]) => [key, shortened(value)]));
  return safeExcerpt(JSON.stringify(fields), 240);
}

/** A sealed frame known by its seq and plaintext (the grader sealed it), for a report line. */
export function sealedShown(seq: number, plaintext: string): string {
  return `data seq ${seq}, opened: ${safeExcerpt(plaintext, 200)}`;
}
