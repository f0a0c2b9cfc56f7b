import path from 'node:path';
import { parseArgs } from 'node:util';
import { getEngine } from '../crypto/engines.ts';
import { safeText } from '../terminal/safe-text.ts';
import { DhlabError, fileError } from '../errors.ts';
import { writeRegularFile } from '../files.ts';
import { print, terminal } from '../terminal/output.ts';
import { wrapLine } from '../terminal/narrate.ts';
import { resolveScenario, shippedScenarioFiles } from './catalog.ts';
import { exportHtml, exportMarkdown } from './export.ts';
import { loadScenario } from './file.ts';
import type { Scenario } from './types.ts';
import { firstFailure, ScenarioRun, type StepResult } from './runner.ts';

export const SCENARIO_USAGE = `  dhlab scenario --list
  dhlab scenario NAME|FILE [--headless] [--export handout.md|handout.html] [--seed N] [--crypto native|forge]
      Step through a lesson in the lab (space or → next step, ← back), or run it with no terminal
      (--headless: prints the transcript, exits 1 naming the first expectation that failed).
      --seed N changes the reproducible (and therefore INSECURE) randomness of the run.
`;

/** The transcript of one step, as lines for a terminal or a log. */
export function stepTranscript(result: StepResult, total: number, width = 80): string[] {
  const out = [`── step ${result.index + 1}/${total}: ${safeText(result.step.title)} ──`];
  for (const paragraph of result.narration.split('\n')) out.push(...wrapLine(safeText(paragraph), width, ''));
  for (const line of result.lines) out.push(...wrapLine(`  > ${safeText(line)}`, width, '      '));
  for (const c of result.checks)
    out.push(...wrapLine(`  ${c.ok ? '✓' : '✗'} ${safeText(c.what)}${c.found ? `  (found: ${safeText(c.found)})` : ''}`, width, '      '));
  out.push('');
  return out;
}

/** Runs every step headless; returns the results (the world is closed). */
export async function runHeadless(scenario: Scenario, engineName: string, out: (line: string) => void): Promise<StepResult[]> {
  const run = new ScenarioRun(scenario, getEngine(engineName));
  try {
    out(safeText(`${scenario.title}  [${scenario.file}, seed ${scenario.seed}: reproducible, INSECURE randomness]`));
    out('');
    while (!run.finished) {
      const result = await run.next();
      if (!result) break;
      for (const line of stepTranscript(result, scenario.steps.length)) out(line);
    }
    return run.results;
  } finally {
    await run.close();
  }
}

export async function scenarioCommand(args: string[], runInLab: (scenario: Scenario, engineName: string) => Promise<number>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        list: { type: 'boolean', default: false },
        headless: { type: 'boolean', default: false },
        export: { type: 'string' },
        seed: { type: 'string' },
        crypto: { type: 'string', default: 'native' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new DhlabError('ERR_USAGE', (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return (print(SCENARIO_USAGE.trimEnd()), 0);
  if (values.list) {
    // One line each: the name to type and the title, which says what the lesson shows.
    for (const file of shippedScenarioFiles()) {
      const s = loadScenario(file);
      print(`${s.name.padEnd(24)} ${s.title}`);
    }
    print('\ndhlab scenario NAME opens one in the lab; --headless runs it without a terminal; docs/TEACHING.md has a lesson plan for each.');
    return 0;
  }
  if (positionals.length !== 1) throw new DhlabError('ERR_USAGE', 'scenario needs one NAME or FILE (dhlab scenario --list shows the names)');
  const scenario = resolveScenario(positionals[0] as string);
  if (values.seed !== undefined) {
    if (!/^\d{1,18}$/.test(values.seed)) throw new DhlabError('ERR_USAGE', `--seed must be a whole number, got "${values.seed}"`);
    scenario.seed = values.seed;
  }
  const engineName = values.crypto ?? 'native';
  const exportTo = values.export;
  if (exportTo !== undefined && !/\.(md|html)$/.test(exportTo)) throw new DhlabError('ERR_USAGE', '--export needs a file name ending in .md or .html');
  if (!values.headless && exportTo === undefined && terminal.interactive) return runInLab(scenario, engineName);

  const results = await runHeadless(scenario, engineName, (line) => print(line));
  if (exportTo !== undefined) {
    const text = exportTo.endsWith('.html') ? exportHtml(scenario, results) : exportMarkdown(scenario, results);
    try {
      writeRegularFile(exportTo, text);
    } catch (error) {
      throw fileError(error, `cannot write ${exportTo}`);
    }
    print(`handout written to ${path.resolve(exportTo)}`);
  }
  const failure = firstFailure(scenario, results);
  if (failure) throw new DhlabError('ERR_EXPECTATION', failure);
  const checks = results.reduce((n, r) => n + r.checks.length, 0);
  print(`all ${checks} expectations of ${results.length} steps hold`);
  return 0;
}
