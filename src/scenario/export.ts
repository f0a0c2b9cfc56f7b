import { safeText } from '../display.ts';
import { GCM_TAG_BYTES } from '../crypto/engine.ts';
import { formatEncodedNumber } from '../value-format.ts';
import type { Scenario } from './file.ts';
import type { StepResult } from './runner.ts';
import type { FrameRecord } from './world.ts';

/** What each field of each frame means (docs/PROTOCOL.md s.3-5), for the handout's byte tables. */
const FIELD_MEANING: Record<string, string> = {
  type: 'frame type',
  'hello.version': 'protocol version',
  'hello.name': "the client's name, in clear: Eve reads it",
  'server_key.group': 'the Diffie-Hellman group (p and g)',
  'server_key.y': "server's public value y_s = g^x mod p, padded to the length of p",
  'server_key.host_key': "server's Ed25519 host public key (pinned by the client on first use)",
  'client_key.y': "client's public value y_c = g^x mod p, padded to the length of p",
  'server_auth.signature': 'Ed25519 signature over the transcript hash H (name, group, y_s, host key, y_c)',
  'data.seq': 'message counter; the GCM nonce is 4 zero bytes then seq as 64-bit big-endian',
  'data.box': 'base64 of the sealed record: AES-256-GCM ciphertext then the 16-byte tag (or, in the insecure CBC mode, IV then ciphertext)',
  'error.code': 'error code (plaintext: not authenticated)',
  'error.message': 'error text (plaintext: not authenticated)',
};

/** A Mermaid message label: only characters Mermaid never treats as syntax. */
function mermaidLabel(f: FrameRecord): string {
  const frame = f.frame;
  const short = (v: unknown) => {
    const text = String(v);
    return text.length > 12 ? `${text.slice(0, 8)}...` : text;
  };
  let label: string = frame.type;
  if (frame.type === 'hello') label += ` name=${short(frame.name)}`;
  // y as the narration shows it: decimal below 2^64 (the toy groups), else abbreviated hex.
  const y = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]+$/.test(v) ? formatEncodedNumber(Buffer.from(v, 'hex'), { keep: 4 }).replace(/ \(.*$/, '').replace('…', '..') : short(v));
  if (frame.type === 'server_key') label += ` ${short(frame.group)} y=${y(frame.y)}`;
  if (frame.type === 'client_key') label += ` y=${y(frame.y)}`;
  if (frame.type === 'data') label += ` seq ${short(frame.seq)}, ${f.bytes.length} bytes`;
  if (frame.type === 'error') label += ` ${String(frame.code)}`; // the whole code: ERR_BAD_PUBLIC_KEY, not ERR_BAD_...
  return label.replace(/[^A-Za-z0-9 =_.,-]/g, '');
}

function participant(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Step titles and frame labels in a Mermaid note: only characters Mermaid never reads as syntax. */
function mermaidText(text: string): string {
  return safeText(text).replace(/:/g, ' -').replace(/[^A-Za-z0-9 =_.,-]/g, '').replace(/ +/g, ' ').trim();
}

/** The step's frames as a ladder, under a note that names the step (a printed handout's anchor). */
export function sequenceDiagram(frames: FrameRecord[], title?: string): string[] {
  const actors: string[] = [];
  for (const f of frames) for (const a of [f.from, f.to]) if (!actors.includes(a)) actors.push(a);
  const span = actors.length > 1 ? `${participant(actors[0] as string)},${participant(actors.at(-1) as string)}` : participant(actors[0] ?? 'server');
  const note = title !== undefined && mermaidText(title) !== '' ? [`  Note over ${span}: ${mermaidText(title)}`] : [];
  return ['```mermaid', 'sequenceDiagram', ...actors.map((a) => `  participant ${participant(a)}`), ...note, ...frames.map((f) => `  ${participant(f.from)}->>${participant(f.to)}: ${mermaidLabel(f)}`), '```'];
}

/**
 * Text that Markdown shows as it is: every ASCII punctuation character Markdown could read as
 * syntax gets a backslash (CommonMark s.2.4 lets any of them be escaped), so a chat line or a
 * file's title can open no tag, link, image, emphasis, list or table cell.
 */
function mdText(text: string): string {
  return safeText(text).replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, '\\$&');
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
  const out = [`# ${mdText(scenario.title)}`, '', mdText(scenario.summary), '', `Generated by ${mdCode(`dhlab scenario ${scenario.name} --seed ${scenario.seed}`)} (reproducible, INSECURE randomness).`, ''];
  for (const r of results) {
    out.push(`## Step ${r.index + 1}: ${mdText(r.step.title)}`, '', ...r.narration.split('\n').map(mdText), '');
    if (r.values.length > 0) {
      out.push('| value | in this run |', '| --- | --- |', ...r.values.map(([name, value]) => `| ${mdCode(name)} | ${mdCode(value.length > 80 ? `${value.slice(0, 76)}...` : value)} |`), '');
    }
    if (r.lines.length > 0) out.push(...mdFence('text', r.lines), '');
    if (r.checks.length > 0) out.push(...r.checks.map((c) => `- ${c.ok ? '✓' : '✗'} ${mdText(c.what)}`), '');
    if (r.frames.length > 0) out.push(...sequenceDiagram(r.frames, `Step ${r.index + 1}. ${r.step.title}`), '');
  }
  return out.join('\n');
}

function html(text: string): string {
  return safeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}

/**
 * A value, all of it, wrapped in fixed-width blocks: a printed handout shows every byte (a closed
 * <details> prints blank in Chromium, whatever the print stylesheet says).
 */
function expandable(text: string): string {
  return text.length <= 72 ? `<code>${html(text)}</code>` : `<code class="full">${html(text)}</code>`;
}

/**
 * One frame's bytes with each field annotated (The Illustrated TLS Connection, on a small scale).
 * A field's meaning is written the first time the handout shows it (`explained` remembers), so a
 * lesson of thirty frames does not print the same sentences thirty times.
 */
function frameCard(f: FrameRecord, explained: Set<string>): string {
  const rows: string[] = [];
  const length = Buffer.alloc(4);
  length.writeUInt32BE(f.bytes.length);
  const once = (key: string, text: string): string => {
    if (explained.has(key)) return '';
    explained.add(key);
    return text;
  };
  rows.push(`<tr><td>length prefix</td><td><code>${hexOf(length)}</code></td><td>${once('length', '4-byte big-endian length of the JSON that follows: ')}${f.bytes.length} bytes</td></tr>`);
  for (const [field, value] of Object.entries(f.frame)) {
    const key = field === 'type' ? 'type' : `${f.frame.type}.${field}`;
    const meaning = once(key, FIELD_MEANING[key] ?? '');
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    rows.push(`<tr><td>${html(field)}</td><td>${expandable(text)}</td><td>${html(meaning)}</td></tr>`);
    if (f.frame.type === 'data' && field === 'box' && typeof value === 'string' && f.record === 'cbc') {
      const box = Buffer.from(value, 'base64');
      rows.push(`<tr class="sub"><td>↳ IV</td><td><code>${hexOf(box.subarray(0, 16))}</code></td><td>${once('cbc.iv', '16 bytes, in clear: flipping bit i flips bit i of the first plaintext block')}</td></tr>`);
      rows.push(`<tr class="sub"><td>↳ ciphertext</td><td>${expandable(hexOf(box.subarray(16)))}</td><td>${once('cbc.ct', 'AES-256-CBC, padded to whole 16-byte blocks; NO MAC: nothing detects a change')}</td></tr>`);
    } else if (f.frame.type === 'data' && field === 'box' && typeof value === 'string') {
      const box = Buffer.from(value, 'base64');
      const body = box.subarray(0, Math.max(0, box.length - GCM_TAG_BYTES));
      rows.push(`<tr class="sub"><td>↳ ciphertext</td><td>${expandable(hexOf(body))}</td><td>${body.length} bytes${once('gcm.ct', ': as long as the plaintext; unreadable without the key')}</td></tr>`);
      rows.push(`<tr class="sub"><td>↳ GCM tag</td><td><code>${hexOf(box.subarray(box.length - GCM_TAG_BYTES))}</code></td><td>${once('gcm.tag', '16 bytes: authenticates ciphertext, seq and frame type')}</td></tr>`);
    }
  }
  // On screen, every byte one click away; on paper the fields above already show them.
  const raw = `<details class="raw"><summary>all ${f.bytes.length + 4} bytes</summary><code class="full">${hexOf(Buffer.concat([length, f.bytes]))}</code></details>`;
  return `<section class="frame"><h4>${html(f.from)} → ${html(f.to)} · <b>${html(f.frame.type)}</b> · ${f.bytes.length + 4} bytes</h4><table><tr><th>field</th><th>bytes / value</th><th>meaning</th></tr>${rows.join('')}</table>${raw}</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{border-top:2px solid #ccc;padding-top:1rem;margin-top:2rem}h4{margin:.2rem 0;font-weight:normal}
code{font:13px/1.4 ui-monospace,monospace;word-break:break-all}code.full{display:block;white-space:pre-wrap}
pre{background:#f4f4f4;padding:.6rem;white-space:pre-wrap;font-size:13px}
table{border-collapse:collapse;width:100%;margin:.3rem 0}td,th{border:1px solid #ddd;padding:.2rem .4rem;vertical-align:top;text-align:left}
td:first-child{white-space:nowrap}tr.sub td{background:#fafafa}.frame{border-left:4px solid #c90;padding-left:.6rem;margin:.8rem 0}
.ok{color:#070}.fail{color:#b00}.values td:first-child code{color:#057}.relay{margin:.2rem 0 .2rem 1rem;color:#555}
@media print{body{font-size:11px;margin:0;max-width:none}code{font-size:9px}h2{font-size:1.1rem;margin-top:.8rem;padding-top:.4rem}
.raw{display:none}td,th{padding:.05rem .25rem}.frame{margin:.3rem 0;break-inside:avoid}pre{font-size:9px;padding:.3rem}p{margin:.3rem 0}}`;

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
    if (r.values.length > 0) parts.push(`<table class="values"><tr><th>value</th><th>in this run</th></tr>${r.values.map(([n, v]) => `<tr><td><code>${html(n)}</code></td><td>${expandable(v)}</td></tr>`).join('')}</table>`);
    if (r.lines.length > 0) parts.push(`<pre>${r.lines.map(html).join('\n')}</pre>`);
    if (r.checks.length > 0) parts.push(`<ul>${r.checks.map((c) => `<li class="${c.ok ? 'ok' : 'fail'}">${c.ok ? '✓' : '✗'} ${html(c.what)}</li>`).join('')}</ul>`);
    // A frame relayed byte for byte (by Eve's tap, or by Mallory when she does not rewrite) is
    // one card and a line, not two cards: the line says it is the same bytes, which is the point.
    const shown: FrameRecord[] = [];
    for (const f of r.frames) {
      const same = shown.find((g) => g.to === f.from && Buffer.compare(Buffer.from(g.bytes), Buffer.from(f.bytes)) === 0);
      if (same) parts.push(`<p class="relay">${html(f.from)} → ${html(f.to)} · <b>${html(f.frame.type)}</b>: the same ${f.bytes.length + 4} bytes, relayed unchanged</p>`);
      else parts.push(frameCard(f, explained));
      shown.push(f);
    }
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
