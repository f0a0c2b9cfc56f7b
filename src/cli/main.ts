import { DhlabError } from '../errors.ts';
import { packageVersion } from '../package-files.ts';
import { print, printError } from '../terminal/output.ts';
import { closest, parseCommandLine, usageReminder, verbHelp, type Verb } from './verb.ts';
import { overview, VERBS } from './verbs.ts';

const HELP_WORDS = new Set(['--help', '-h']);

/**
 * `dhlab <verb> ...`: finds the verb (loading only its module), reads its flags, runs it. Exit
 * status: 0, 1 for an error, 2 for a usage error, which prints what git prints: the error, the
 * verb's usage line, and where its help is, in at most five lines.
 */
export async function main(argv: string[]): Promise<number> {
  const [word, ...rest] = argv;
  if (word === undefined) return (print(overview(packageVersion())), 2);
  if (word === 'help' || HELP_WORDS.has(word))
    return rest[0] === undefined || HELP_WORDS.has(rest[0])
      ? (print(overview(packageVersion())), 0)
      : main([rest[0], '--help']);
  if (word === '--version' || word === '-V' || word === 'version') return (print(`dhlab ${packageVersion()}`), 0);
  const entry = VERBS.find((v) => v.name === word);
  if (!entry) {
    const near = word.startsWith('-')
      ? undefined
      : closest(
          word,
          VERBS.map((v) => v.name),
        );
    printError(
      `dhlab: ERR_USAGE: ${word.startsWith('-') ? `unknown option ${word} (dhlab takes a verb first)` : `'${word}' is not a dhlab verb`}`,
    );
    if (near) printError(`did you mean 'dhlab ${near}'?`);
    printError("see 'dhlab --help'");
    return 2;
  }
  const verb: Verb = { name: entry.name, summary: entry.summary, ...(await entry.load()) };
  try {
    const own = verb.command && rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (own.some((arg) => HELP_WORDS.has(arg))) return (print(verbHelp(verb)), 0);
    return await verb.run(parseCommandLine(verb, rest));
  } catch (error) {
    if (!(error instanceof DhlabError)) throw error;
    // The message may quote a peer or a file (a server's error text, a scenario's title): the
    // gate escapes it.
    printError(`dhlab: ${error.code}: ${error.message}`);
    if (error.code !== 'ERR_USAGE') return 1;
    for (const line of usageReminder(verb)) printError(line);
    return 2;
  }
}
