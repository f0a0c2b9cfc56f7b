import fs from 'node:fs';
import path from 'node:path';
import { fileError } from '../errors.ts';
import { EXERCISES, sheet, type Exercise } from '../exercises/catalog.ts';
import { writeRegularFile } from '../files.ts';

/**
 * `dhlab exercise --export DIR`: every sheet as Markdown and as HTML that prints, and one packet
 * with all of them and the groups' numbers, so a class needs neither dhlab nor the network to read
 * them. The words are the sheets' own (`dhlab exercise NAME` prints the same).
 */

interface SheetParts {
  heading: string;
  goal: string;
  spec: string;
  contract: string[];
  hints: string[];
  grade: string;
}

function partsOf(exercise: Exercise): SheetParts {
  const text = sheet(exercise).split('\n');
  const at = (prefix: string) => text.findIndex((line) => line.startsWith(prefix));
  const contractStart = text.findIndex((line, i) => i > at('Spec:') && line !== '' && !line.startsWith('  '));
  return {
    heading: text[0] as string,
    goal: exercise.goal,
    spec: `docs/PROTOCOL.md ${exercise.spec}`,
    contract: text.slice(contractStart, at('Hints:') - 1),
    hints: exercise.hints,
    grade: `npx dhlab check ${exercise.name} -- YOUR COMMAND`,
  };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Our own hints mark commands with backticks: code in HTML. */
const inline = (text: string) => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

function markdown(parts: SheetParts): string[] {
  return [
    `# ${parts.heading}`,
    '',
    parts.goal,
    '',
    `**Spec:** ${parts.spec}`,
    '',
    '## Contract',
    '',
    '```text',
    ...parts.contract,
    '```',
    '',
    '## Hints',
    '',
    ...parts.hints.map((h) => `- ${h}`),
    '',
    '## Grade it',
    '',
    '```sh',
    parts.grade,
    '```',
    '',
  ];
}

function htmlSection(parts: SheetParts): string {
  return [
    '<section>',
    `<h1>${escape(parts.heading)}</h1>`,
    `<p>${inline(parts.goal)}</p>`,
    `<p><b>Spec:</b> ${escape(parts.spec)}</p>`,
    '<h2>Contract</h2>',
    `<pre>${escape(parts.contract.join('\n'))}</pre>`,
    '<h2>Hints</h2>',
    `<ul>${parts.hints.map((h) => `<li>${inline(h)}</li>`).join('')}</ul>`,
    '<h2>Grade it</h2>',
    `<pre>${escape(parts.grade)}</pre>`,
    '</section>',
  ].join('\n');
}

function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { font: 11pt/1.4 system-ui, sans-serif; max-width: 46em; margin: 2em auto; }
pre { background: #f4f4f4; padding: 0.5em; white-space: pre-wrap; } code { background: #f4f4f4; }
section { break-after: page; } @page { size: A4; margin: 18mm; }
@media print { body { margin: 0; max-width: none; } }
</style></head><body>
${body}
</body></html>
`;
}

/** Writes the sheets into `dir` (made if missing); returns the files written. @throws DhlabError ERR_FILE */
export function exportSheets(dir: string, groups: string[]): string[] {
  const written: string[] = [];
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    try {
      writeRegularFile(file, text, 0o644, true);
    } catch (error) {
      throw fileError(error, `cannot write ${file}`);
    }
    written.push(file);
  };
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileError(error, `cannot make ${dir}`);
  }
  const all = EXERCISES.map((exercise, i) => ({
    exercise,
    parts: partsOf(exercise),
    file: `${String(i + 1).padStart(2, '0')}-${exercise.name}`,
  }));
  for (const { parts, file } of all) {
    write(`${file}.md`, markdown(parts).join('\n'));
    write(`${file}.html`, htmlPage(parts.heading, htmlSection(parts)));
  }
  const groupsMd = [
    '# The groups',
    '',
    'p and g of every group the cases use (`npx dhlab exercise --groups`).',
    '',
    '```text',
    ...groups,
    '```',
    '',
  ];
  write('packet.md', [...all.flatMap(({ parts }) => markdown(parts)), ...groupsMd].join('\n'));
  const groupsHtml = `<section><h1>The groups</h1><pre>${escape(groups.join('\n'))}</pre></section>`;
  write(
    'packet.html',
    htmlPage('dhlab exercises', [...all.map(({ parts }) => htmlSection(parts)), groupsHtml].join('\n')),
  );
  return written;
}
