import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { runScenarioLab, type ScenarioLab } from '../../lab/apps/scenario.ts';
import type { LabView } from '../../lab/view/view.ts';
import { waitFor } from '../support/helpers.ts';
import { headlessTerminal, pressKeys, screenText } from '../support/headless.ts';

describe('a scenario in the lab, headless at 120x40', () => {
  it('steps forward and back with the narration, the step view and the named values marked', async () => {
    process.env.FORCE_COLOR = '0';
    const term = headlessTerminal(120, 40);
    let view: LabView | null = null;
    let lab: ScenarioLab | null = null;
    const done = runScenarioLab(resolveScenario('01-handshake'), 'native', {
      input: term.input,
      output: term.output,
      onView: (v, l) => {
        view = v;
        lab = l;
      },
    });
    await waitFor(() => view !== null, 'the lab');
    const screen = () => {
      (view as unknown as LabView).render(true);
      return screenText((view as unknown as LabView).screen).join('\n');
    };
    const press = async (key: string, until: (s: string) => boolean, what: string) => {
      await pressKeys(view as unknown as LabView, term.input, key);
      await waitFor(() => !(lab as unknown as ScenarioLab).busy && until(screen()), what, 20_000);
    };
    assert.match(screen(), /seed 1: every random value comes from it/);

    await press(' ', (s) => s.includes('step 1/9'), 'step 1');
    await press(' ', (s) => s.includes('step 2/9'), 'step 2');
    let s = screen();
    assert.match(s, /view: server/, 'step 2 shows the server view');
    assert.match(s, /✓ server fails with ERR_BAD_PUBLIC_KEY/);
    assert.match(s, /★y_c received\s+19/, 'B = 19 is named by the narration and marked');
    assert.match(s, /★y_s = g\^x mod p \(sent\)\s+8/);

    await press(' ', (s) => s.includes('step 3/9'), 'step 3');
    await press(' ', (s) => s.includes('step 4/9'), 'step 4');
    assert.match(screen(), /8\^15 mod 23 = 2/);

    // Back: the world is rebuilt and replayed to step 3, the same seed, the same values.
    await press('\x1b[D', (s) => s.includes('step 3/9'), 'back to step 3');
    await press(' ', (s) => s.includes('step 4/9'), 'step 4 again');
    s = screen();
    assert.match(s, /8\^15 mod 23 = 2/);
    assert.match(s, /✓ bob\.Z = server\/bob\.Z/);

    // toy23: every value of the ladder is a computation a class can check with pow().
    await press(' ', (s) => s.includes('step 5/9'), 'step 5');
    await press(' ', (s) => s.includes('step 6/9'), 'step 6');
    s = screen();
    assert.match(s, /view: server/);
    assert.match(s, /y_s = g\^x mod p \(sent\)\s+6 \(3 bits\)\s+= 2\^9 mod 23 = 6/);
    assert.match(s, /★Z = y_c\^x mod p \[secret\]\s+8 \(4 bits\)\s+= 16\^9 mod 23 =/);

    term.input.write('q');
    assert.equal(await done, 0);
  });
});
