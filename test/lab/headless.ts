import { PassThrough, Writable } from 'node:stream';
import type blessed from 'blessed';

/** Terminal streams for a blessed screen with no terminal: keys are written to `input`. */
export function headlessTerminal(columns: number, rows: number) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), { isTTY: true, columns, rows });
  return { input, output };
}

/** What the screen shows, one string per row (blessed keeps cells as [attributes, character]). */
export function screenText(screen: blessed.Widgets.Screen): string[] {
  const lines = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
  return lines.map((line) => line.map((cell) => cell[1]).join(''));
}

export const tick = (ms = 60) => new Promise((resolve) => setTimeout(resolve, ms));
