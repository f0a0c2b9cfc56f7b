import type { Scenario } from '../src/scenario/file.ts';
export async function runScenarioLab(_s: Scenario, _e: string): Promise<number> {
  throw new Error('not yet');
}
