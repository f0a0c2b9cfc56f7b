import { PassThrough, Writable } from 'node:stream';
import type blessed from 'blessed';

/** Terminal streams for a blessed screen with no terminal: keys are written to `input`. */
export function headlessTerminal(columns: number, rows: number) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), {
    isTTY: true,
    columns,
    rows,
  });
  return { input, output };
}

/** What the screen shows, one string per row (blessed keeps cells as [attributes, character]). */
export function screenText(screen: blessed.Widgets.Screen): string[] {
  const lines = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
  return lines.map((line) => line.map((cell) => cell[1]).join(''));
}

/** How many keys blessed will see in `keys`: escape sequences are one key each. */
export function keyCount(keys: string): number {
  // eslint-disable-next-line no-control-regex -- counting escape sequences is the point
  return keys.match(/\x1b\[[0-9;]*[A-Za-z~]|\x1b.|[^]/gu)?.length ?? 0;
}

/** Writes keys and resolves once the view has handled every one of them (no fixed sleep). */
export async function pressKeys(
  view: { keysHandled: number },
  input: NodeJS.WritableStream,
  keys: string,
): Promise<void> {
  const target = view.keysHandled + keyCount(keys);
  input.write(keys);
  const started = Date.now();
  while (view.keysHandled < target) {
    if (Date.now() - started > 20_000) throw new Error(`the view handled ${view.keysHandled} of ${target} keys`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  // A handler may defer its work by a tick (blessed's readInput starts listening in nextTick);
  // ticks run before the next immediate.
  await new Promise((resolve) => setImmediate(resolve));
}
