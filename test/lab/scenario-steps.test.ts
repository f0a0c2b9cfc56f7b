// Fidelity 3: a step is a whole state. For every shipped scenario, the screen at step k going
// forward equals the screen at step k after going to the end and back (timings and ports aside).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveScenario, shippedScenarioFiles } from '../../src/scenario/catalog.ts';
import { loadScenario } from '../../src/scenario/parse/file.ts';
import { runScenarioLab, type ScenarioLab } from '../../lab/apps/scenario.ts';
import type { LabView } from '../../lab/view/view.ts';
import { waitFor } from '../support/helpers.ts';
import { headlessTerminal, pressKeys, screenText } from '../support/headless.ts';

/**
 * What may differ between two runs of the same seed: measured times (and so the padding after
 * them: "0.9 s" and "1.25 s" differ in width) and loopback ports.
 */
function comparable(screen: string): string {
  return screen
    .replace(/\d+(\.\d+)? ?(ms|µs|s\b|minutes|hours|days|years) */g, 'TIME ')
    .replace(/\d[\d.e+]* (GiB)/g, 'SIZE')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
}

describe('a scenario step is the same state forward and back (headless, 120x40)', () => {
  for (const file of shippedScenarioFiles()) {
    const name = loadScenario(file).name;
    it(name, async () => {
      process.env.FORCE_COLOR = '0';
      const term = headlessTerminal(120, 40);
      let view: LabView | null = null;
      let lab: ScenarioLab | null = null;
      const done = runScenarioLab(resolveScenario(name), 'native', {
        input: term.input,
        output: term.output,
        onView: (v, l) => ((view = v), (lab = l)),
      });
      await waitFor(() => view !== null, 'the lab');
      const v = view as unknown as LabView;
      const l = lab as unknown as ScenarioLab;
      const screen = () => {
        v.render(true);
        return comparable(screenText(v.screen).join('\n'));
      };
      const settle = (k: number) => waitFor(() => !l.busy && l.run.done === k, `step ${k}`, 60_000);
      const total = l.scenario.steps.length;
      const forward: string[] = [];
      for (let k = 1; k <= total; k++) {
        await pressKeys(v, term.input, ' ');
        await settle(k);
        forward[k] = screen();
      }
      for (let k = total - 1; k >= 1; k--) {
        await pressKeys(v, term.input, '\x1b[D'); // ←
        await settle(k);
        assert.equal(screen(), forward[k], `${name}: step ${k} coming back differs from going forward`);
      }
      await pressKeys(v, term.input, 'q');
      assert.equal(await done, 0);
    });
  }
});
