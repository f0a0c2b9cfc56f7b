import { safeText } from '../terminal/safe-text.ts';
import { GCM_TAG_BYTES } from '../crypto/engine.ts';
import type { Scenario } from '../scenario/types.ts';
import { frameSummary, ladderSvg, participantsOf, segmentsSvg } from './ladder-svg.ts';
import type { StepResult } from '../scenario/runtime/runner.ts';
import type { FrameRecord, Moment } from '../scenario/runtime/run-record.ts';

/** What each field of each frame means (docs/PROTOCOL.md s.3-5), for the handout's byte tables. */
const FIELD_MEANING: Record<string, string> = {
  type: 'frame type',
  'hello.version': 'protocol version',
  'hello.name': "the client's name, in clear: Eve reads it",
  'server_key.group': 'the Diffie-Hellman group (p and g)',
  'server_key.y': "server's public value y_s = g^x mod p, padded to the length of p",
  'server_key.host_key': "server's Ed25519 host public key (pinned by the client on first use)",
  'server_key.insecure':
    'the teaching-only weakenings this server runs with (s.4.1): a client without --insecure-... flags refuses to join',
  'client_key.y': "client's public value y_c = g^x mod p, padded to the length of p",
  'server_auth.signature': 'Ed25519 signature over the transcript hash H (name, group, y_s, host key, y_c)',
  'data.seq': 'message counter; the GCM nonce is 4 zero bytes then seq as 64-bit big-endian',
  'data.box':
    'base64 of the sealed record: AES-256-GCM ciphertext then the 16-byte tag (or, in the insecure CBC mode, IV then ciphertext)',
  'error.code': 'error code (plaintext: not authenticated)',
  'error.message': 'error text (plaintext: not authenticated)',
};

/** What a frame's field means, or undefined for one PROTOCOL.md does not describe. */
export function fieldMeaning(type: string, field: string): string | undefined {
  return FIELD_MEANING[field === 'type' ? 'type' : `${type}.${field}`];
}

/**
 * Text for Mermaid: letters, digits and plain punctuation as they are; every other character as
 * the numeric entity Mermaid decodes (`<` is #60;, an apostrophe #39;), so nothing a file wrote is
 * read as syntax and nothing is dropped ("2 <= y", "the original's server").
 */
function mermaidEntities(text: string): string {
  return [...safeText(text)]
    .map((char) => (/[A-Za-z0-9 =_.,-]/.test(char) ? char : `#${char.codePointAt(0)};`))
    .join('');
}

/** A Mermaid message label: the frame's summary. */
function mermaidLabel(f: FrameRecord): string {
  return mermaidEntities(frameSummary(f));
}

function participant(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Step titles and notes in a Mermaid note (a colon would end the note's label: it reads " -"). */
function mermaidText(text: string): string {
  return mermaidEntities(text.replace(/:/g, ' -').replace(/ +/g, ' ').trim());
}

/**
 * The step's frames as a ladder, under a note that names the step (a printed handout's anchor),
 * with a note for each moment the frames alone do not show: Mallory's rewrite, a replay, a flipped
 * byte, a refusal, a restart.
 */
export function sequenceDiagram(frames: FrameRecord[], title?: string, moments: Moment[] = []): string[] {
  const actors = participantsOf(frames, moments);
  const span =
    actors.length > 1
      ? `${participant(actors[0] as string)},${participant(actors.at(-1) as string)}`
      : participant(actors[0] ?? 'server');
  const note = title !== undefined && mermaidText(title) !== '' ? [`  Note over ${span}: ${mermaidText(title)}`] : [];
  const body: string[] = [];
  for (let i = 0; i <= frames.length; i++) {
    for (const m of moments)
      if (m.afterFrames === i && mermaidText(m.text) !== '')
        body.push(`  Note over ${participant(m.over)}: ${mermaidText(m.text)}`);
    const f = frames[i];
    if (f) body.push(`  ${participant(f.from)}->>${participant(f.to)}: ${mermaidLabel(f)}`);
  }
  return [
    '```mermaid',
    'sequenceDiagram',
    ...actors.map((a) => `  participant ${participant(a)}`),
    ...note,
    ...body,
    '```',
  ];
}

/**
 * Text that Markdown shows as it is, escaped only where Markdown would read syntax (CommonMark
 * s.2.4 lets any ASCII punctuation be escaped): code spans, emphasis, links and images (a `[`
 * escaped opens none, so `(`, `)` and `!` stay bare), HTML and autolinks (`<`), entities, GFM
 * table cells and strikethrough anywhere, and GFM's autolinks (`://`, `www.`, `@`); headings,
 * quotes, lists and rules only at a line's start. `_` between letters emphasises nothing
 * (s.6.2), so `y_c` stays as written. Spaces at either end are dropped: Markdown shows none,
 * and four at the start would open a code block.
 */
export function mdText(text: string): string {
  return safeText(text)
    .trim()
    .replace(/[\\`*[\]<&|~@]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|:(?=\/\/)|(?<=\bwww)\./giu, '\\$&')
    .replace(/^( {0,3})([#>+=-]|\d{1,9}(?=[.)]))/, (_, indent: string, marker: string) =>
      /\d/.test(marker) ? `${indent}${marker}\\` : `${indent}\\${marker}`,
    );
}

/** The longest run of backticks in `text`: a code span or fence must use a longer one. */
function longestBackticks(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
}

/** An inline code span that nothing inside can close; `|` escaped for GFM table cells. */
function mdCode(text: string): string {
  const ticks = '`'.repeat(longestBackticks(text) + 1);
  return `${ticks} ${safeText(text).replace(/\|/g, '\\|')} ${ticks}`;
}

/** A fenced block that no line inside can close (CommonMark s.4.5: the closing fence must be as long). */
function mdFence(info: string, lines: string[]): string[] {
  const fence = '`'.repeat(Math.max(3, longestBackticks(lines.join('\n')) + 1));
  return [`${fence}${info}`, ...lines.map((l) => safeText(l)), fence];
}

/** Markdown handout: narration, values, what happened, the checks, and a ladder per step. */
export function exportMarkdown(scenario: Scenario, results: StepResult[]): string {
  const out = [
    `# ${mdText(scenario.title)}`,
    '',
    mdText(scenario.summary),
    '',
    `Generated by ${mdCode(`dhlab scenario ${scenario.name} --seed ${scenario.seed}`)} (reproducible, INSECURE randomness).`,
    '',
  ];
  for (const r of results) {
    out.push(`## Step ${r.index + 1}: ${mdText(r.step.title)}`, '', ...r.narration.split('\n').map(mdText), '');
    if (r.values.length > 0) {
      out.push(
        '| value | in this run |',
        '| --- | --- |',
        ...r.values.map(
          ([name, value]) => `| ${mdCode(name)} | ${mdCode(value.length > 80 ? `${value.slice(0, 76)}...` : value)} |`,
        ),
        '',
      );
    }
    if (r.lines.length > 0) out.push(...mdFence('text', r.lines), '');
    if (r.checks.length > 0) out.push(...r.checks.map((c) => `- ${c.ok ? '✓' : '✗'} ${mdText(c.what)}`), '');
    if (r.frames.length > 0 || r.moments.length > 0)
      out.push(...sequenceDiagram(r.frames, `Step ${r.index + 1}. ${r.step.title}`, r.moments), '');
  }
  return out.join('\n');
}

function html(text: string): string {
  return safeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}

/** A value up to this many characters prints whole (a 2048-bit y in hex is 512); longer, its head and tail. */
const PRINTED_WHOLE = 600;
const PRINTED_HEAD = 96;
const PRINTED_TAIL = 32;

/**
 * A value, all of it, wrapped in fixed-width blocks: a printed handout shows every byte (a closed
 * <details> prints blank in Chromium, whatever the print stylesheet says).
 */
function expandable(text: string): string {
  if (text.length <= 72) return `<code>${html(text)}</code>`;
  if (text.length <= PRINTED_WHOLE) return `<code class="full">${html(text)}</code>`;
  // Pages of solid hex teach nothing: paper gets the head and the tail, the screen every character.
  const cut = `${text.slice(0, PRINTED_HEAD)} … ${text.slice(-PRINTED_TAIL)}`;
  return `<code class="full screen">${html(text)}</code><code class="full paper">${html(cut)} <i>(${text.length} characters in all)</i></code>`;
}

/**
 * One frame's bytes with each field annotated (The Illustrated TLS Connection, on a small scale).
 * A field's meaning is written the first time the handout shows it (`explained` remembers), so a
 * lesson of thirty frames does not print the same sentences thirty times.
 */
function frameCard(f: FrameRecord, explained: Set<string>): string {
  const rows: { field: string; value: string; meaning: string; sub?: boolean }[] = [];
  const length = Buffer.alloc(4);
  length.writeUInt32BE(f.bytes.length);
  const once = (key: string, text: string): string => {
    if (explained.has(key)) return '';
    explained.add(key);
    return text;
  };
  rows.push({
    field: 'length prefix',
    value: `<code>${hexOf(length)}</code> = ${f.bytes.length}`,
    meaning: html(once('length', '4-byte big-endian length of the JSON that follows')),
  });
  for (const [field, value] of Object.entries(f.frame)) {
    const key = field === 'type' ? 'type' : `${f.frame.type}.${field}`;
    // The heading names the type; its row is printed while its meaning is new.
    if (field === 'type' && explained.has('type')) continue;
    // A field the protocol does not have (a forged or hostile frame) is said to be one.
    const meaning = once(key, fieldMeaning(f.frame.type, field) ?? 'not a field of this frame in docs/PROTOCOL.md');
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    // A toy group's public value (below 2^64) is also given in decimal, as the ladder gives it.
    const decimal =
      (key === 'server_key.y' || key === 'client_key.y') && /^[0-9a-f]{1,16}$/.test(text)
        ? ` = ${BigInt(`0x${text}`)}`
        : '';
    rows.push({ field: html(field), value: `${expandable(text)}${decimal}`, meaning: html(meaning) });
    if (f.frame.type === 'data' && field === 'box' && typeof value === 'string' && f.record === 'cbc') {
      const box = Buffer.from(value, 'base64');
      rows.push({
        field: '↳ IV',
        value: `<code>${hexOf(box.subarray(0, 16))}</code>`,
        meaning: once('cbc.iv', '16 bytes, in clear: flipping bit i flips bit i of the first plaintext block'),
        sub: true,
      });
      rows.push({
        field: '↳ ciphertext',
        value: expandable(hexOf(box.subarray(16))),
        meaning: once('cbc.ct', 'AES-256-CBC, padded to whole 16-byte blocks; NO MAC: nothing detects a change'),
        sub: true,
      });
    } else if (f.frame.type === 'data' && field === 'box' && typeof value === 'string') {
      const box = Buffer.from(value, 'base64');
      const body = box.subarray(0, Math.max(0, box.length - GCM_TAG_BYTES));
      rows.push({
        field: `↳ ciphertext (${body.length} B)`,
        value: expandable(hexOf(body)),
        meaning: once('gcm.ct', 'as long as the plaintext; unreadable without the key'),
        sub: true,
      });
      rows.push({
        field: '↳ GCM tag',
        value: `<code>${hexOf(box.subarray(box.length - GCM_TAG_BYTES))}</code>`,
        meaning: once('gcm.tag', '16 bytes: authenticates ciphertext, seq and frame type'),
        sub: true,
      });
    }
  }
  // Once every meaning has been said, the card drops its meaning column: the bytes get the width.
  const explainedHere = rows.some((r) => r.meaning !== '');
  const header = explainedHere ? '<tr><th>field</th><th>bytes / value</th><th>meaning</th></tr>' : '';
  const body = rows
    .map(
      (r) =>
        `<tr${r.sub ? ' class="sub"' : ''}><td>${r.field}</td><td>${r.value}</td>${explainedHere ? `<td>${r.meaning}</td>` : ''}</tr>`,
    )
    .join('');
  // On screen, every byte one click away; on paper the fields above already show them.
  const raw = `<details class="raw"><summary>all ${f.bytes.length + 4} bytes</summary><code class="full">${hexOf(Buffer.concat([length, f.bytes]))}</code></details>`;
  return `<section class="frame"><h4>${html(f.from)} → ${html(f.to)} · <b>${html(f.frame.type)}</b> · ${f.bytes.length + 4} bytes</h4><table>${header}${body}</table>${raw}</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{border-top:2px solid #ccc;padding-top:1rem;margin-top:2rem}h4{margin:.2rem 0;font-weight:normal}
code{font:13px/1.4 ui-monospace,monospace;word-break:break-all}code.full{display:block;white-space:pre-wrap}code.paper{display:none}
pre{background:#f4f4f4;padding:.6rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px}pre .keep{display:block;break-inside:avoid}
table{border-collapse:collapse;width:100%;margin:.3rem 0}td,th{border:1px solid #ddd;padding:.2rem .4rem;vertical-align:top;text-align:left}
td:first-child{white-space:nowrap}tr.sub td{background:#fafafa}.frame{border-left:4px solid #c90;padding-left:.6rem;margin:.8rem 0}
.ok{color:#070}svg.ladder{display:block;max-width:100%;height:auto;margin:.5rem 0}.fail{color:#b00}.values td:first-child code{color:#057}.relay{margin:.2rem 0 .2rem 1rem;color:#555}
@page{size:A4;margin:10mm}@media print{body{font-size:11px;margin:0;max-width:none}svg.ladder{break-inside:avoid;width:85%}code{font-size:9px}h2{font-size:1.1rem;margin-top:.8rem;padding-top:.4rem}
.raw{display:none}code.screen{display:none}code.paper{display:block}td,th{padding:.05rem .25rem}.frame{margin:.3rem 0;break-inside:avoid}pre{font-size:9px;padding:.3rem}p{margin:.3rem 0}}`;

/**
 * Action output for a <pre>: a block that starts with a label ("round[ 9]  start ...") and goes
 * on in indented rows is kept on one printed page (lesson 13's 4x4 states split across pages).
 */
function keptTogether(lines: readonly string[]): string {
  const out: string[] = [];
  let block: string[] = [];
  const close = () => {
    if (block.length > 1) out.push(`<span class="keep">${block.join('\n')}</span>`);
    else out.push(...block);
    block = [];
  };
  for (const line of lines) {
    if (/^ {2,}\S/.test(line) && block.length > 0) block.push(html(line));
    else {
      close();
      block = [html(line)];
    }
  }
  close();
  return out.join('\n');
}

/** One self-contained printable page: no script, no external resource. */
export function exportHtml(scenario: Scenario, results: StepResult[]): string {
  const parts = [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${html(scenario.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${html(scenario.title)}</h1><p>${html(scenario.summary)}</p>`,
    `<p><small>Generated by <code>dhlab scenario ${html(scenario.name)} --seed ${html(scenario.seed)}</code>: reproducible, and therefore INSECURE, randomness.</small></p>`,
  ];
  const explained = new Set<string>();
  for (const r of results) {
    parts.push(`<h2>Step ${r.index + 1}: ${html(r.step.title)}</h2>`);
    parts.push(...r.narration.split(/\n\s*\n/).map((p) => `<p>${html(p)}</p>`));
    if (r.frames.length > 0 || r.moments.length > 0)
      parts.push(ladderSvg(r.frames, r.moments, `Step ${r.index + 1}: ${r.step.title}`));
    if (r.segments.length > 0) parts.push(segmentsSvg(r.segments, `Step ${r.index + 1}`));
    if (r.values.length > 0)
      parts.push(
        `<table class="values"><tr><th>value</th><th>in this run</th></tr>${r.values.map(([n, v]) => `<tr><td><code>${html(n)}</code></td><td>${expandable(v)}</td></tr>`).join('')}</table>`,
      );
    if (r.lines.length > 0) parts.push(`<pre>${keptTogether(r.lines)}</pre>`);
    if (r.checks.length > 0)
      parts.push(
        `<ul>${r.checks.map((c) => `<li class="${c.ok ? 'ok' : 'fail'}">${c.ok ? '✓' : '✗'} ${html(c.what)}</li>`).join('')}</ul>`,
      );
    // A frame relayed byte for byte (by Eve's tap, or by Mallory when she does not rewrite) is
    // one card and a line, not two cards: the line says it is the same bytes, which is the point.
    const shown: FrameRecord[] = [];
    for (const f of r.frames) {
      const same = shown.find(
        (g) => g.to === f.from && Buffer.compare(Buffer.from(g.bytes), Buffer.from(f.bytes)) === 0,
      );
      if (same)
        parts.push(
          `<p class="relay">${html(f.from)} → ${html(f.to)} · <b>${html(f.frame.type)}</b>: the same ${f.bytes.length + 4} bytes, relayed unchanged</p>`,
        );
      else parts.push(frameCard(f, explained));
      shown.push(f);
    }
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
