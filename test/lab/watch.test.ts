// `dhlab check client --watch`: the lab watches the grader. Headless at 120x40: space starts each
// case, the narration lists the cases and their verdicts, the server perspective holds the grader's
// server (one ladder per case's connection), Eve's the student's wire, with the frame the relay
// sent twice seen twice; q after the last case returns the same result as without the lab.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { clientCases, gradeClient } from '../../src/exercises/client-exercise.ts';
import type { LabView } from '../../lab/view/view.ts';
import { watchGrading, type GradingWatch } from '../../lab/apps/watch.ts';
import { headlessTerminal, pressKeys, screenText } from '../support/headless.ts';
import { waitFor } from '../support/helpers.ts';
import { run } from '../support/cli-run.ts';

const CLIENT = [
  process.execPath,
  '--import',
  'tsx',
  path.resolve(import.meta.dirname, '../exercises/reference/client.ts'),
];

/** The client exercise graded with the lab watching, on a headless terminal of this size. */
async function watchedGrading(seed: string, width: number, height: number) {
  process.env.FORCE_COLOR = '0';
  const term = headlessTerminal(width, height);
  let view: LabView | null = null;
  let watch: GradingWatch | null = null;
  const cases = clientCases(seed);
  const grading = watchGrading(
    {
      title: 'dhlab check client',
      subtitle: `seed ${seed}`,
      cases,
      input: term.input,
      output: term.output,
      onView: (v, w) => ((view = v), (watch = w)),
    },
    (observer) => gradeClient(CLIENT, seed, undefined, observer, [...cases.keys()]),
  );
  await waitFor(() => view !== null, 'the lab');
  const lab = view as unknown as LabView;
  const screen = () => {
    lab.render(true);
    return screenText(lab.screen).join('\n');
  };
  await waitFor(() => screen().includes('space starts case 1/7'), 'the first case waits for space');
  return {
    term,
    cases,
    grading,
    lab,
    watch: watch as unknown as GradingWatch,
    screen,
    press: (keys: string) => pressKeys(lab, term.input, keys),
  };
}

describe('dhlab check client --watch', () => {
  it('space runs one case at a time; the server and Eve perspectives fill; q returns the grade', async () => {
    const { cases, grading, watch: w, screen, press } = await watchedGrading('1', 120, 40);
    assert.match(screen(), /3\. a replayed frame/, 'every case is listed before it runs');
    for (let i = 1; i <= cases.length; i++) {
      await press(' ');
      await waitFor(
        () => screen().includes(i < cases.length ? `space starts case ${i + 1}/7` : '7 of 7 passed'),
        `case ${i}`,
        30_000,
      );
      assert.match(screen(), new RegExp(`case ${i}: ✓ passed`));
    }
    const honest = cases[0]?.name as string;
    assert.ok(w.grader.ladders.has(`1: ${honest}`), [...w.grader.ladders.keys()].join(', '));
    assert.ok(w.grader.ladders.has('1: bob'));
    // Case 3's relay sent bob's line twice: the student's wire (Eve) shows two data frames with seq 2.
    const eveFrames = w.eve.frames.tail(w.eve.frames.length);
    const replayed = eveFrames.filter(
      (f) => f.peer.startsWith('#3') && f.type === 'data' && f.seq === 2 && f.dir === '←',
    );
    assert.equal(replayed.length, 2, eveFrames.map((f) => `${f.peer} ${f.type} ${f.seq} ${f.dir}`).join('\n'));
    assert.ok(
      eveFrames.every((f) => f.plaintext === undefined),
      'Eve reads no plaintext',
    );
    await press('q');
    const result = await grading;
    assert.equal(result.ok, true);
    assert.equal(result.passed, 7);
  });

  it('at 80x24: the verdict of the case in front shows, the inspector follows its student, no dead ← back', async () => {
    const { cases, grading, screen, press } = await watchedGrading('2', 80, 24);
    for (let i = 1; i <= 2; i++) {
      await press(' ');
      await waitFor(() => screen().includes(`space starts case ${i + 1}/7`), `case ${i}`, 30_000);
      const now = screen();
      assert.match(now, new RegExp(`case ${i}: ✓ passed`), now);
      assert.ok(now.includes(`handshake: server ⇄ ${i}: ${cases[i - 1]?.name ?? '?'}`), now);
      assert.doesNotMatch(now, /← back|←: back/, now);
    }
    await press('?');
    await waitFor(() => screen().includes('dhlab scenario: keys'), 'the help');
    assert.doesNotMatch(screen(), /back one step/);
    await press('\x1b');
    await waitFor(() => !screen().includes('dhlab scenario: keys'), 'the help to close');
    await press('q');
    const result = await grading;
    assert.equal(result.passed, 7);
  });

  it('--watch needs a terminal and is for the client and server exercises only (ERR_USAGE, exit 2)', async () => {
    const piped = run(['check', 'client', '--watch', '--', ...CLIENT]);
    assert.equal(await piped.exit, 2);
    assert.match(piped.stderr.join('\n'), /--watch opens the lab: it needs a terminal/);
    const other = run(['check', 'dh', '--watch', '--', ...CLIENT]);
    assert.equal(await other.exit, 2);
    assert.match(other.stderr.join('\n'), /--watch is for the client and server exercises/);
  });
});
