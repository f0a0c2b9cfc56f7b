import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { DhlabError, type ErrorCode } from '../../src/errors.ts';
import { encodeFrame, FrameDecoder, parseFramePayload } from '../../src/protocol/frame.ts';
import { sessionPair } from './pair.ts';

const codeOf = (error: DhlabError | null | undefined): ErrorCode | null | undefined =>
  error === undefined ? undefined : (error?.code ?? null);

/** Decodes one chunk holding exactly one frame. */
function frameOf(bytes: Uint8Array): Record<string, unknown> {
  const [payload] = new FrameDecoder().push(bytes);
  return parseFramePayload(payload as Uint8Array) as Record<string, unknown>;
}

describe('client and server sessions', () => {
  for (const [clientEngine, serverEngine] of [
    ['native', 'native'],
    ['forge', 'native'],
    ['native', 'forge'],
  ] as const) {
    it(`handshake and chat: client ${clientEngine}, server ${serverEngine}`, () => {
      const pair = sessionPair({ clientEngine: ENGINES[clientEngine], serverEngine: ENGINES[serverEngine] });
      assert.ok(pair.client.isEstablished && pair.server.isEstablished);
      assert.deepEqual(pair.serverEvents.slice(0, 2), [
        { type: 'hello', name: 'alice' },
        { type: 'established', name: 'alice' },
      ]);
      pair.client.send({ type: 'chat', text: 'café ☕ and José' });
      pair.pump();
      assert.deepEqual(pair.requests(), [{ type: 'chat', text: 'café ☕ and José' }]);
      pair.server.send({ type: 'message', id: 1, from: 'alice', text: 'café ☕ and José' });
      pair.pump();
      assert.deepEqual(pair.received(), [{ type: 'message', id: 1, from: 'alice', text: 'café ☕ and José' }]);
    });
  }

  it('works in the larger groups too', () => {
    for (const group of [GROUPS.modp15, GROUPS.modp16]) {
      const pair = sessionPair({ group });
      pair.client.send({ type: 'who' });
      pair.pump();
      assert.deepEqual(pair.requests(), [{ type: 'who' }]);
    }
  });

  it('every connection gets fresh ephemeral keys on both sides', () => {
    const a = sessionPair({ revealSecrets: true });
    const b = sessionPair({ revealSecrets: true });
    const publics = (pair: typeof a) =>
      pair.traces
        .filter((t) => t.kind === 'public_key' && t.owner === t.role)
        .map((t) => Buffer.from((t as { y: Uint8Array }).y).toString('hex'));
    assert.equal(new Set([...publics(a), ...publics(b)]).size, 4);
  });

  it('rejects chat before the handshake: "received data instead of hello"', () => {
    const pair = sessionPair({ toServer: () => [] }); // swallow the real hello
    pair.server.feed(encodeFrame({ type: 'data', seq: 0, box: 'AAAA' }));
    assert.equal(codeOf(pair.closed.server), 'ERR_UNEXPECTED_FRAME');
    assert.match(pair.closed.server?.message ?? '', /received data instead of hello/);
  });

  it('rejects unknown frames, wrong versions and malformed fields', () => {
    const cases: Array<[Record<string, unknown>, ErrorCode]> = [
      [{ type: 'hi' }, 'ERR_UNKNOWN_FRAME'],
      [{ type: 'hello', version: 2, name: 'alice' }, 'ERR_VERSION'],
      [{ type: 'hello', version: 1 }, 'ERR_BAD_FRAME'],
      [{ type: 'hello', version: '1', name: 'alice' }, 'ERR_BAD_FRAME'],
    ];
    for (const [frame, code] of cases) {
      const pair = sessionPair({ toServer: () => [] });
      pair.server.feed(encodeFrame(frame as { type: string }));
      assert.equal(codeOf(pair.closed.server), code, JSON.stringify(frame));
    }
  });

  it('the server reports a fatal error to the client, which closes with that code', () => {
    const pair = sessionPair({
      toServer: (bytes) =>
        frameOf(bytes).type === 'client_key' ? [encodeFrame({ type: 'client_key', y: '00'.repeat(256) })] : [bytes],
    });
    assert.equal(codeOf(pair.closed.server), 'ERR_BAD_PUBLIC_KEY');
    assert.equal(codeOf(pair.closed.client), 'ERR_BAD_PUBLIC_KEY');
  });

  it('a client refuses a server public value outside the subgroup', () => {
    const p = GROUPS.modp14.p;
    const pair = sessionPair({
      toClient: (bytes) => {
        const frame = frameOf(bytes);
        return frame.type === 'server_key'
          ? [encodeFrame({ ...frame, type: 'server_key', y: (p - 4n).toString(16) })]
          : [bytes];
      },
    });
    assert.equal(codeOf(pair.closed.client), 'ERR_BAD_PUBLIC_KEY');
  });

  it('a pinned host key that changed stops the handshake before the client sends its key', () => {
    const pair = sessionPair({
      checkHostKey: () => {
        throw new DhlabError('ERR_HOST_KEY_CHANGED', 'changed');
      },
    });
    assert.equal(codeOf(pair.closed.client), 'ERR_HOST_KEY_CHANGED');
    assert.equal(
      pair.serverEvents.some((e) => e.type === 'established'),
      false,
    );
  });

  it('a forged server_auth signature is ERR_BAD_SIGNATURE', () => {
    const pair = sessionPair({
      toClient: (bytes) => {
        const frame = frameOf(bytes);
        return frame.type === 'server_auth'
          ? [encodeFrame({ type: 'server_auth', signature: 'ab'.repeat(64) })]
          : [bytes];
      },
    });
    assert.equal(codeOf(pair.closed.client), 'ERR_BAD_SIGNATURE');
    assert.equal(pair.client.isEstablished, false);
  });

  describe('tampering with sealed frames is ERR_DECRYPT and nothing is delivered', () => {
    function tamperedPair(tamper: (sealedFrames: Uint8Array[]) => Uint8Array[]) {
      const captured: Uint8Array[] = [];
      let capturing = false;
      const pair = sessionPair({ toServer: (bytes) => (capturing ? (captured.push(bytes), []) : [bytes]) });
      capturing = true;
      pair.client.send({ type: 'chat', text: 'one' });
      pair.client.send({ type: 'chat', text: 'two' });
      pair.pump();
      for (const bytes of tamper(captured)) pair.server.feed(bytes);
      return pair;
    }

    it('replay', () => {
      const pair = tamperedPair(([one, two]) => [one as Uint8Array, one as Uint8Array, two as Uint8Array]);
      assert.deepEqual(pair.requests(), [{ type: 'chat', text: 'one' }]);
      assert.equal(codeOf(pair.closed.server), 'ERR_DECRYPT');
      // Caught by the counter check, before any decryption, and said so.
      assert.equal(
        pair.closed.server?.message,
        'frame sequence 0 where 1 was expected (replayed, dropped or reordered)',
      );
    });

    it('reorder', () => {
      const pair = tamperedPair(([one, two]) => [two as Uint8Array, one as Uint8Array]);
      assert.deepEqual(pair.requests(), []);
      assert.equal(codeOf(pair.closed.server), 'ERR_DECRYPT');
    });

    it('reorder with the sequence numbers rewritten to look right', () => {
      const pair = tamperedPair(([one, two]) => {
        const a = frameOf(one as Uint8Array);
        const b = frameOf(two as Uint8Array);
        return [encodeFrame({ ...b, type: 'data', seq: 0 }), encodeFrame({ ...a, type: 'data', seq: 1 })];
      });
      assert.deepEqual(pair.requests(), []);
      assert.equal(codeOf(pair.closed.server), 'ERR_DECRYPT');
    });

    it('every single bit flipped in the ciphertext', () => {
      const original = (() => {
        let box = '';
        tamperedPair(([one]) => ((box = frameOf(one as Uint8Array).box as string), []));
        return Buffer.from(box, 'base64');
      })();
      for (let bit = 0; bit < original.length * 8; bit += 7) {
        const pair = tamperedPair(([one]) => {
          const sealed = Buffer.from(frameOf(one as Uint8Array).box as string, 'base64');
          sealed[bit >> 3] = (sealed[bit >> 3] as number) ^ (1 << (bit & 7));
          return [encodeFrame({ type: 'data', seq: 0, box: sealed.toString('base64') })];
        });
        assert.deepEqual(pair.requests(), [], `bit ${bit}`);
        assert.equal(codeOf(pair.closed.server), 'ERR_DECRYPT');
        assert.equal(pair.closed.server?.message, 'frame 0 failed AES-GCM authentication');
      }
    });

    it('truncated ciphertext', () => {
      const pair = tamperedPair(([one]) => {
        const sealed = Buffer.from(frameOf(one as Uint8Array).box as string, 'base64');
        return [encodeFrame({ type: 'data', seq: 0, box: sealed.subarray(0, sealed.length - 1).toString('base64') })];
      });
      assert.equal(codeOf(pair.closed.server), 'ERR_DECRYPT');
    });
  });

  describe('batches (docs/PROTOCOL.md s.5.1)', () => {
    const event = (id: number, text = 'hi') => Buffer.from(JSON.stringify({ type: 'message', id, from: 'bob', text }));

    it('several events in one sealed frame arrive in order, as if sent one by one', () => {
      const pair = sessionPair();
      const before = pair.traces.length;
      pair.server.sendSerialized([event(1), event(2), event(3)]);
      pair.pump();
      assert.deepEqual(
        pair.received().map((e) => (e as { id: number }).id),
        [1, 2, 3],
      );
      assert.equal(pair.traces.slice(before).filter((t) => t.kind === 'wire' && t.dir === 'send').length, 1);
    });

    it('a batch too large for one frame is split, and every frame stays under 64 KiB', () => {
      const pair = sessionPair();
      const before = pair.traces.length;
      const text = 'é'.repeat(2000); // 4000 UTF-8 bytes
      pair.server.sendSerialized(Array.from({ length: 40 }, (_, i) => event(i, text)));
      pair.pump();
      assert.deepEqual(
        pair.received().map((e) => (e as { id: number }).id),
        Array.from({ length: 40 }, (_, i) => i),
      );
      const sent = pair.traces.slice(before).filter((t) => t.kind === 'wire' && t.dir === 'send') as Array<{
        bytes: Uint8Array;
      }>;
      assert.ok(sent.length >= 5, `${sent.length} frames`);
      assert.ok(sent.every((t) => t.bytes.length < 64 * 1024));
    });

    for (const [what, inner] of [
      ['an empty batch', { type: 'batch', events: [] }],
      ['a nested batch', { type: 'batch', events: [{ type: 'batch', events: [] }] }],
      ['a batch of non-events', { type: 'batch', events: [1, 2] }],
    ] as const) {
      it(`${what} is ERR_BAD_FRAME`, () => {
        const pair = sessionPair();
        pair.server.sendSerialized([Buffer.from(JSON.stringify(inner))]);
        pair.pump();
        assert.equal(codeOf(pair.closed.client), 'ERR_BAD_FRAME');
      });
    }
  });

  it('a message too large to seal in one frame is refused before it uses a sequence number', () => {
    const pair = sessionPair();
    assert.throws(
      () => pair.server.send({ type: 'message', id: 1, from: 'x', text: 'y'.repeat(50_000) }),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_FRAME_LENGTH',
    );
    pair.server.send({ type: 'message', id: 2, from: 'x', text: 'fits' });
    pair.pump();
    assert.deepEqual(pair.received(), [{ type: 'message', id: 2, from: 'x', text: 'fits' }]);
  });

  it('after a fatal error the session ignores further input', () => {
    const pair = sessionPair({ toServer: () => [] });
    pair.server.feed(encodeFrame({ type: 'nope' }));
    assert.equal(codeOf(pair.closed.server), 'ERR_UNKNOWN_FRAME');
    pair.server.feed(encodeFrame({ type: 'hello', version: 1, name: 'bob' }));
    assert.equal(pair.serverEvents.length, 0);
  });

  it('a stream cut mid-frame ends with ERR_FRAME_TRUNCATED', () => {
    const pair = sessionPair({ toServer: () => [] });
    pair.server.feed(encodeFrame({ type: 'hello', version: 1, name: 'bob' }).subarray(0, 10));
    pair.server.end();
    assert.equal(codeOf(pair.closed.server), 'ERR_FRAME_TRUNCATED');
  });
});

describe('a server that announces weakenings (s.4.1, server_key.insecure)', () => {
  it('is refused by a client without --insecure-... flags (ERR_INSECURE_SERVER, before client_key), and joined by one with them', () => {
    const announce = ['toy group toy23', 'validation off'];
    const honest = sessionPair({ serverInsecure: { announce } });
    assert.equal(honest.closed.client?.code, 'ERR_INSECURE_SERVER');
    assert.match(
      honest.closed.client?.message ?? '',
      /the server announces teaching-only weakenings \(toy group toy23, validation off\)/,
    );
    assert.equal(honest.client.isEstablished, false);

    const student = sessionPair({ serverInsecure: { announce }, insecure: {} });
    assert.equal(student.closed.client, undefined);
    assert.equal(student.client.isEstablished, true);
  });

  it('a server with no weakening announces none', () => {
    const pair = sessionPair({ trace: true });
    const serverKey = pair.traces.find((t) => t.kind === 'wire' && t.dir === 'send' && t.frame.type === 'server_key');
    assert.ok(serverKey && serverKey.kind === 'wire' && !('insecure' in serverKey.frame));
  });
});
