import { parseArgs } from 'node:util';
import { DhlabError } from '../errors.ts';

/** One flag of a verb: how it parses, and the line its help prints. */
export interface Flag {
  type: 'string' | 'boolean';
  /** The value's placeholder in usage and help (`--port PORT`). */
  value?: string;
  default?: string | boolean;
  short?: string;
  /** What the value must be, for "--port needs a whole number from 0 to 65535". */
  needs?: string;
  help: string;
}

export type Flags = Record<string, Flag>;

/** A verb of `dhlab`: its help, its flags, and what runs it. */
export interface Verb {
  name: string;
  /** One line, for `dhlab --help`. */
  summary: string;
  /** The usage line(s) after `usage: `; the first is printed under a usage error. */
  synopsis: string[];
  /** What the verb does, a few lines. */
  description: string[];
  flags: Flags;
  /** Examples, each a command line a user can paste. */
  examples: string[];
  /** Positionals it takes (`dhlab check NAME`); none when absent. */
  positionals?: boolean;
  /** Everything after `--` goes to the verb as a command (`dhlab check dh -- python3 dh.py`). */
  command?: boolean;
  run(parsed: ParsedArgs): Promise<number> | number;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** After `--`, for a verb with `command`. */
  command: string[];
}

/** Flags every verb takes. */
export const COMMON_FLAGS: Flags = {
  crypto: {
    type: 'string',
    value: 'native|forge',
    default: 'native',
    help: 'the crypto engine: node:crypto, or node-forge (pure JavaScript)',
  },
  'no-color': { type: 'boolean', help: 'no colour, even on a terminal' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

/**
 * Reads a command line against a verb's flags, in dhlab's words rather than the parser's.
 * @throws DhlabError ERR_USAGE for an unknown flag (with a suggestion), a missing or stray value,
 * or a positional the verb does not take
 */
export function parseCommandLine(verb: Verb, args: string[]): ParsedArgs {
  const flags = { ...COMMON_FLAGS, ...verb.flags };
  const split = verb.command ? args.indexOf('--') : -1;
  const own = split >= 0 ? args.slice(0, split) : args;
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}) }]),
  );
  const { tokens } = parseArgs({ args: own, options, strict: false, allowPositionals: true, tokens: true });
  const values: ParsedArgs['values'] = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, f.default ?? (f.type === 'boolean' ? false : undefined)]),
  );
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!verb.positionals)
        throw new DhlabError('ERR_USAGE', `unexpected argument "${token.value}"${flagHint(token.value, flags)}`);
      positionals.push(token.value);
      continue;
    }
    const flag = flags[token.name];
    if (!flag)
      throw new DhlabError(
        'ERR_USAGE',
        `unknown option ${token.rawName}${suggestion(token.name, Object.keys(flags), '--')}`,
      );
    if (flag.type === 'boolean') {
      if (token.value !== undefined)
        throw new DhlabError('ERR_USAGE', `--${token.name} takes no value, got "${token.value}"`);
      values[token.name] = true;
      continue;
    }
    // `--port --json`: the next word is another flag, not the value the user forgot.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))
      throw new DhlabError('ERR_USAGE', `--${token.name} needs ${flag.needs ?? `a value (${flag.value ?? 'VALUE'})`}`);
    values[token.name] = token.value;
  }
  return { values, positionals, command: split >= 0 ? args.slice(split + 1) : [] };
}

/** "--port 5" typed as "port 5" or "-port": point at the flag. */
function flagHint(word: string, flags: Flags): string {
  const bare = word.replace(/^-+/, '');
  return flags[bare] ? ` (did you mean --${bare}?)` : '';
}

/** `; did you mean --port?` when one name is close (Damerau-Levenshtein at most 2), else nothing. */
export function suggestion(typed: string, names: string[], prefix = ''): string {
  const close = closest(typed, names);
  return close === undefined ? '' : ` (did you mean ${prefix}${close}?)`;
}

/** The name nearest `typed`, if it is within 2 edits (a swap counts one) and unambiguous. */
export function closest(typed: string, names: string[]): string | undefined {
  const scored = names
    .map((name) => ({ name, d: editDistance(typed.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d);
  const best = scored[0];
  if (!best || best.d > Math.min(2, Math.max(1, Math.floor(typed.length / 3)))) return undefined;
  return scored[1]?.d === best.d ? undefined : best.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  return (d[a.length] as number[])[b.length] as number;
}

/** What a usage error prints under its message: the verb's usage and where its help is. */
export function usageReminder(verb: Verb): string[] {
  return [`usage: ${verb.synopsis[0] ?? `dhlab ${verb.name}`}`, `see 'dhlab ${verb.name} --help'`];
}

const HELP_COLUMNS = 80;

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** `dhlab VERB --help`: what it does, its usage, its flags with their defaults, examples. */
export function verbHelp(verb: Verb): string {
  const out = [`dhlab ${verb.name}: ${verb.summary}`, ''];
  verb.synopsis.forEach((line, i) =>
    wrapWords(line, HELP_COLUMNS - 9).forEach((part, j) =>
      out.push(`${i === 0 && j === 0 ? 'usage: ' : '       '}${j > 0 ? '  ' : ''}${part}`),
    ),
  );
  out.push('', ...wrapWords(verb.description.join(' '), HELP_COLUMNS - 2).map((line) => `  ${line}`), '', 'options:');
  const flags = { ...verb.flags, ...COMMON_FLAGS };
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`;
    const shownDefault = typeof f.default === 'string' && f.default !== '' ? ` (default ${f.default})` : '';
    return { left, right: `${f.help}${shownDefault}` };
  });
  const width = Math.min(30, Math.max(...rows.map((r) => r.left.length)));
  const indent = ' '.repeat(width + 4);
  for (const { left, right } of rows) {
    // Fits 80 columns: a long flag takes a line of its own, a long text wraps under itself.
    const [first = '', ...more] = wrapWords(right, HELP_COLUMNS - indent.length);
    if (left.length > width) out.push(`  ${left}`, `${indent}${first}`);
    else out.push(`  ${left.padEnd(width)}  ${first}`);
    for (const line of more) out.push(`${indent}${line}`);
  }
  out.push('', 'examples:', ...verb.examples.map((e) => `  ${e}`));
  return out.join('\n');
}
