// Lesson 12 in the lab: the server's frames pane lists each TCP segment the resegmenting relay
// wrote, beside the frames, with the frames it carries (headless at 200x50).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { runScenarioLab, type ScenarioLab } from '../../lab/apps/scenario.ts';
import type { LabView } from '../../lab/view/view.ts';
import { waitFor } from '../support/helpers.ts';
import { headlessTerminal, pressKeys } from '../support/headless.ts';

describe('12-tcp-framing in the lab', () => {
  it("the server's frames pane shows the segments and the frames each carries", async () => {
    process.env.FORCE_COLOR = '0';
    const term = headlessTerminal(200, 50);
    let view: LabView | null = null;
    let lab: ScenarioLab | null = null;
    const done = runScenarioLab(resolveScenario('12-tcp-framing'), 'native', {
      input: term.input,
      output: term.output,
      onView: (v, l) => ((view = v), (lab = l)),
    });
    await waitFor(() => view !== null, 'the lab');
    const v = view as unknown as LabView;
    const l = lab as unknown as ScenarioLab;
    for (let k = 1; k <= 4; k++) {
      await pressKeys(v, term.input, ' ');
      await waitFor(() => !l.busy && l.run.done === k, `step ${k}`, 60_000);
    }
    const rows = l.perspectives.server.frames.tail(l.perspectives.server.frames.length);
    const segments = rows.filter((r) => r.type === 'tcp segment');
    assert.ok(segments.length >= 6, `${segments.length} segments`);
    assert.ok(
      segments.every((r) => r.peer === 'alice' || r.peer === 'bob'),
      segments.map((r) => r.peer).join(','),
    );
    assert.ok(
      segments.some((r) =>
        /frame \d+ \(whole, \d+ bytes\) \+ frame \d+ \(whole, \d+ bytes\) \+ frame \d+ \(bytes 0-/.test(r.fields ?? ''),
      ),
    );
    assert.ok(segments.some((r) => /^frame \d+ \(bytes \d+-\d+ of \d+\)$/.test(r.fields ?? '')));
    // Segments and frames are one list, in the order they happened.
    assert.ok(rows.findIndex((r) => r.type === 'tcp segment') < rows.findIndex((r) => r.type === 'client_key'));
    await pressKeys(v, term.input, 'q');
    assert.equal(await done, 0);
  });
});
