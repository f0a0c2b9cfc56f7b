import path from 'node:path';
import { DhlabError, fileError } from '../errors.ts';
import { writeRegularFile } from '../files.ts';
import { resolveScenario, shippedScenarioFiles } from '../scenario/catalog.ts';
import { runHeadless } from '../scenario/headless.ts';
import { exportHtml, exportMarkdown } from '../handout/export.ts';
import { loadScenario } from '../scenario/parse/file.ts';
import { firstFailure } from '../scenario/runtime/runner.ts';
import { print, terminal } from '../terminal/output.ts';
import type { ParsedArgs, Verb } from './verb.ts';
import { captureFromFlags, finishCapture, PCAP_FLAG } from './capture-options.ts';
import { KEYLOG_FLAG, keyLogFromFlags } from './key-log-option.ts';

export const scenarioVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: [
    'dhlab scenario --list',
    'dhlab scenario NAME|FILE [--headless] [--export FILE.md|FILE.html [--force]] [--seed N]',
  ],
  description: [
    'Steps through a lesson in the lab (space or → the next step, ← back), or runs it with no',
    'terminal (--headless: prints the transcript, exits 1 naming the first expectation that failed).',
    "--export writes the run as a handout; --seed N changes the run's reproducible (INSECURE) randomness.",
  ],
  flags: {
    list: { type: 'boolean', help: 'the shipped lessons, one line each' },
    headless: { type: 'boolean', help: 'print the transcript instead of opening the lab' },
    export: {
      type: 'string',
      value: 'FILE.md|FILE.html',
      needs: 'a file name ending in .md or .html',
      help: 'write the run as a handout',
    },
    force: { type: 'boolean', help: 'with --export: replace a file that exists' },
    seed: { type: 'string', value: 'N', needs: 'a whole number', help: "the run's seed (default: the lesson's own)" },
    ...PCAP_FLAG,
    ...KEYLOG_FLAG,
  },
  positionals: true,
  examples: ['dhlab scenario 03-eve-passive', 'dhlab scenario 08-tampering --export tampering.html'],
  run: scenarioCommand,
};

function listScenarios(): number {
  // One line each: the name to type and the title, which says what the lesson shows.
  for (const file of shippedScenarioFiles()) {
    const s = loadScenario(file);
    print(`${s.name.padEnd(24)} ${s.title}`);
  }
  print(
    '\ndhlab scenario NAME opens one in the lab; --headless runs it without a terminal; docs/TEACHING.md has a lesson plan for each.',
  );
  return 0;
}

async function scenarioCommand({ values, positionals }: ParsedArgs): Promise<number> {
  if (values.list === true) return listScenarios();
  if (positionals.length !== 1)
    throw new DhlabError('ERR_USAGE', 'scenario needs one NAME or FILE (dhlab scenario --list shows the names)');
  const exportTo = values.export;
  if (typeof exportTo === 'string' && !/\.(md|html)$/.test(exportTo))
    throw new DhlabError('ERR_USAGE', '--export needs a file name ending in .md or .html');
  if (values.force === true && exportTo === undefined) throw new DhlabError('ERR_USAGE', '--force is for --export');
  const scenario = resolveScenario(positionals[0] as string);
  if (typeof values.seed === 'string') {
    if (!/^\d{1,18}$/.test(values.seed))
      throw new DhlabError('ERR_USAGE', `--seed must be a whole number, got "${values.seed}"`);
    scenario.seed = values.seed;
  }
  const engineName = String(values.crypto);
  const capture = captureFromFlags(values);
  const keyLog = keyLogFromFlags(values);
  const recording = { ...(capture ? { capture } : {}), ...(keyLog ? { keyLog } : {}) };
  if (values.headless !== true && exportTo === undefined && terminal.interactive) {
    const code = await (await import('../../lab/cli.ts')).runScenarioLab(scenario, engineName, { recording });
    await finishCapture(capture, 'scenario');
    return code;
  }
  const results = await runHeadless(scenario, engineName, (line) => print(line), recording).finally(() =>
    finishCapture(capture, 'scenario'),
  );
  const failure = firstFailure(scenario, results);
  if (typeof exportTo === 'string') {
    const text = exportTo.endsWith('.html') ? exportHtml(scenario, results) : exportMarkdown(scenario, results);
    try {
      writeRegularFile(exportTo, text, 0o644, values.force === true);
    } catch (error) {
      throw fileError(error, `cannot write ${exportTo}`);
    }
  }
  const checks = results.reduce((n, r) => n + r.checks.length, 0);
  if (!failure) print(`all ${checks} expectations of ${results.length} steps hold`);
  // The path last, where a user looks for what to open (a failed run's handout shows the failure).
  if (typeof exportTo === 'string') print(`handout written to ${path.resolve(exportTo)}`);
  if (failure) throw new DhlabError('ERR_EXPECTATION', failure);
  return 0;
}
