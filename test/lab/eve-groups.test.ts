// What Eve is told about the discrete logarithm fits the group on the wire: out of reach in an
// RFC 3526 group, within reach in a toy group (where the sealed frames are not safe from her).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EvePerspective } from '../../lab/model/eve.ts';
import type { WireFrame } from '../../src/protocol/frame.ts';

function eveSees(group: string): Map<string, string> {
  const eve = new EvePerspective();
  const frames: Array<[WireFrame, 'client->server' | 'server->client']> = [
    [{ type: 'hello', version: 1, name: 'ann' }, 'client->server'],
    [{ type: 'server_key', group, y: '06', host_key: 'ab'.repeat(32) }, 'server->client'],
    [{ type: 'client_key', y: '08' }, 'client->server'],
    [{ type: 'server_auth', signature: 'cd'.repeat(64) }, 'server->client'],
  ];
  for (const [frame, dir] of frames)
    eve.onObservation({ connection: 1, dir, bytes: Buffer.from(JSON.stringify(frame)), frame });
  const steps = eve.ladders.get('#1 ann⇄server') ?? [];
  return new Map(steps.map((s) => [s.label, s.note ?? '']));
}

describe("Eve's ladder, per group", () => {
  it('modp14: the discrete log is out of reach and the frames stay sealed', () => {
    const notes = eveSees('modp14');
    assert.match(notes.get('to read the chat Eve needs x') ?? '', /2048-bit group .*out of reach/);
    assert.equal(notes.get('from here on: sealed frames'), 'AES-256-GCM under keys Eve cannot derive');
  });

  it('modp16: the note names its size', () => {
    assert.match(eveSees('modp16').get('to read the chat Eve needs x') ?? '', /4096-bit group/);
  });

  it('toy23: a few steps of baby-step giant-step, and keys she can derive', () => {
    const notes = eveSees('toy23');
    assert.equal(
      notes.get('to read the chat Eve needs x'),
      'finding it from y = g^x mod p in toy23: q has 4 bits, so baby-step giant-step needs about 2^2 steps; within reach',
    );
    assert.equal(
      notes.get('from here on: sealed frames'),
      'sealed under keys Eve derives as soon as she has x (toy group)',
    );
  });
});
