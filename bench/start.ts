/**
 * Start time: `dhlab --help` from this checkout (TypeScript through tsx), as installed (the
 * JavaScript `npm pack` ships, compiled into a scratch folder laid out as a package), and bare
 * `node` in the same run, so the figures compare on one machine at one moment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile } from '../test/support/timing.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface StartRow {
  what: string;
  medianMs: number;
  p90Ms: number;
}

function timed(what: string, args: string[], runs: number): StartRow {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (run.status !== 0) throw new Error(`${what}: exit ${String(run.status)}: ${run.stderr.toString()}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { what, medianMs: percentile(times, 50), p90Ms: percentile(times, 90) };
}

/** The package's layout (bin/, dist/, package.json, its dependencies) without the sources beside it. */
function installedCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-bench-start-'));
  execFileSync(process.execPath, [
    path.join(ROOT, 'node_modules/typescript/bin/tsc'),
    '-p',
    path.join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    path.join(dir, 'dist'),
  ]);
  fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'scenarios'), path.join(dir, 'scenarios'));
  return dir;
}

export function benchStart(runs: number): StartRow[] {
  const installed = installedCopy();
  try {
    return [
      timed('bare node (node -e "")', ['-e', ''], runs),
      timed('dhlab --help, installed (dist/)', [path.join(installed, 'bin/dhlab.js'), '--help'], runs),
      timed('dhlab --help, checkout (tsx)', [path.join(ROOT, 'bin/dhlab.js'), '--help'], runs),
    ];
  } finally {
    fs.rmSync(installed, { recursive: true, force: true });
  }
}
