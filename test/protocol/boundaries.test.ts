// Boundaries and state checks that an outside mutation-testing run found unpinned (hardening
// item 12): each test fails if the limit or check it names is changed or removed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { DhlabError, type ErrorCode } from '../../src/errors.ts';
import { DirectionalCipher, MAX_SEQUENCE } from '../../src/protocol/channel.ts';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES, parseFramePayload } from '../../src/protocol/frame.ts';
import { textProblem, validateOuterFrame, validateServerEvent } from '../../src/protocol/messages.ts';
import { sessionPair } from './pair.ts';

const code = (expected: ErrorCode) => (e: unknown) => e instanceof DhlabError && e.code === expected;

describe('limits pinned by their numbers (docs/PROTOCOL.md)', () => {
  it('a frame payload may be 65,536 bytes and no more (s.2)', () => {
    assert.equal(MAX_FRAME_BYTES, 65_536);
    const fits = encodeFrame({ type: 'hello', version: 1, name: 'a'.repeat(65_536 - 38) }); // 38 bytes of JSON around the name
    assert.equal(fits.length, 4 + 65_536);
    assert.equal(new FrameDecoder().push(fits).length, 1);
    assert.throws(
      () => encodeFrame({ type: 'hello', version: 1, name: 'a'.repeat(65_536 - 37) }),
      code('ERR_FRAME_LENGTH'),
    );
    assert.throws(() => new FrameDecoder().push(Uint8Array.of(0, 1, 0, 1)), code('ERR_FRAME_LENGTH')); // 65,537
    assert.throws(() => new FrameDecoder().push(Uint8Array.of(0, 0, 0, 0)), code('ERR_FRAME_LENGTH')); // 0
  });

  it('chat text: 1 to 4,096 UTF-8 bytes (s.6.2)', () => {
    assert.equal(textProblem('x'.repeat(4096)), null);
    assert.equal(textProblem('x'.repeat(4097))?.code, 'ERR_MESSAGE_TOO_LONG');
    assert.equal(textProblem('é'.repeat(2048)), null); // 4,096 bytes in 2,048 characters
    assert.equal(textProblem(`${'é'.repeat(2048)}x`)?.code, 'ERR_MESSAGE_TOO_LONG');
    assert.equal(textProblem('')?.code, 'ERR_EMPTY_MESSAGE');
  });

  it('string members have length caps: hello.name 1,024, error.message 1,024, group 16', () => {
    validateOuterFrame({ type: 'hello', version: 1, name: 'n'.repeat(1024) });
    assert.throws(
      () => validateOuterFrame({ type: 'hello', version: 1, name: 'n'.repeat(1025) }),
      code('ERR_BAD_FRAME'),
    );
    validateOuterFrame({ type: 'error', code: 'ERR_VERSION', message: 'm'.repeat(1024) });
    assert.throws(
      () => validateOuterFrame({ type: 'error', code: 'ERR_VERSION', message: 'm'.repeat(1025) }),
      code('ERR_BAD_FRAME'),
    );
    assert.throws(
      () => validateOuterFrame({ type: 'server_key', group: 'g'.repeat(17), y: '02', host_key: 'ab'.repeat(32) }),
      code('ERR_BAD_FRAME'),
    );
  });

  it('integers are non-negative: version, seq, id, count', () => {
    assert.throws(() => validateOuterFrame({ type: 'hello', version: -1, name: 'a' }), code('ERR_BAD_FRAME'));
    assert.throws(() => validateOuterFrame({ type: 'data', seq: -1, box: '' }), code('ERR_BAD_FRAME'));
    assert.throws(() => validateServerEvent({ type: 'message', id: -1, from: 'a', text: 'b' }), code('ERR_BAD_FRAME'));
    assert.throws(() => validateServerEvent({ type: 'who', members: [], count: -1 }), code('ERR_BAD_FRAME'));
    assert.throws(
      () => validateServerEvent({ type: 'welcome', name: 'a', members: ['a'], count: 1.5 }),
      code('ERR_BAD_FRAME'),
    );
  });

  it('the message counter stops at 2^53-2: the next seal is ERR_NONCE_EXHAUSTED (s.5, s.9)', () => {
    const cipher = new DirectionalCipher(ENGINES.native, new Uint8Array(32));
    (cipher as unknown as { seq: number }).seq = MAX_SEQUENCE - 1;
    assert.equal(cipher.seal(Uint8Array.of(1)).seq, MAX_SEQUENCE - 1);
    assert.throws(
      () => cipher.seal(Uint8Array.of(1)),
      (e: unknown) => code('ERR_NONCE_EXHAUSTED')(e) && (e as Error).message === 'message counter exhausted; reconnect',
    );
    assert.equal(MAX_SEQUENCE, 2 ** 53 - 1);
  });
});

describe("the client's state machine (s.4)", () => {
  const serverKeyOf = () => {
    const pair = sessionPair({ toClient: () => [] });
    return pair;
  };

  it('refuses server frames out of order: "received X instead of Y"', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'data', seq: 0, box: 'AAAA' }, /received data instead of server_key/],
      [{ type: 'server_auth', signature: 'ab'.repeat(64) }, /received server_auth instead of server_key/],
      [{ type: 'client_key', y: '02' }, /received client_key instead of server_key/],
      [{ type: 'hello', version: 1, name: 'x' }, /received hello instead of server_key/],
    ];
    for (const [frame, message] of cases) {
      const pair = serverKeyOf();
      pair.client.feed(encodeFrame(frame as { type: string }));
      assert.equal(pair.closed.client?.code, 'ERR_UNEXPECTED_FRAME', JSON.stringify(frame));
      assert.match(pair.closed.client?.message ?? '', message);
    }
  });

  it('a second server_key where server_auth is due is refused', () => {
    let firstKey: Uint8Array | null = null;
    const pair = sessionPair({
      toClient: (bytes) => {
        const frame = parseFramePayload(bytes.subarray(4));
        if (frame.type === 'server_key') firstKey = bytes;
        if (frame.type === 'server_auth' && firstKey) return [firstKey];
        return [bytes];
      },
    });
    assert.equal(pair.closed.client?.code, 'ERR_UNEXPECTED_FRAME');
    assert.match(pair.closed.client?.message ?? '', /received server_key instead of server_auth/);
  });

  it('a host key of the wrong size is ERR_BAD_FRAME', () => {
    const pair = sessionPair({
      toClient: (bytes) => {
        const frame = parseFramePayload(bytes.subarray(4));
        return frame.type === 'server_key'
          ? [encodeFrame({ ...frame, host_key: String(frame.host_key).slice(2) })]
          : [bytes];
      },
    });
    assert.equal(pair.closed.client?.code, 'ERR_BAD_FRAME');
  });

  it('nothing can be sent before the session is established', () => {
    const pair = sessionPair({ toClient: () => [] }); // the server's answers never arrive
    assert.throws(() => pair.client.send({ type: 'chat', text: 'too early' }), code('ERR_SESSION_CLOSED'));
  });
});

describe('more pins from the first mutation run', () => {
  it('the host fingerprint is the vector of s.8 (OpenSSH style: unpadded base64)', async () => {
    const { fingerprint } = await import('../../src/protocol/identity.ts');
    const { fromHex } = await import('../../src/crypto/bytes.ts');
    const key = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    assert.equal(fingerprint(ENGINES.native, key), 'SHA256:If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk');
    assert.equal(fingerprint(ENGINES.forge, key), 'SHA256:If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk');
  });

  it('HKDF output length is 0 to 255 x 32 bytes (RFC 5869 s.2.3)', async () => {
    const { hkdfExpand } = await import('../../src/crypto/hkdf.ts');
    const prk = new Uint8Array(32).fill(1);
    assert.equal(hkdfExpand(ENGINES.native, prk, new Uint8Array(), 0).length, 0);
    assert.equal(hkdfExpand(ENGINES.native, prk, new Uint8Array(), 255 * 32).length, 8160);
    assert.throws(() => hkdfExpand(ENGINES.native, prk, new Uint8Array(), 255 * 32 + 1), RangeError);
    assert.throws(() => hkdfExpand(ENGINES.native, prk, new Uint8Array(), -1), RangeError);
    // The first 32 bytes of a longer output are the 32-byte output: T(1) comes first.
    assert.deepEqual(
      hkdfExpand(ENGINES.native, prk, Uint8Array.of(7), 64).subarray(0, 32),
      hkdfExpand(ENGINES.native, prk, Uint8Array.of(7), 32),
    );
  });

  it('server events: bye may say OK, error may not; unknown codes and types are refused', () => {
    assert.deepEqual(validateServerEvent({ type: 'bye', code: 'OK', reason: 'goodbye' }), {
      type: 'bye',
      code: 'OK',
      reason: 'goodbye',
    });
    assert.deepEqual(validateServerEvent({ type: 'error', code: 'ERR_DECRYPT', message: 'm' }), {
      type: 'error',
      code: 'ERR_DECRYPT',
      message: 'm',
    });
    assert.throws(() => validateServerEvent({ type: 'error', code: 'OK', message: 'm' }), code('ERR_BAD_FRAME'));
    assert.throws(() => validateServerEvent({ type: 'bye', code: 'ERR_NOPE', reason: 'r' }), code('ERR_BAD_FRAME'));
    assert.throws(() => validateServerEvent({ type: 'bye', code: 'OK' }), code('ERR_BAD_FRAME'));
    assert.deepEqual(validateServerEvent({ type: 'leave', name: 'a', reason: 'quit' }), {
      type: 'leave',
      name: 'a',
      reason: 'quit',
    });
    assert.throws(() => validateServerEvent({ type: 'leave', name: 'a' }), code('ERR_BAD_FRAME'));
    assert.throws(() => validateServerEvent({ type: 'join' }), code('ERR_BAD_FRAME'));
    assert.throws(
      () => validateServerEvent({ type: 'welcome', name: 'a', members: [1], count: 1 }),
      code('ERR_BAD_FRAME'),
    );
    assert.throws(
      () => validateServerEvent({ type: 'party' }),
      (e: unknown) => code('ERR_UNKNOWN_FRAME')(e) && /unknown event type "party"/.test((e as Error).message),
    );
  });

  it('client requests: chat, who, quit, a sealed error; anything else is ERR_UNKNOWN_FRAME', async () => {
    const { validateClientRequest } = await import('../../src/protocol/messages.ts');
    assert.deepEqual(validateClientRequest({ type: 'quit' }), { type: 'quit' });
    assert.deepEqual(validateClientRequest({ type: 'who' }), { type: 'who' });
    assert.deepEqual(validateClientRequest({ type: 'error', code: 'ERR_NOPE', message: 'm' }), {
      type: 'error',
      code: 'ERR_BAD_FRAME',
      message: 'm',
    });
    assert.throws(() => validateClientRequest({ type: 'chat' }), code('ERR_BAD_FRAME'));
    assert.throws(
      () => validateClientRequest({ type: 'dance' }),
      (e: unknown) => code('ERR_UNKNOWN_FRAME')(e) && /unknown request type "dance"/.test((e as Error).message),
    );
  });
});

describe('the largest sealed message (s.5)', () => {
  it('47 KiB of plaintext is sealed and fits one frame; one byte more is refused before sealing', async () => {
    const { MAX_SEALED_PLAINTEXT_BYTES } = await import('../../src/protocol/session.ts');
    assert.equal(MAX_SEALED_PLAINTEXT_BYTES, 47 * 1024);
    const pair = sessionPair();
    const overhead = JSON.stringify({ type: 'message', id: 1, from: 'x', text: '' }).length;
    pair.server.send({ type: 'message', id: 1, from: 'x', text: 'y'.repeat(MAX_SEALED_PLAINTEXT_BYTES - overhead) });
    assert.throws(
      () =>
        pair.server.send({
          type: 'message',
          id: 2,
          from: 'x',
          text: 'y'.repeat(MAX_SEALED_PLAINTEXT_BYTES - overhead + 1),
        }),
      code('ERR_FRAME_LENGTH'),
    );
    pair.pump();
    assert.equal(pair.received().length, 1);
  });
});
