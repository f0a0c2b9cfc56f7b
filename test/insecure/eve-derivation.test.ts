// Eve's derivation: with the server's exponent and the public handshake alone she gets the keys
// the client derived, and opens the frames sealed under them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bigintToBytes, bytesToBigint } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { keysFromServerExponent, openCaptured } from '../../src/insecure/attacks/eve-derivation.ts';
import { DirectionalCipher } from '../../src/protocol/channel.ts';
import { deriveSessionKeys, transcriptHash } from '../../src/protocol/keyschedule.ts';

const engine = ENGINES.native;
const group = GROUPS.modp14;
const exponent = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((x) => x.some((b) => b !== 0));

describe("Eve's key derivation from the server's exponent", () => {
  it("gives the client's own Z and keys, and opens its frames", () => {
    fc.assert(
      fc.property(exponent, exponent, fc.string({ minLength: 1, maxLength: 40 }), (xs, xc, text) => {
        const seen = {
          name: 'alice',
          group,
          serverPublic: engine.dhPublic(group, xs),
          hostKey: new Uint8Array(32).fill(7),
          clientPublic: engine.dhPublic(group, xc),
        };
        const clientZ = engine.dhShared(group, xc, seen.serverPublic);
        const clientKeys = deriveSessionKeys(engine, clientZ, transcriptHash(engine, seen));
        const eve = keysFromServerExponent(engine, bytesToBigint(xs), seen);
        assert.deepEqual(eve.sharedSecret, clientZ);
        assert.deepEqual(eve.keys, clientKeys);
        const sealed = new DirectionalCipher(engine, clientKeys.clientToServer).seal(Buffer.from(text, 'utf8'));
        const [opened] = openCaptured(engine, eve.keys, [
          { dir: 'client->server', seq: sealed.seq, sealed: sealed.sealed },
        ]);
        assert.equal(opened?.text, text);
        const [wrongWay] = openCaptured(engine, eve.keys, [
          { dir: 'server->client', seq: sealed.seq, sealed: sealed.sealed },
        ]);
        assert.equal(wrongWay?.text, null, 'a frame opened under the other direction key fails');
      }),
      { numRuns: 10 },
    );
  });

  it('pads Z to the length of p before hashing, as the protocol does', () => {
    // An exponent of 1: Z = y_c itself, so a y_c with a zero top byte gives a Z that needs padding.
    const y = bigintToBytes(5n, group.byteLength);
    const eve = keysFromServerExponent(engine, 1n, {
      name: 'a',
      group,
      serverPublic: y,
      hostKey: new Uint8Array(32),
      clientPublic: y,
    });
    assert.equal(eve.sharedSecret.length, group.byteLength);
    assert.equal(bytesToBigint(eve.sharedSecret), 5n);
  });
});
