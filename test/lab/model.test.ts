import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import type { TracePerspective } from '../../lab/model/model.ts';
import { waitFor } from '../support/helpers.ts';

const labels = (perspective: { ladders: Map<string, Array<{ label: string }>> }, connection: string) =>
  (perspective.ladders.get(connection) ?? []).map((s) => s.label);

describe('the lab model, fed by a real server, real clients and Eve on a real relay', () => {
  let lab: LabWorld;
  before(async () => {
    lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14 });
  });
  after(() => lab.close());

  it('each client ladder has every handshake step, in protocol order', () => {
    for (const name of ['alice', 'bob', 'carol']) {
      const view = lab.perspectives.find((p) => p.name === name) as TracePerspective;
      const steps = labels(view, 'server');
      const expected = [
        'group modp14',
        'p',
        'g',
        'q = (p-1)/2',
        'y_s received',
        '✓ y_s valid',
        "x (client's private exponent)",
        'y_c = g^x mod p (sent)',
        'Z = y_s^x mod p',
        'K = SHA-256(Z)',
        'H transcript hash',
        'key client->server',
        'key server->client',
      ];
      assert.deepEqual(steps.slice(0, expected.length), expected, name);
      assert.match(steps[expected.length] ?? '', /^host key SHA256:/);
      assert.deepEqual(steps.slice(expected.length + 1), ['signature over H', '✓ established']);
    }
  });

  it('the server has one ladder per client, in its own order', () => {
    assert.deepEqual([...lab.server.ladders.keys()], ['alice', 'bob', 'carol']);
    const steps = labels(lab.server, 'bob');
    assert.deepEqual(steps.slice(0, 7), [
      'group modp14',
      'p',
      'g',
      'q = (p-1)/2',
      "x (server's private exponent)",
      'y_s = g^x mod p (sent)',
      'y_c received',
    ]);
    assert.equal(steps.at(-1), '✓ established');
  });

  it('one relayed plaintext is N different ciphertexts in the server view, one per recipient key', async () => {
    const text = 'one plaintext, three keys';
    assert.equal(lab.say('alice', text), null);
    const relayed = () => {
      const rows = [];
      for (let i = 0; i < lab.server.frames.length; i++) {
        const row = lab.server.frames.at(i);
        if (row?.dir === '→' && row.plaintext?.includes(text)) rows.push(row);
      }
      return rows;
    };
    await waitFor(() => relayed().length === 3, 'three sealed copies');
    const rows = relayed();
    assert.deepEqual(rows.map((r) => r.peer).sort(), ['alice', 'bob', 'carol']);
    assert.equal(new Set(rows.map((r) => r.plaintext)).size, 1, 'one plaintext');
    assert.equal(new Set(rows.map((r) => Buffer.from(r.sealed ?? []).toString('hex'))).size, 3, 'three ciphertexts');
    assert.ok(lab.server.chat.tail(10).some((l) => l.text === `<alice> ${text}`));
    await waitFor(
      () =>
        ['alice', 'bob', 'carol'].every((n) =>
          lab.perspectives
            .find((p) => p.name === n)
            ?.chat.tail(5)
            .some((l) => l.text === `<alice> ${text}`),
        ),
      'everyone read it',
    );
    // Eve saw the same frames, sealed.
    const eveRows = Array.from({ length: lab.eve.frames.length }, (_, i) => lab.eve.frames.at(i));
    assert.ok(
      eveRows.filter((r) => r?.type === 'data').every((r) => r?.plaintext === undefined && r?.sealed !== undefined),
    );
  });

  it("Eve's ladder holds the public values, the names and what she would need", () => {
    const connections = [...lab.eve.ladders.keys()];
    assert.equal(connections.length, 3);
    const steps = labels(lab.eve, connections[0] as string);
    assert.deepEqual(steps.slice(0, 4), ['name "alice"', 'group modp14', 'p', 'g']);
    assert.ok(steps.includes('y_s (server public value)') && steps.includes('y_c (client public value)'));
    assert.ok(steps.includes('to read the chat Eve needs x'));
  });
});
