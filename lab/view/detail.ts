import { safeText } from '../../src/terminal/safe-text.ts';
import type { LadderStep } from '../model/ladder.ts';
import type { FrameRow } from '../model/model.ts';
import { wrapValue, type Encoding } from '../model/values.ts';

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
