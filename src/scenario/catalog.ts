import fs from 'node:fs';
import path from 'node:path';
import { DhlabError } from '../errors.ts';
import { PACKAGE_ROOT } from '../package-files.ts';
import { loadScenario } from './parse/file.ts';
import type { Scenario } from './types.ts';

/** The scenarios shipped in the package's scenarios/ directory. */
export const SCENARIO_DIR = path.join(PACKAGE_ROOT, 'scenarios');

export function shippedScenarioFiles(): string[] {
  return fs
    .readdirSync(SCENARIO_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(SCENARIO_DIR, f));
}

/** A shipped scenario's name ("04-weak-exponents", or just "weak-exponents"), or any file's path. */
export function resolveScenario(nameOrPath: string): Scenario {
  if (/[/\\]|\.ya?ml$/.test(nameOrPath)) return loadScenario(nameOrPath);
  const files = shippedScenarioFiles();
  const base = (f: string) => path.basename(f).replace(/\.ya?ml$/, '');
  const match =
    files.find((f) => base(f) === nameOrPath) ?? files.find((f) => base(f).replace(/^\d+-/, '') === nameOrPath);
  if (!match) {
    throw new DhlabError(
      'ERR_USAGE',
      `no scenario named "${nameOrPath}" (dhlab scenario --list shows them; a path to a .yaml file works too)`,
    );
  }
  return loadScenario(match);
}
