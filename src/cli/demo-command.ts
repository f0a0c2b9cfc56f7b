import { getEngine } from '../crypto/engines.ts';
import { setFullValues, wrapLine } from '../terminal/narrate.ts';
import { palette } from '../terminal/colors.ts';
import { printStyled, terminal } from '../terminal/output.ts';
import { groupOption, stringOption } from './args.ts';
import { runDemo, type DemoStyle } from './demo.ts';
import type { ParsedArgs, Verb } from './verb.ts';

export const demoVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: ['dhlab demo [--group modp14|modp15|modp16] [--full] [--crypto native|forge]'],
  description: [
    'A real server and three scripted clients on loopback, narrated from the trace events of the',
    "protocol code: each handshake's values, each key, each message sealed three times. Exits 0.",
  ],
  flags: {
    group: {
      type: 'string',
      value: 'modp14|modp15|modp16',
      default: 'modp14',
      needs: 'a group: modp14, modp15 or modp16',
      help: 'the RFC 3526 group',
    },
    full: { type: 'boolean', help: 'print long values whole instead of abbreviated' },
  },
  examples: ['dhlab demo', 'dhlab demo --full --crypto forge | less'],
  run: demoCommand,
};

async function demoCommand({ values }: ParsedArgs): Promise<number> {
  setFullValues(values.full === true);
  // Fit the terminal, and 80 columns in a pipe: wrapped at spaces, values split only with --full.
  const width = terminal.stdoutIsTTY ? terminal.columns : 80;
  // The colours of the lab and --trace (off in a pipe, with NO_COLOR or --no-color).
  const colors = palette();
  const paint: Record<DemoStyle, (text: string) => string> = { ...colors, heading: colors.bold, prose: (text) => text };
  await runDemo({
    engine: getEngine(stringOption(values, 'crypto')),
    group: groupOption(values),
    // Prose wraps flush left; an indented trace line hangs its continuations under its value.
    out: (line, style) =>
      wrapLine(line, width, line.startsWith(' ') ? undefined : '').forEach((part) => printStyled(paint[style](part))),
  });
  return 0;
}
