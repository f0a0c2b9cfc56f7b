import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DhlabError, type ErrorCode } from '../../src/errors.ts';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES, parseFramePayload } from '../../src/protocol/frame.ts';

const isCode = (code: ErrorCode) => (error: unknown) => error instanceof DhlabError && error.code === code;

/** Splits bytes at the given cut points (any chunking of a TCP stream). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

const frameArb = fc.record({
  type: fc.string({ minLength: 1, maxLength: 10 }),
  text: fc.string({ unit: 'grapheme', maxLength: 300 }),
  n: fc.integer(),
});

describe('frames', () => {
  it('decode to the same frames under any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map(encodeFrame));
          const decoder = new FrameDecoder();
          const decoded = chunk(stream, cuts)
            .flatMap((c) => decoder.push(c))
            .map(parseFramePayload);
          assert.deepEqual(decoded, JSON.parse(JSON.stringify(frames)));
          assert.equal(decoder.pendingBytes, 0);
          decoder.end();
        },
      ),
    );
  });

  it('one byte at a time', () => {
    const stream = encodeFrame({ type: 'hello', name: 'José 👋' });
    const decoder = new FrameDecoder();
    const out = [...stream].flatMap((b) => decoder.push(Uint8Array.of(b)));
    assert.deepEqual(parseFramePayload(out[0] as Uint8Array), { type: 'hello', name: 'José 👋' });
  });

  it('rejects a zero and a too-large length before buffering the body', () => {
    assert.throws(() => new FrameDecoder().push(Uint8Array.of(0, 0, 0, 0)), isCode('ERR_FRAME_LENGTH'));
    assert.throws(() => new FrameDecoder().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), isCode('ERR_FRAME_LENGTH'));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1);
    assert.throws(() => new FrameDecoder().push(header), isCode('ERR_FRAME_LENGTH'));
    header.writeUInt32BE(MAX_FRAME_BYTES);
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(header), []); // the limit itself is allowed
    assert.equal(decoder.pendingBytes, 4);
  });

  it('refuses input after an error', () => {
    const decoder = new FrameDecoder();
    assert.throws(() => decoder.push(Uint8Array.of(0, 0, 0, 0)), isCode('ERR_FRAME_LENGTH'));
    assert.throws(() => decoder.push(encodeFrame({ type: 'hello' })), isCode('ERR_SESSION_CLOSED'));
  });

  it('reports a frame cut off by the end of the stream', () => {
    const bytes = encodeFrame({ type: 'hello', name: 'alice' });
    for (const cut of [1, 3, 4, 10, bytes.length - 1]) {
      const decoder = new FrameDecoder();
      decoder.push(bytes.subarray(0, cut));
      assert.throws(() => decoder.end(), isCode('ERR_FRAME_TRUNCATED'), `cut at ${cut}`);
    }
  });

  it('encoding refuses a frame above the limit', () => {
    assert.throws(() => encodeFrame({ type: 'chat', text: 'x'.repeat(MAX_FRAME_BYTES) }), isCode('ERR_FRAME_LENGTH'));
  });

  it('payload must be a UTF-8 JSON object with a string type', () => {
    for (const bad of ['not json', '[1,2]', '"hello"', 'null', '{"type":3}', '{}', '{"type":"a"']) {
      assert.throws(() => parseFramePayload(Buffer.from(bad)), isCode('ERR_BAD_JSON'), bad);
    }
    assert.throws(() => parseFramePayload(Uint8Array.of(0x7b, 0xff, 0x7d)), isCode('ERR_BAD_JSON'));
  });

  it('any random bytes either decode or fail with a stable code, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const decoder = new FrameDecoder();
        try {
          decoder.push(bytes).forEach(parseFramePayload);
          decoder.end();
        } catch (error) {
          assert.ok(error instanceof DhlabError, String(error));
          assert.match(error.code, /^ERR_(FRAME_LENGTH|FRAME_TRUNCATED|BAD_JSON)$/);
        }
      }),
    );
  });

  it('errors say what was wrong, with the numbers', () => {
    const message = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return `${(error as DhlabError).code}: ${(error as Error).message}`;
      }
      return 'no error';
    };
    assert.equal(
      message(() => encodeFrame({ type: 'chat', text: 'x'.repeat(MAX_FRAME_BYTES) })),
      'ERR_FRAME_LENGTH: frame of 65561 bytes exceeds 65536',
    );
    assert.equal(
      message(() => new FrameDecoder().push(Uint8Array.of(0, 1, 0, 1))),
      'ERR_FRAME_LENGTH: length prefix 65537 is outside 1..65536',
    );
    assert.equal(
      message(() => parseFramePayload(Buffer.from('not json'))),
      'ERR_BAD_JSON: frame payload is not UTF-8 JSON',
    );
    assert.equal(
      message(() => parseFramePayload(Buffer.from('[{"type":"a"}]'))),
      'ERR_BAD_JSON: frame payload is not a JSON object with a string "type"',
    );
    assert.equal(
      message(() => parseFramePayload(Buffer.from('null'))),
      'ERR_BAD_JSON: frame payload is not a JSON object with a string "type"',
    );
    const decoder = new FrameDecoder();
    decoder.push(Uint8Array.of(0, 0, 0, 9, 0x7b, 0x7d));
    assert.equal(
      message(() => decoder.end()),
      'ERR_FRAME_TRUNCATED: stream ended 6 bytes into a frame',
    );
    // Once failed, it stays failed: no second verdict, no more input.
    assert.equal(
      message(() => decoder.end()),
      'no error',
    );
    assert.equal(
      message(() => decoder.push(Uint8Array.of(0x7d))),
      'ERR_SESSION_CLOSED: frame decoder already failed',
    );
  });

  it('a payload whole in one chunk is a view of it; one split across chunks is one copy of exactly its length', () => {
    const first = encodeFrame({ type: 'a' });
    const second = encodeFrame({ type: 'b', text: 'x'.repeat(100) });
    const stream = new Uint8Array(Buffer.concat([first, second])); // its own ArrayBuffer, not Node's pool
    const decoder = new FrameDecoder();
    const [whole, ...rest] = decoder.push(stream.subarray(0, first.length + 50));
    assert.deepEqual(rest, []);
    assert.equal((whole as Uint8Array).buffer, stream.buffer, 'no copy when the payload is whole');
    assert.equal((whole as Uint8Array).byteOffset, stream.byteOffset + 4);
    const [split] = decoder.push(stream.subarray(first.length + 50));
    assert.notEqual((split as Uint8Array).buffer, stream.buffer);
    assert.equal((split as Uint8Array).byteLength, second.length - 4);
    assert.deepEqual(parseFramePayload(split as Uint8Array), { type: 'b', text: 'x'.repeat(100) });
    // A payload that ends exactly where its chunk ends is whole too.
    const alone = new Uint8Array(first);
    const [exact] = new FrameDecoder().push(alone);
    assert.equal((exact as Uint8Array).buffer, alone.buffer);
  });
});
