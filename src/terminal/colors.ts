import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

/**
 * The lab's colour legend, the same in the lab, the narration, --trace and the CLI:
 * public values, secrets (known to this side only), bytes on the wire, errors.
 */
export interface Palette {
  public: ChalkInstance;
  secret: ChalkInstance;
  wire: ChalkInstance;
  error: ChalkInstance;
  dim: ChalkInstance;
  bold: ChalkInstance;
}

/** Colour unless NO_COLOR is set (https://no-color.org), --no-color was given, or stdout is no terminal. */
export function colorLevel(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): 0 | 1 | 2 | 3 {
  if (argv.includes('--no-color') || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return 0;
  return supportsColor ? supportsColor.level : 0;
}

export function palette(level: 0 | 1 | 2 | 3 = colorLevel()): Palette {
  const chalk = new Chalk({ level });
  return {
    public: chalk.cyan,
    secret: chalk.magenta,
    wire: chalk.yellow,
    error: chalk.red,
    dim: chalk.dim,
    bold: chalk.bold,
  };
}
