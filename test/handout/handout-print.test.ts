// Fidelity 6: the HTML handouts a teacher prints. Every shipped lesson is exported, printed to PDF
// by a real browser (Debian's chromium-headless-shell) and read back with pdftotext: every value
// is on paper (a closed <details> used to print blank), the step titles, the error codes and the
// toy groups' decimal values are there, and a lesson fits a few A4 pages.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveScenario, shippedScenarioFiles } from '../../src/scenario/catalog.ts';
import { exportHtml } from '../../src/handout/export.ts';
import { loadScenario } from '../../src/scenario/parse/file.ts';
import { runHeadless } from '../../src/scenario/headless.ts';
import { unlessInstalled } from '../support/helpers.ts';

function available(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const TOOLS = available('chromium-headless-shell') && available('pdftotext') && available('pdfinfo');
/** The longest shipped lesson (08, twelve steps, four handshakes through Mallory) prints on 9 A4 pages, most on 5-7; 08 printed on 22 before. */
const MAX_PAGES = 10;

const squash = (text: string) => text.replace(/\s+/g, ' ');

describe(
  'printed handouts (chromium-headless-shell + pdftotext)',
  { skip: unlessInstalled(TOOLS, 'no chromium or pdftotext') },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-print-'));
    for (const file of shippedScenarioFiles()) {
      const name = loadScenario(file).name;
      it(name, async () => {
        const scenario = resolveScenario(name);
        const results = await runHeadless(scenario, 'native', () => {});
        const html = path.join(dir, `${name}.html`);
        const pdf = path.join(dir, `${name}.pdf`);
        fs.writeFileSync(html, exportHtml(scenario, results));
        execFileSync(
          'chromium-headless-shell',
          ['--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${html}`],
          {
            stdio: 'ignore',
            timeout: 60_000,
          },
        );
        const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
        const text = squash(execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }));
        assert.ok(pages >= 1 && pages <= MAX_PAGES, `${name}: ${pages} pages`);
        for (const r of results)
          assert.ok(
            text.includes(squash(`Step ${r.index + 1}: ${r.step.title}`)),
            `${name}: step ${r.index + 1}'s title`,
          );
        for (const code of new Set(
          results.flatMap((r) => [...r.lines, ...r.checks.map((c) => c.what)].join(' ').match(/ERR_[A-Z_]+/g) ?? []),
        )) {
          assert.ok(text.includes(code), `${name}: ${code} is not on paper`);
        }
        // Every value of a frame is printed: the first signature's opening digits are on paper.
        const auth = results.flatMap((r) => r.frames).find((f) => f.frame.type === 'server_auth');
        if (auth)
          assert.ok(
            text.replace(/ /g, '').includes(String(auth.frame.signature).slice(0, 24)),
            `${name}: the signature printed blank`,
          );
        // A round's 4x4 states stay on one page with their heading (lesson 13).
        const paged = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
        for (const page of paged) {
          const rows = page.split('\n');
          rows.forEach((row, i) => {
            if (/round\[ ?\d+\]\s+start/.test(row))
              assert.ok(
                rows.slice(i + 1, i + 5).filter((r) => /([0-9a-f]{2} ){3}[0-9a-f]{2}/.test(r)).length === 4,
                `${name}: ${row.trim()} split across pages`,
              );
          });
        }
        // No page is a wall of bytes: long values print head and tail (lesson 12 printed three pages of hex).
        for (const [i, page] of paged.entries()) {
          const solid = [...page.matchAll(/(?:[0-9a-f]{2} ){8,}|[A-Za-z0-9+/=]{40,}/g)].reduce(
            (n, m) => n + m[0].length,
            0,
          );
          const chars = page.replace(/\s+/g, ' ').length;
          assert.ok(
            chars < 400 || solid / chars < 0.75,
            `${name}: page ${i + 1} is ${Math.round((100 * solid) / chars)} % hex or base64`,
          );
        }
        // Long hex in the action output (11's XOR lines) wraps inside its box: every digit is on paper.
        const flat = text.replace(/\s+/g, '');
        for (const r of results)
          for (const token of r.lines.join(' ').match(/\b[0-9a-f]{48,}\b/g) ?? [])
            assert.ok(flat.includes(token), `${name}: ${token.slice(0, 16)}… runs off the page`);
        // Lesson 12's segments are drawn, each with its size, where it starts and what it carries.
        for (const segment of results.flatMap((r) => r.segments))
          assert.ok(
            text.includes(`bytes ${segment.offset}-${segment.offset + segment.size - 1} (${segment.size} B)`),
            `${name}: segment at ${segment.offset}`,
          );
        // A toy group's values are decimal on paper as in the narration ("y_s = 18").
        for (const r of results)
          for (const m of r.narration.matchAll(/= (\d{1,6})\b/g))
            assert.ok(text.includes(`= ${m[1]}`), `${name}: "= ${m[1]}" from step ${r.index + 1}`);
      });
    }
  },
);
