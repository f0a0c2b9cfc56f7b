// `dhlab exercise --export DIR`: the sheets a teacher hands out, on disk and on paper.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EXERCISES } from '../../src/exercises/catalog.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { run } from '../support/cli-run.ts';
import { unlessInstalled } from '../support/helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-sheets-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const squash = (text: string) => text.replace(/\s+/g, ' ');

describe('dhlab exercise --export', () => {
  it('a Markdown and an HTML sheet per exercise, and a packet with all of them and the groups', async () => {
    const out = path.join(dir, 'sheets');
    const ran = run(['exercise', '--export', out]);
    assert.equal(await ran.exit, 0, ran.stderr.join('\n'));
    assert.match(ran.stdout.join('\n'), new RegExp(`^${EXERCISES.length * 2 + 2} files written to `));
    EXERCISES.forEach((exercise, i) => {
      const base = path.join(out, `${String(i + 1).padStart(2, '0')}-${exercise.name}`);
      const md = fs.readFileSync(`${base}.md`, 'utf8');
      assert.ok(md.startsWith(`# Exercise ${i + 1}: ${exercise.name}: ${exercise.title}\n`));
      for (const hint of exercise.hints) assert.ok(md.includes(`- ${hint}`), `${exercise.name}: a hint`);
      assert.ok(md.includes(`npx dhlab check ${exercise.name} -- YOUR COMMAND`));
      assert.ok(fs.readFileSync(`${base}.html`, 'utf8').includes('<h2>Hints</h2>'));
    });
    const packet = fs.readFileSync(path.join(out, 'packet.md'), 'utf8');
    for (const exercise of EXERCISES) assert.ok(packet.includes(`: ${exercise.name}: ${exercise.title}`));
    assert.ok(packet.includes(GROUPS.modp14.p.toString(16).slice(0, 64)), "modp14's p, offline");
  });

  it(
    'the packet prints: every sheet on paper, a page each',
    { skip: unlessInstalled(has('chromium-headless-shell') && has('pdftotext'), 'no chromium or pdftotext') },
    () => {
      const html = path.join(dir, 'sheets', 'packet.html');
      const pdf = path.join(dir, 'packet.pdf');
      execFileSync(
        'chromium-headless-shell',
        ['--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${html}`],
        { stdio: 'ignore', timeout: 60_000 },
      );
      const pages = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
      EXERCISES.forEach((exercise, i) => {
        const at = pages.findIndex((p) => squash(p).includes(`Exercise ${i + 1}: ${exercise.name}`));
        assert.ok(at >= 0, `${exercise.name} is on paper`);
        assert.ok(squash(pages.slice(at).join(' ')).includes(`npx dhlab check ${exercise.name} -- YOUR COMMAND`));
      });
    },
  );
});
