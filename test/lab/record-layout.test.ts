// The frames pane names the parts of a sealed record as they are: GCM's tag, or, when a lesson
// swapped in the original project's AES-CBC, its IV and the missing MAC.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cbcRecordCipher } from '../../src/insecure/cbc.ts';
import { palette } from '../../src/terminal/colors.ts';
import { TracePerspective, type FrameRow } from '../../lab/model/model.ts';
import { frameLines } from '../../lab/view/render.ts';
import { sessionPair } from '../protocol/pair.ts';

function sealedRows(cbc: boolean): FrameRow[] {
  const view = new TracePerspective('alice', 'client');
  const pair = sessionPair({ revealSecrets: true, insecure: cbc ? { recordCipher: cbcRecordCipher } : undefined });
  for (const event of pair.traces) if (event.role === 'client') view.onTrace('server', event);
  const before = pair.traces.length;
  pair.client.send({ type: 'chat', text: 'pay 10' });
  pair.server.send({ type: 'message', id: 1, from: 'alice', text: 'pay 10' });
  pair.pump();
  for (const event of pair.traces.slice(before)) if (event.role === 'client') view.onTrace('server', event);
  const rows: FrameRow[] = [];
  for (let i = 0; i < view.frames.length; i++) {
    const row = view.frames.at(i);
    if (row?.sealed) rows.push(row);
  }
  return rows;
}

const options = { colors: palette(0), detail: 'full' as const, encoding: 'hex' as const };

describe('sealed records in the frames pane', () => {
  it('GCM: ciphertext, a 16-byte tag, the nonce and AAD', () => {
    const rows = sealedRows(false);
    assert.deepEqual(
      rows.map((r) => [r.dir, r.layout]),
      [
        ['→', 'gcm'],
        ['←', 'gcm'],
      ],
    );
    const lines = frameLines(rows[0] as FrameRow, options, 200).join('\n');
    assert.match(lines, /^ {4}tag [0-9a-f]{32}$/m);
    assert.match(lines, /nonce [0-9a-f]{24} {2}aad "/);
    assert.doesNotMatch(lines, /iv |no MAC/);
  });

  it('CBC (teaching only): the IV, the ciphertext, and no tag because there is no MAC', () => {
    const rows = sealedRows(true);
    assert.deepEqual(
      rows.map((r) => [r.dir, r.layout]),
      [
        ['→', 'cbc'],
        ['←', 'cbc'],
      ],
    );
    const row = rows[0] as FrameRow;
    const lines = frameLines(row, options, 200).join('\n');
    assert.doesNotMatch(lines, /tag /);
    assert.match(
      lines,
      new RegExp(
        `^ {4}iv ${Buffer.from(row.sealed?.subarray(0, 16) ?? []).toString('hex')} {2}no MAC: nothing authenticates these bytes$`,
        'm',
      ),
    );
    assert.match(lines, new RegExp(`^ {4}ct ${Buffer.from(row.sealed?.subarray(16) ?? []).toString('hex')}$`, 'm'));
  });
});
