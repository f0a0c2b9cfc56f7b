import { safeText } from '../../src/terminal/safe-text.ts';
import type { LadderStep } from '../model/ladder.ts';
import type { FrameRow } from '../model/model.ts';
import { wrapValue, type Encoding } from '../model/values.ts';
import type { Pane } from '../keys/ui-state.ts';

/** What Enter shows for a step of the handshake ladder: its label, its note and its whole value. */
export function stepDetail(step: LadderStep, encoding: Encoding): string[] {
  const body = [safeText(`${step.label}${step.note ? ` (${step.note})` : ''}`), ''];
  if (step.value)
    body.push(
      `${step.value.bits} bits, ${step.value.bytes.length} bytes, ${encoding}:`,
      '',
      ...wrapValue(step.value, encoding, 64),
    );
  return body;
}

/** What Enter shows for a frame: its fields, its plaintext where this view has the key, and the sealed bytes. */
export function frameDetail(row: FrameRow, encoding: Encoding): string[] {
  const body = [
    `${row.dir} ${safeText(row.peer)} ${safeText(row.type)}${row.seq === undefined ? '' : ` #${row.seq}`}, ${row.size} bytes on the wire`,
  ];
  if (row.fields) body.push(`fields: ${safeText(row.fields)}`);
  if (row.plaintext !== undefined) body.push('', 'plaintext:', safeText(row.plaintext));
  const sealed = row.sealed ? wrapValue({ bytes: row.sealed, bits: row.sealed.length * 8 }, encoding, 64) : [];
  if (row.sealed && row.layout === 'cbc') {
    body.push('', `16-byte IV + AES-256-CBC ciphertext, no MAC (${encoding}):`, ...sealed);
    body.push('', 'Nothing authenticates these bytes: flip a bit of the IV and the same bit of the first block flips.');
  } else {
    if (row.sealed) body.push('', `ciphertext + 16-byte tag (${encoding}):`, ...sealed);
    if (row.nonce)
      body.push(
        '',
        `nonce ${Buffer.from(row.nonce).toString('hex')}`,
        `aad "${safeText(Buffer.from(row.aad ?? []).toString('utf8'))}"`,
      );
  }
  if (row.plaintext === undefined && row.sealed)
    body.push('', 'sealed: without the direction key nobody on the path can open this.');
  return body;
}

/** An overlay's content: a title, its lines, and what `s` saves (a value only; a frame is not saved). */
export interface Expansion {
  label: string;
  lines: string[];
  save?: { label: string; text: string };
}

/** What Enter expands: the selected step (the newest if none) in the inspector, else the selected frame. */
export function expansion(
  focus: Pane,
  cursor: number | null,
  steps: readonly LadderStep[],
  frames: { readonly length: number; at(index: number): FrameRow | undefined },
  encoding: Encoding,
): Expansion | null {
  if (focus === 'inspector') {
    const step = steps[cursor ?? steps.length - 1];
    if (!step) return null;
    const save = step.value && { label: step.label, text: wrapValue(step.value, encoding, 64).join('') };
    return { label: ` ${safeText(step.label)} `, lines: stepDetail(step, encoding), ...(save ? { save } : {}) };
  }
  const row = frames.at(cursor ?? frames.length - 1);
  return row ? { label: ' frame ', lines: frameDetail(row, encoding) } : null;
}
