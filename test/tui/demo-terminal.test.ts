import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { after, describe, it } from 'node:test';
import { Tmux } from './tmux.ts';
import { BIN } from '../support/cli-run.ts';
import { unlessInstalled } from '../support/helpers.ts';

/**
 * Each line's text and the SGR attributes in force where its text starts. tmux writes an escape
 * only where a cell's attributes change, so the state carries from line to line.
 */
function styledLines(capture: string): Array<{ text: string; fg: number | null; bold: boolean }> {
  const state = { fg: null as number | null, bold: false };
  const apply = (codes: string) => {
    for (const code of (codes || '0').split(';').map(Number)) {
      if (code === 0) Object.assign(state, { fg: null, bold: false });
      else if (code === 1 || code === 22) state.bold = code === 1;
      else if (code === 39 || (code >= 30 && code <= 37)) state.fg = code === 39 ? null : code;
    }
  };
  return capture.split('\n').map((line) => {
    let start: { fg: number | null; bold: boolean } | null = null;
    // Split at ESC: every piece after the first begins with an SGR's parameters and "m".
    line.split(ESC).forEach((piece, i) => {
      const sgr = i === 0 ? null : /^\[([\d;]*)m/.exec(piece);
      if (sgr) apply(sgr[1] as string);
      if (start === null && piece.length > (sgr?.[0].length ?? 0)) start = { ...state };
    });
    return { text: stripVTControlCharacters(line), ...(start ?? { ...state }) };
  });
}

const ESC = String.fromCharCode(27);
// The palette is the lab's (terminal/colors.ts).
const MAGENTA = 35;
const YELLOW = 33;
const CYAN = 36;

describe('dhlab demo on a terminal (tmux)', { skip: unlessInstalled(Tmux.available(), 'no tmux') }, () => {
  let term: Tmux | undefined;
  after(() => term?.kill());

  it('paints secrets, wire lines and public values as the lab does; headings bold', async () => {
    // supports-color turns colour off under CI=true (unless it knows the CI): a person has no CI.
    term = Tmux.start(`env -u CI ${process.execPath} ${BIN} demo`, { width: 160, height: 100 });
    await term.waitForScreen((s) => s.includes('What Eve saw on the wire'), 'the demo to finish', 60_000);
    const lines = styledLines(term.captureStyled());
    const lineWith = (text: string) => lines.find((l) => l.text.includes(text)) ?? assert.fail(`no line with ${text}`);
    assert.equal(lineWith('hashed shared secret K').fg, MAGENTA);
    assert.equal(lineWith('bytes on the wire').fg, YELLOW);
    assert.equal(lineWith('transcript hash H').fg, CYAN);
    assert.equal(lineWith('== alice connects').bold, true);
    assert.deepEqual(lineWith('every message stayed private'), {
      text: lineWith('every message stayed private').text,
      fg: null,
      bold: false,
    });
  });

  it('prints no colour into a pipe', () => {
    const out = execFileSync(process.execPath, [BIN, 'demo'], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: undefined },
    });
    assert.ok(out.includes('What Eve saw on the wire'));
    assert.ok(!out.includes(ESC), 'no escape in the output');
  });
});
