import { safeText } from '../terminal/safe-text.ts';
import { formatEncodedNumber } from '../terminal/format.ts';
import type { FrameRecord, Moment } from '../scenario/runtime/run-record.ts';

/**
 * A frame in a few words, as on a ladder's arrow: its type and what identifies it (the name,
 * the group and y, the seq and size, the whole error code). y as the narration shows it: decimal
 * below 2^64 (the toy groups), else abbreviated hex.
 */
export function frameSummary(f: FrameRecord): string {
  const frame = f.frame;
  const short = (v: unknown) => {
    const text = String(v);
    return text.length > 12 ? `${text.slice(0, 8)}...` : text;
  };
  const y = (v: unknown) =>
    typeof v === 'string' && /^[0-9a-f]+$/.test(v)
      ? formatEncodedNumber(Buffer.from(v, 'hex'), { keep: 4 })
          .replace(/ \(.*$/, '')
          .replace('…', '..')
      : short(v);
  let label: string = frame.type;
  if (frame.type === 'hello') label += ` name=${short(frame.name)}`;
  if (frame.type === 'server_key') label += ` ${short(frame.group)} y=${y(frame.y)}`;
  if (frame.type === 'client_key') label += ` y=${y(frame.y)}`;
  // Bytes on the wire, the length prefix included: the count the frame cards and the lab give.
  if (frame.type === 'data') label += ` seq ${short(frame.seq)}, ${f.bytes.length + 4} bytes`;
  if (frame.type === 'error') label += ` ${String(frame.code)}`; // whole: ERR_BAD_PUBLIC_KEY, not ERR_BAD_...
  return label;
}

function xml(text: string): string {
  return safeText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Breaks text at spaces into lines about `pixels` wide; a word longer than a line is split. */
function wrapTo(text: string, pixels: number): string[] {
  const chars = Math.max(4, Math.floor(pixels / 6.2));
  const lines: string[] = [];
  let line = '';
  const words = text
    .split(' ')
    .flatMap((word) => (word.length <= chars ? [word] : (word.match(new RegExp(`.{1,${chars}}`, 'gu')) ?? [word])));
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** SVG text of several lines, the first at `y`, each `LINE` px below the one before. */
function textLines(x: number, y: number, lines: string[], cls?: string): string {
  const spans = lines.map((l, i) => `<tspan x="${x}" dy="${i === 0 ? 0 : LINE}">${xml(l)}</tspan>`).join('');
  return `<text x="${x}" y="${y}" text-anchor="middle"${cls ? ` class="${cls}"` : ''}>${spans}</text>`;
}

/** Cuts text to about `pixels` wide at the diagram's font (an average glyph is ~6.2 px at 11 px). */
function clip(text: string, pixels: number): string {
  const chars = Math.max(4, Math.floor(pixels / 6.2));
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

/** A ladder's lifelines, left to right in the order they first appear (a note's lifeline included). */
export function participantsOf(frames: FrameRecord[], moments: Moment[]): string[] {
  const actors: string[] = [];
  const meet = (a: string) => actors.includes(a) || actors.push(a);
  for (let i = 0; i <= frames.length; i++) {
    for (const m of moments) if (m.afterFrames === i) meet(m.over);
    const f = frames[i];
    if (f) for (const a of [f.from, f.to]) meet(a);
  }
  return actors;
}

const WIDTH = 720;
const MARGIN = 80;
const HEAD = 30;
const ROW = 20;
/** The line height of a wrapped label. */
const LINE = 13;

/**
 * The step's ladder as inline SVG, drawn by dhlab (no script, no font, no CDN; inline in HTML it
 * needs no namespace): a lifeline per participant, an arrow per frame with its summary, a note for
 * each moment among the frames. Every text passes the sanitizer and is escaped for XML.
 */
export function ladderSvg(frames: FrameRecord[], moments: Moment[], title: string): string {
  const actors = participantsOf(frames, moments);
  const columnX = (actor: string) => {
    const i = actors.indexOf(actor);
    return actors.length === 1 ? WIDTH / 2 : MARGIN + (i * (WIDTH - 2 * MARGIN)) / (actors.length - 1);
  };
  const gap = actors.length > 1 ? (WIDTH - 2 * MARGIN) / (actors.length - 1) : WIDTH;
  const body: string[] = [];
  let y = HEAD + 8;
  for (let i = 0; i <= frames.length; i++) {
    for (const m of moments.filter((moment) => moment.afterFrames === i)) {
      y += ROW;
      const x = columnX(m.over);
      const half = Math.min(WIDTH / 2 - 4, Math.max(90, gap * 0.9));
      const left = Math.max(2, Math.min(WIDTH - 2 - 2 * half, x - half));
      // A long note wraps inside a taller box instead of being cut.
      const lines = wrapTo(m.text, 2 * half - 8);
      body.push(
        `<rect x="${left}" y="${y - 13}" width="${2 * half}" height="${17 + LINE * (lines.length - 1)}" class="note"/>${textLines(left + half, y, lines, 'note')}`,
      );
      y += LINE * (lines.length - 1);
    }
    const f = frames[i];
    if (!f) continue;
    const [from, to] = [columnX(f.from), columnX(f.to)];
    const direction = to >= from ? 1 : -1;
    const label = wrapTo(frameSummary(f), Math.max(80, Math.abs(to - from) - 8));
    y += ROW + LINE * (label.length - 1);
    body.push(
      `<line x1="${from}" y1="${y}" x2="${to - direction * 7}" y2="${y}" class="${f.frame.type === 'error' ? 'arrow error' : 'arrow'}"/>`,
      `<polygon points="${to},${y} ${to - direction * 8},${y - 4} ${to - direction * 8},${y + 4}" class="${f.frame.type === 'error' ? 'head error' : 'head'}"/>`,
      textLines((from + to) / 2, y - 4 - LINE * (label.length - 1), label),
    );
  }
  const height = y + 14;
  const lifelines = actors.map((a) => {
    const x = columnX(a);
    const name = clip(a, Math.min(gap - 6, 150));
    return `<line x1="${x}" y1="${HEAD}" x2="${x}" y2="${height - 4}" class="life"/><rect x="${x - Math.min(gap / 2 - 3, 75)}" y="4" width="${2 * Math.min(gap / 2 - 3, 75)}" height="${HEAD - 10}" class="actor"/><text x="${x}" y="${HEAD - 11}" text-anchor="middle" class="actor">${xml(name)}</text>`;
  });
  const style =
    'text{font:11px sans-serif;fill:#222}text.actor{font-weight:bold}text.note{font-style:italic}.life{stroke:#999;stroke-dasharray:3 3}' +
    'rect.actor{fill:#eef;stroke:#557}.arrow{stroke:#333;stroke-width:1.2}.head{fill:#333}.error{stroke:#b00;fill:#b00}rect.note{fill:#fff6c8;stroke:#c90}';
  return `<svg class="ladder" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${xml(title)}"><style>${style}</style>${lifelines.join('')}${body.join('')}</svg>`;
}

/**
 * Lesson 12's segments drawn: one bar per segment, as long as its bytes, in the order the relay
 * wrote them, each labelled with its size and the frames it carries; frames are named, not
 * printed byte by byte.
 */
export function segmentsSvg(
  segments: readonly { client: string; offset: number; size: number; carries: string }[],
  title: string,
): string {
  const width = 640;
  const barLeft = 8;
  const barMax = 180;
  const largest = Math.max(1, ...segments.map((s) => s.size));
  let y = 20;
  const rows: string[] = [];
  for (const s of segments) {
    const label = wrapTo(
      `${s.client}, bytes ${s.offset}-${s.offset + s.size - 1} (${s.size} B): ${s.carries}`,
      width - barMax - 24,
    );
    const bar = Math.max(2, Math.round((s.size / largest) * barMax));
    const height = Math.max(18, label.length * 13 + 5);
    rows.push(
      `<rect x="${barLeft}" y="${y}" width="${bar}" height="12" class="segment"/>`,
      `<text x="${barLeft + barMax + 12}" y="${y + 10}">${label.map((line, i) => `<tspan x="${barLeft + barMax + 12}" dy="${i === 0 ? 0 : 13}">${xml(line)}</tspan>`).join('')}</text>`,
    );
    y += height;
  }
  return `<svg class="ladder segments" viewBox="0 0 ${width} ${y + 4}" width="${width}" height="${y + 4}" role="img" aria-label="${xml(title)}"><style>text{font:11px sans-serif}.segment{fill:#c90}</style><text x="${barLeft}" y="12">${xml(`${title}: TCP segments as the server read them`)}</text>${rows.join('')}</svg>`;
}
