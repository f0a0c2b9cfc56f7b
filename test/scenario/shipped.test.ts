import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { shippedScenarioFiles } from '../../src/scenario/catalog.ts';
import { exportHtml, exportMarkdown, fieldMeaning } from '../../src/handout/export.ts';
import { loadScenario } from '../../src/scenario/parse/file.ts';
import { firstFailure, ScenarioRun, type StepResult } from '../../src/scenario/runtime/runner.ts';
import { showValue } from '../../src/scenario/runtime/run-record.ts';
import { runHeadless } from '../../src/scenario/headless.ts';

const files = shippedScenarioFiles();

/** Every frame type the run used, from the steps' frame records. */
function frameTypes(results: StepResult[]): Set<string> {
  return new Set(results.flatMap((r) => r.frames.map((f) => f.frame.type)));
}

describe('the shipped scenarios, headless', () => {
  it('ships the nine lessons of the scenarios issue', () => {
    assert.ok(files.length >= 9, `found ${files.length} scenario files`);
  });

  for (const file of files) {
    describe(file.replace(/^.*\//, ''), () => {
      let results: StepResult[] = [];
      const scenario = loadScenario(file);

      it('runs every step and every expectation holds', async () => {
        const transcript: string[] = [];
        results = await runHeadless(scenario, 'native', (line) => transcript.push(line));
        assert.equal(results.length, scenario.steps.length);
        assert.equal(firstFailure(scenario, results), null, transcript.join('\n'));
        assert.ok(
          results.some((r) => r.checks.length > 0),
          'a scenario that checks nothing proves nothing',
        );
      });

      it('every field of every frame it sent has a meaning in the handout (none left unexplained)', () => {
        const unexplained = new Set(
          results.flatMap((r) =>
            r.frames.flatMap((f) =>
              Object.keys(f.frame)
                .filter((field) => fieldMeaning(f.frame.type, field) === undefined)
                .map((field) => `${f.frame.type}.${field}`),
            ),
          ),
        );
        assert.deepEqual([...unexplained], []);
      });

      it('exports a Markdown handout whose ladder names every frame type used', () => {
        const md = exportMarkdown(scenario, results);
        const diagrams = [...md.matchAll(/```mermaid\nsequenceDiagram\n([\s\S]*?)```/g)].map((m) => m[1] as string);
        assert.ok(diagrams.length > 0, 'no sequenceDiagram block');
        const arrows = diagrams
          .join('\n')
          .split('\n')
          .filter((l) => l.includes('->>'));
        for (const type of frameTypes(results))
          assert.ok(
            arrows.some((a) => a.includes(`: ${type}`)),
            `no arrow for ${type}`,
          );
        for (const r of results) assert.ok(md.includes(`## Step ${r.index + 1}: `));
        // Each ladder is anchored to its step by a note, so a printed page says which step it is.
        for (const r of results.filter((x) => x.frames.length > 0))
          assert.match(md, new RegExp(`  Note over \\w+(,\\w+)?: Step ${r.index + 1}\\. `));
        // Error codes whole (ERR_BAD_PUBLIC_KEY, not ERR_BAD_...).
        assert.doesNotMatch(md, /ERR_[A-Z_]*\.\.\./);
        // Labels keep every character: what is not plain is a numeric entity Mermaid decodes.
        const labels = diagrams
          .join('\n')
          .split('\n')
          .map((l) => l.replace(/^ +(Note over [\w,]+|\w+->>\w+): /, ''))
          .join('\n');
        assert.doesNotMatch(labels, /[^A-Za-z0-9 =_.,\-#;\n]/);
        const decoded = labels.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
        if (scenario.name === '10-small-subgroup') assert.match(decoded, /2 <= y <= p-2/);
      });

      it('counts a data frame the same way on the ladder and on its card: prefix and JSON, as on the wire', () => {
        const md = exportMarkdown(scenario, results);
        const onWire = new Set(
          results.flatMap((r) =>
            r.frames.filter((f) => f.frame.type === 'data').map((f) => `${String(f.frame.seq)} ${f.bytes.length + 4}`),
          ),
        );
        for (const m of md.matchAll(/data seq (\d+), (\d+) bytes/g))
          assert.ok(onWire.has(`${m[1]} ${m[2]}`), `data seq ${m[1]}, ${m[2]} bytes`);
        const html = exportHtml(scenario, results);
        for (const m of html.matchAll(/<b>data<\/b> · (\d+) bytes/g))
          assert.ok(
            [...onWire].some((w) => w.endsWith(` ${m[1]}`)),
            `card of ${m[1]} bytes`,
          );
      });

      it('cuts no label of its drawn ladders: long ones wrap onto more lines', () => {
        const html = exportHtml(scenario, results);
        const spans = [...html.matchAll(/<tspan [^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1] as string);
        assert.ok(spans.length > 0);
        for (const text of spans) assert.ok(!text.endsWith('…'), `a cut label: ${text}`);
      });

      it('gives every toy public value on a frame card in decimal too, equal to its hex', () => {
        const html = exportHtml(scenario, results);
        for (const m of html.matchAll(/<td>y<\/td><td><code>([0-9a-f]+)<\/code>( = (\d+))?/g)) {
          const hex = m[1] as string;
          if (hex.length > 16) assert.equal(m[2], undefined, 'a 2048-bit value stays in hex');
          else assert.equal(m[3], BigInt(`0x${hex}`).toString(), `y ${hex}`);
        }
      });

      it("notes every attack moment, refusal and restart on the step's ladder", () => {
        // Read as Mermaid renders it: its numeric entities (#40; for "(") decoded.
        const md = exportMarkdown(scenario, results).replace(/#(\d+);/g, (_, code: string) =>
          String.fromCodePoint(Number(code)),
        );
        const sections = md.split(/\n## Step \d+: /).slice(1);
        for (const r of results) {
          const notes = (sections[r.index] ?? '')
            .split('\n')
            .filter((l) => l.startsWith('  Note over ') && !l.includes(`: Step ${r.index + 1}. `));
          const has = (pattern: RegExp, what: string) =>
            assert.ok(
              notes.some((n) => pattern.test(n)),
              `step ${r.index + 1}: no note for ${what} in\n${notes.join('\n')}`,
            );
          const kind = r.step.action.kind;
          if (kind === 'replay') has(/Mallory replays data seq \d+/, 'the replay');
          // A flip arms Mallory; the byte flips in the step that sends the next frame.
          if (kind === 'flip')
            assert.ok(
              sections
                .slice(r.index)
                .some((sec) => /Note over Mallory_for_\w+: Mallory flips bits at byte \d+/.test(sec)),
              `step ${r.index + 1}: the flip is never noted`,
            );
          if (kind === 'restart') {
            has(/: a new server starts - group /, 'the new server');
            // The frames before the new server are the old one's goodbyes, and a note says so first.
            const lines = (sections[r.index] ?? '').split('\n');
            const firstArrow = lines.findIndex((l) => l.includes('->>'));
            if (firstArrow >= 0)
              assert.ok(
                lines
                  .slice(0, firstArrow)
                  .some((l) => /old server stops - a sealed bye \(ERR_SERVER_SHUTDOWN\)/.test(l)),
                'the bye frames are explained before they appear',
              );
          }
          for (const m of r.moments)
            assert.ok(
              notes.some((n) => n.startsWith(`  Note over ${m.over.replace(/[^A-Za-z0-9_]/g, '_')}: `)),
              m.text,
            );
          // Every refusal a check expects is on the ladder, with its whole code.
          for (const c of r.step.expect) {
            if (c.kind === 'error') has(new RegExp(`refuses.* - ${c.code} - `), `the refusal ${c.code}`);
            if (c.kind === 'mallory_rewrote') has(/Mallory rewrites /, 'the rewrite');
          }
        }
      });

      it('exports one HTML page that needs no network', () => {
        const html = exportHtml(scenario, results);
        assert.match(html, /^<!doctype html>/);
        assert.doesNotMatch(html, /<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import|https?:\/\//i);
        for (const type of frameTypes(results)) assert.ok(html.includes(`<b>${type}</b>`), `no frame card for ${type}`);
        // Each step's ladder drawn inline: one arrowhead per frame, one note per moment.
        const svgs = [...html.matchAll(/<svg class="ladder"[^]*?<\/svg>/g)].map((m) => m[0]);
        // Lesson 12's segment drawings: one bar per segment the relay wrote in the step.
        const bars = [...html.matchAll(/<svg class="ladder segments"[^]*?<\/svg>/g)].map(
          (m) => (m[0].match(/class="segment"/g) ?? []).length,
        );
        assert.deepEqual(
          bars,
          results.filter((r) => r.segments.length > 0).map((r) => r.segments.length),
        );
        const drawn = results.filter((r) => r.frames.length > 0 || r.moments.length > 0);
        assert.equal(svgs.length, drawn.length);
        drawn.forEach((r, i) => {
          assert.equal((svgs[i]?.match(/<polygon /g) ?? []).length, r.frames.length, `step ${r.index + 1} arrows`);
          assert.equal(
            (svgs[i]?.match(/<rect [^>]*class="note"/g) ?? []).length,
            r.moments.length,
            `step ${r.index + 1} notes`,
          );
        });
        // Every opened element is closed (a cheap well-formedness check of what we generate).
        for (const tag of ['section', 'table', 'details', 'ul', 'pre']) {
          assert.equal(
            (html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length,
            (html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length,
            tag,
          );
        }
      });
    });
  }
});

describe('a scenario run is reproducible', () => {
  it('going back replays to the same bytes', async () => {
    const scenario = loadScenario(files.find((f) => f.includes('02-three-clients')) as string);
    const run = new ScenarioRun(scenario, ENGINES.native);
    try {
      for (let i = 0; i < 4; i++) await run.next();
      const names = [
        'alice.x',
        'server/bob.x',
        'server/bob.last_sealed',
        'server/carol.last_sealed',
        'carol.K',
        'server.fingerprint',
      ];
      const before = names.map((n) => showValue(run.world?.value(n) ?? '(none)', true));
      await run.back();
      assert.equal(run.done, 3);
      const saidYet = () => run.world?.received.get('bob')?.some((e) => e.type === 'message') ?? false;
      assert.equal(saidYet(), false, 'step 4 has not run again yet');
      await run.next();
      assert.deepEqual(
        names.map((n) => showValue(run.world?.value(n) ?? '(none)', true)),
        before,
      );
    } finally {
      await run.close();
    }
  });

  it('gives the same values with the forge engine as with node:crypto', async () => {
    const scenario = loadScenario(files.find((f) => f.includes('05-toy-discrete-log')) as string);
    scenario.steps = scenario.steps.slice(0, 4); // the cost table measures time, not values
    const values = async (engine: keyof typeof ENGINES) => {
      const run = new ScenarioRun(scenario, ENGINES[engine]);
      try {
        while (!run.finished) await run.next();
        assert.equal(firstFailure(scenario, run.results), null);
        return new Map([...(run.world?.values ?? [])].map(([k, v]) => [k, showValue(v, true)]));
      } finally {
        await run.close();
      }
    };
    const native = await values('native');
    const forge = await values('forge');
    assert.ok(native.has('eve/alice.K') && native.has('alice.last_opened'));
    for (const name of [
      'alice.x',
      'alice.y',
      'alice.Z',
      'alice.K',
      'alice.H',
      'alice.key_c2s',
      'server/alice.last_sealed',
      'eve/alice.x_s',
      'server.fingerprint',
    ]) {
      assert.equal(forge.get(name), native.get(name), name);
    }
  });

  it('a different seed gives different keys', async () => {
    const scenario = loadScenario(files.find((f) => f.includes('03-eve-passive')) as string);
    scenario.steps = scenario.steps.slice(0, 1);
    const keyWith = async (seed: string) => {
      const run = new ScenarioRun({ ...scenario, seed }, ENGINES.native);
      try {
        await run.next();
        return showValue(run.world?.value('alice.K') ?? '', true);
      } finally {
        await run.close();
      }
    };
    assert.notEqual(await keyWith('1'), await keyWith('2'));
    assert.equal(await keyWith('7'), await keyWith('7'));
  });
});
