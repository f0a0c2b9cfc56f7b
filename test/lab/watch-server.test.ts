// `dhlab check server --watch`: the lab watches the grader's clients meet the student's server.
// Headless at 120x40: space starts each case; the grader's perspective holds one ladder per client
// of the grader (their secrets: they are the grader's own), Eve's the wire of every connection the
// case opened, numbered in order and read without a key; q returns the same result as without.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gradeServer, watchedServerCases } from '../../src/exercises/server-exercise.ts';
import { serverScript } from '../../src/exercises/server-cases.ts';
import type { LabView } from '../../lab/view/view.ts';
import { watchGrading, type GradingWatch } from '../../lab/apps/watch.ts';
import { headlessTerminal, pressKeys, screenText } from '../support/headless.ts';
import { waitFor } from '../support/helpers.ts';

const SERVER = ['python3', path.resolve(import.meta.dirname, '../exercises/reference/server.py')];

describe('dhlab check server --watch', () => {
  it("space runs one case at a time; the grader's and Eve's perspectives fill; q returns the grade", async () => {
    process.env.FORCE_COLOR = '0';
    const term = headlessTerminal(120, 40);
    let view: LabView | null = null;
    let watch: GradingWatch | null = null;
    const cases = watchedServerCases('1');
    // The one-member and three-member cases: enough to see every perspective fill.
    const order = [0, 1];
    const grading = watchGrading(
      {
        title: 'dhlab check server',
        subtitle: 'seed 1',
        cases,
        side: 'clients',
        input: term.input,
        output: term.output,
        onView: (v, w) => ((view = v), (watch = w)),
      },
      (observer) => gradeServer(SERVER, '1', undefined, order, observer),
    );
    await waitFor(() => view !== null, 'the lab');
    const lab = view as unknown as LabView;
    const w = watch as unknown as GradingWatch;
    const screen = () => {
      lab.render(true);
      return screenText(lab.screen).join('\n');
    };
    await waitFor(() => screen().includes('space starts case 1/9'), 'the first case waits for space');
    assert.match(screen(), /8\. a member that stops reading/, 'every case is listed before it runs');
    await pressKeys(lab, term.input, ' ');
    await waitFor(() => screen().includes('space starts case 2/9'), 'case 1', 30_000);
    assert.match(screen(), /case 1: ✓ passed/);
    assert.ok(
      w.lines().includes("grader: the grader's clients, their secrets shown; eve: the student's server's wire"),
    );
    assert.match(screen(), /view: grader/);
    await pressKeys(lab, term.input, ' ');
    await waitFor(() => screen().includes('2 of 9 passed'), 'case 2', 30_000);
    const [a, b, c] = serverScript('1').names;
    for (const ladder of [`1: ${a}`, `2: ${a}`, `2: ${b}`, `2: ${c}`])
      assert.ok(w.grader.ladders.has(ladder), [...w.grader.ladders.keys()].join(', '));
    // Case 1 opened one connection through the tap, case 2 three: Eve numbers them #1 to #4.
    const eveFrames = w.eve.frames.tail(w.eve.frames.length);
    const peers = new Set(eveFrames.map((f) => f.peer.split(' ')[0]));
    for (const id of ['#1', '#2', '#3', '#4']) assert.ok(peers.has(id), [...peers].join(', '));
    assert.ok(
      eveFrames.some((f) => f.type === 'server_key'),
      'Eve sees the handshake',
    );
    assert.ok(
      eveFrames.every((f) => f.plaintext === undefined),
      'Eve reads no plaintext',
    );
    await pressKeys(lab, term.input, 'q');
    const result = await grading;
    assert.equal(result.passed, 2);
  });
});
