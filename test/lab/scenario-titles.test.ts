// A scenario file's own words reach the lab's labels only through the sanitizer: a title with an
// SGR colour, U+202E, U+2028 and a backspace shows them as escapes, and the screen equals its
// redraw (nothing shifted a label).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenarioLab, type ScenarioLab } from '../../lab/apps/scenario.ts';
import type { LabView } from '../../lab/view/view.ts';
import { parseScenario } from '../../src/scenario/parse/file.ts';
import { headlessTerminal, pressKeys, screenText } from '../support/headless.ts';
import { waitFor } from '../support/helpers.ts';

const HOSTILE = `title: "red \\e[31mtitle \\u202Eevil"
summary: s
actors:
  server: { group: toy23 }
  clients: [alice]
steps:
  - title: "step\\u2028two\\bthree"
    narration: hello
    action: { connect: alice }
`;

describe('scenario titles in the lab', () => {
  it('a hostile title and step title are shown escaped, never obeyed', async () => {
    process.env.FORCE_COLOR = '0';
    const term = headlessTerminal(120, 40);
    let view: LabView | null = null;
    let lab: ScenarioLab | null = null;
    const done = runScenarioLab(parseScenario(HOSTILE, 'evil\u202e.yaml'), 'native', {
      input: term.input,
      output: term.output,
      onView: (v, l) => ((view = v), (lab = l)),
    });
    await waitFor(() => view !== null, 'the lab');
    const v = () => view as unknown as LabView;
    const screen = () => {
      v().render(true);
      return screenText(v().screen).join('\n');
    };
    const first = screen();
    assert.match(first, /red \\x1b\[31mtitle \\u202eevil/);
    assert.equal(screen(), first, 'the screen equals its redraw');
    await pressKeys(v(), term.input, ' ');
    await waitFor(() => !(lab as unknown as ScenarioLab).busy && screen().includes('step 1/1'), 'step 1');
    const stepped = screen();
    assert.match(stepped, /step\\u2028two\\x08three/);
    assert.match(stepped, /scenario evil\\u202e/);
    // eslint-disable-next-line no-control-regex -- the point: no raw control, bidi or separator
    assert.doesNotMatch(stepped, /[\x1b\x08\u202e\u2028]/);
    await pressKeys(v(), term.input, 'q');
    await done;
  });
});
