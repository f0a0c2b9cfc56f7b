import { getEngine } from '../crypto/engines.ts';
import { safeText } from '../terminal/safe-text.ts';
import { wrapLine } from '../terminal/narrate.ts';
import type { Scenario } from './types.ts';
import { ScenarioRun, type StepResult, type WireRecording } from './runtime/runner.ts';

/** The transcript of one step, as lines for a terminal or a log. */
export function stepTranscript(result: StepResult, total: number, width = 80): string[] {
  const out = [`── step ${result.index + 1}/${total}: ${safeText(result.step.title)} ──`];
  for (const paragraph of result.narration.split('\n')) out.push(...wrapLine(safeText(paragraph), width, ''));
  for (const line of result.lines) out.push(...wrapLine(`  > ${safeText(line)}`, width, '      '));
  for (const c of result.checks)
    out.push(
      ...wrapLine(
        `  ${c.ok ? '✓' : '✗'} ${safeText(c.what)}${c.found ? `  (found: ${safeText(c.found)})` : ''}`,
        width,
        '      ',
      ),
    );
  out.push('');
  return out;
}

/** Runs every step headless; returns the results (the world is closed). */
export async function runHeadless(
  scenario: Scenario,
  engineName: string,
  out: (line: string) => void,
  recording: WireRecording = {},
): Promise<StepResult[]> {
  const run = new ScenarioRun(scenario, getEngine(engineName), undefined, recording);
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
