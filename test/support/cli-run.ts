import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Real `dhlab` processes for end-to-end tests. */
export const BIN = path.resolve(import.meta.dirname, '../../bin/dhlab.js');

export interface Running {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
  json(): Array<Record<string, unknown>>;
}

export function run(args: string[]): Running {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts);
    };
  };
  proc.stdout?.on('data', collect(stdout));
  proc.stderr?.on('data', collect(stderr));
  const exit = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return { proc, stdout, stderr, exit, json: () => stdout.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
