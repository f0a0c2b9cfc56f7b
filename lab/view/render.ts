import { widgetText as safeText } from './cells.ts';

import { bytesToBigint } from '../../src/crypto/bytes.ts';
import type { Palette } from '../../src/terminal/colors.ts';
import { wrapLine } from '../../src/terminal/narrate.ts';
import { displayWidth } from '../../src/terminal/width.ts';
import type { Detail, LadderStep } from '../model/ladder.ts';
import type { ChatLine, FrameRow } from '../model/model.ts';
import { abbreviate, encode, type Encoding, type ValueKind } from '../model/values.ts';

export interface RenderOptions {
  colors: Palette;
  detail: Detail;
  encoding: Encoding;
  /** Values a scenario's narration names: ladder steps holding one are marked ★. */
  highlights?: ReadonlySet<bigint>;
}

/** Cuts a line to `width` columns (peer text is already safe: no control can change the width). */
export function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

function paint(colors: Palette, kind: ValueKind, text: string): string {
  return kind === 'plain' ? text : colors[kind](text);
}

/** Ladder steps visible at this detail level, numbered in order. */
export function visibleSteps(steps: readonly LadderStep[], detail: Detail): LadderStep[] {
  return steps.filter((s) => detail === 'full' || s.detail === 'basic');
}

/** One line per step: "3 y_c = g^x mod p (sent)  4b1d…77c2 (2048 bits)  note". */
export function ladderLines(
  steps: readonly LadderStep[],
  options: RenderOptions,
  width: number,
  me?: string,
): string[] {
  return visibleSteps(steps, options.detail).map((step, i) => {
    const value = step.value ? `  ${abbreviate(step.value, options.encoding)}` : '';
    const note = step.note ? `  ${step.note}` : '';
    const secret = step.kind === 'secret' ? ' [secret]' : '';
    const label = me ? step.label.replace(/\((client|server)'s /, `(${me}'s `) : step.label;
    const named = step.value !== undefined && options.highlights?.has(bytesToBigint(step.value.bytes)) === true;
    const plain = fit(
      `${String(i + 1).padStart(2)}${named ? '★' : ' '}${safeText(label)}${secret}${value}${safeText(note)}`,
      width,
    );
    return named
      ? options.colors.bold(paint(options.colors, step.kind, plain))
      : paint(options.colors, step.kind, plain);
  });
}

/** The frames pane: a header line per frame and, for data frames, what was sealed and how. */
export function frameLines(row: FrameRow, options: RenderOptions, width: number): string[] {
  const { colors } = options;
  const seq = row.seq === undefined ? '' : ` #${row.seq}`;
  const fields = row.fields ? ` ${safeText(row.fields)}` : '';
  const head = fit(`${row.dir} ${safeText(row.peer)} ${safeText(row.type)}${seq} ${row.size} B${fields}`, width);
  const lines = [colors.wire(head)];
  if (row.type !== 'data') return lines;
  if (row.plaintext !== undefined) {
    // What the frame means first (at 80x24 the JSON hid the message); the JSON in full detail.
    lines.push(fit(`    ${safeText(meaning(row.plaintext))}`, width));
    if (options.detail === 'full') lines.push(fit(`    plaintext ${safeText(row.plaintext)}`, width));
  }
  if (row.sealed && row.layout === 'cbc') {
    // The original project's layout: IV || ciphertext, and no MAC at all (src/insecure/cbc.ts).
    lines.push(colors.wire(fit(`    ct ${encode(row.sealed.subarray(16), options.encoding)}`, width)));
    if (options.detail === 'full') {
      lines.push(
        colors.public(
          fit(`    iv ${encode(row.sealed.subarray(0, 16), 'hex')}  no MAC: nothing authenticates these bytes`, width),
        ),
      );
    }
  } else if (row.sealed) {
    const tag = row.sealed.subarray(row.sealed.length - 16);
    const ct = row.sealed.subarray(0, row.sealed.length - 16);
    // One-cell words, not a 🔒 (two cells in a terminal, one in blessed: lab/view/cells.ts).
    const lock = row.plaintext === undefined ? 'sealed ' : '';
    lines.push(colors.wire(fit(`    ${lock}ct ${encode(ct, options.encoding)}`, width)));
    if (options.detail === 'full') {
      lines.push(colors.wire(fit(`    tag ${encode(tag, options.encoding)}`, width)));
      if (row.nonce)
        lines.push(
          colors.public(
            fit(
              `    nonce ${encode(row.nonce, 'hex')}  aad "${safeText(Buffer.from(row.aad ?? []).toString('utf8'))}"`,
              width,
            ),
          ),
        );
    }
  }
  return lines;
}

type Plain = Record<string, unknown>;
const quoted = (text: unknown) => JSON.stringify(String(text));

/** One event or request in words: `chat "meet at 10"`, `message #4 alice: "meet at 10"`, `join carol`. */
function eventMeaning(event: Plain): string {
  switch (event.type) {
    case 'chat':
      return `chat ${quoted(event.text)}`;
    case 'message':
      return `message #${String(event.id)} ${String(event.from)}: ${quoted(event.text)}`;
    case 'join':
      return `join ${String(event.name)}`;
    case 'leave':
      return `leave ${String(event.name)} (${String(event.reason)})`;
    case 'welcome':
    case 'who':
      return `${event.type}: ${Array.isArray(event.members) ? event.members.map(String).join(', ') : '?'}${Number(event.count) > (Array.isArray(event.members) ? event.members.length : 0) ? ` and ${Number(event.count) - (event.members as unknown[]).length} more` : ''}`;
    case 'bye':
    case 'error':
      return `${event.type} ${String(event.code)} ${quoted(event.message ?? event.reason)}`;
    case 'quit':
      return 'quit';
    default:
      return String(event.type);
  }
}

/** A sealed frame's plaintext in words; a batch as its events; anything else as it is. */
export function meaning(plaintext: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    return plaintext;
  }
  if (typeof parsed !== 'object' || parsed === null) return plaintext;
  const frame = parsed as Plain;
  if (frame.type === 'batch' && Array.isArray(frame.events))
    return `batch of ${frame.events.length}: ${frame.events.map((e) => eventMeaning(e as Plain)).join('; ')}`;
  return typeof frame.type === 'string' ? eventMeaning(frame) : plaintext;
}

/** A chat or error line, wrapped to the pane (continuations indented), in its colour. */
export function chatLine(line: ChatLine, options: RenderOptions, width: number): string[] {
  return wrapLine(safeText(line.text), width, '    ').map((row) => paint(options.colors, line.kind, fit(row, width)));
}

/** The last `height` lines of a list, or a window that keeps `cursor` in view. */
export function windowOf<T>(items: readonly T[], height: number, cursor: number | null): { first: number; items: T[] } {
  if (items.length <= height) return { first: 0, items: [...items] };
  const end = cursor === null ? items.length : Math.min(items.length, Math.max(height, cursor + Math.ceil(height / 2)));
  const first = Math.max(0, end - height);
  return { first, items: items.slice(first, end) };
}

/** The legend, in the lab's colours. */
export function legend(colors: Palette): string {
  return `${colors.public('■ public')} ${colors.secret('■ secret (this side only)')} ${colors.wire('■ on the wire')} ${colors.error('■ error')}`;
}

/** What the pane functions need of the UI state: colours, detail, encoding, the names to mark. */
export function renderOptionsFor(
  colors: Palette,
  state: { detail: Detail; encoding: Encoding },
  highlights?: bigint[],
): RenderOptions {
  return {
    colors,
    detail: state.detail,
    encoding: state.encoding,
    highlights: highlights && highlights.length > 0 ? new Set(highlights) : undefined,
  };
}
