import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DhlabError, type ErrorCode } from '../../src/errors.ts';
import { encodeFrame, parseFramePayload } from '../../src/protocol/frame.ts';
import { validateOuterFrame } from '../../src/protocol/messages.ts';
import { sessionPair } from './pair.ts';

const codeOf = (error: DhlabError | null | undefined): ErrorCode | undefined => error?.code;
const frameOf = (bytes: Uint8Array) => parseFramePayload(bytes.subarray(4));

function refused(frame: Record<string, unknown>): string {
  try {
    validateOuterFrame(frame as { type: string });
  } catch (error) {
    assert.ok(error instanceof DhlabError);
    assert.equal(error.code, 'ERR_BAD_FRAME');
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(frame)}`);
}

describe('strict, canonical encodings (docs/PROTOCOL.md s.3)', () => {
  it('a public value with a stray hex digit (513 digits) is ERR_BAD_FRAME, not silently shortened', () => {
    const pair = sessionPair({
      toServer: (bytes) =>
        frameOf(bytes).type === 'client_key'
          ? [encodeFrame({ type: 'client_key', y: `${String(frameOf(bytes).y)}7` })]
          : [bytes],
    });
    assert.equal(codeOf(pair.closed.server), 'ERR_BAD_FRAME');
    assert.match(
      pair.closed.server?.message ?? '',
      /client_key\.y must be lower-case hex with an even number of digits/,
    );
  });

  it('well-formed hex of the wrong length is ERR_BAD_PUBLIC_KEY (the value, not the encoding, is wrong)', () => {
    const pair = sessionPair({
      toServer: (bytes) =>
        frameOf(bytes).type === 'client_key'
          ? [encodeFrame({ type: 'client_key', y: `${String(frameOf(bytes).y)}00` })]
          : [bytes],
    });
    assert.equal(codeOf(pair.closed.server), 'ERR_BAD_PUBLIC_KEY');
  });

  it('upper-case hex, odd digits and non-hex are refused in every hex field', () => {
    for (const y of ['AB', 'abc', 'zz', '0x12']) assert.match(refused({ type: 'client_key', y }), /client_key\.y/);
    assert.match(
      refused({ type: 'server_key', group: 'modp14', y: '02', host_key: 'ab'.repeat(31) }),
      /host_key must be 32 bytes of hex/,
    );
    assert.match(refused({ type: 'server_auth', signature: 'ab'.repeat(63) }), /signature must be 64 bytes of hex/);
    assert.match(refused({ type: 'server_auth', signature: 'ab'.repeat(65) }), /signature/);
  });

  it('box must be padded, canonical base64', () => {
    assert.match(refused({ type: 'data', seq: 0, box: 'YWJj' + 'ZA' }), /data\.box must be padded, canonical base64/); // no padding
    assert.match(refused({ type: 'data', seq: 0, box: 'YR==' }), /canonical/); // non-zero unused bits
    assert.match(refused({ type: 'data', seq: 0, box: 'YWJj\nZA==' }), /canonical/);
    assert.match(refused({ type: 'data', seq: 0, box: 'YW=j' }), /canonical/);
    validateOuterFrame({ type: 'data', seq: 0, box: 'YWJjZA==' });
  });

  it('every base64 string Node produces is accepted, and decodes back to the same bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const box = Buffer.from(bytes).toString('base64');
        const frame = validateOuterFrame({ type: 'data', seq: 0, box });
        return frame.type === 'data' && Buffer.from(frame.box, 'base64').equals(Buffer.from(bytes));
      }),
    );
  });
});

describe("a client's sealed error (docs/PROTOCOL.md s.5, s.7)", () => {
  it("ends the session with the client's code, reported as the peer's", () => {
    const pair = sessionPair();
    pair.client.send({ type: 'error', code: 'ERR_SLOW_CONSUMER', message: 'I cannot keep up' });
    pair.pump();
    assert.equal(codeOf(pair.closed.server), 'ERR_SLOW_CONSUMER');
    assert.equal(pair.closed.server?.message, 'I cannot keep up');
    const errorTrace = pair.traces.find((t) => t.kind === 'error' && t.role === 'server');
    assert.ok(errorTrace && errorTrace.kind === 'error' && errorTrace.remote, "marked as the peer's report");
  });

  it('a client that fails after the handshake tells the server why, sealed', () => {
    const pair = sessionPair();
    pair.client.fail(new DhlabError('ERR_DECRYPT', 'frame 3 failed AES-GCM authentication'));
    pair.pump();
    assert.equal(codeOf(pair.closed.server), 'ERR_DECRYPT');
  });
});

describe('JSON edge cases the spec now decides (docs/PROTOCOL.md s.9)', () => {
  it('a UTF-8 byte-order mark before the JSON is ERR_BAD_JSON', () => {
    const json = Buffer.from(JSON.stringify({ type: 'hello', version: 1, name: 'alice' }));
    assert.throws(
      () => parseFramePayload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json])),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_BAD_JSON',
    );
  });

  it('invalid UTF-8 is ERR_BAD_JSON, never replaced by U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type":"hello","version":1,"name":"a'),
      Buffer.from([0xc3]),
      Buffer.from('"}'),
    ]);
    assert.throws(
      () => parseFramePayload(bytes),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_BAD_JSON',
    );
  });

  it('numbers are compared by value: version 1.0 is 1; "1" and true are not numbers', () => {
    assert.equal(
      validateOuterFrame(parseFramePayload(Buffer.from('{"type":"hello","version":1.0,"name":"a"}'))).type,
      'hello',
    );
    assert.match(refused({ type: 'hello', version: '1', name: 'a' }), /hello\.version must be a non-negative integer/);
    assert.match(refused({ type: 'hello', version: true, name: 'a' }), /hello\.version/);
    assert.match(refused({ type: 'data', seq: -1, box: '' }), /data\.seq/);
    assert.match(refused({ type: 'data', seq: 0.5, box: '' }), /data\.seq/);
  });

  it('a duplicated key: the last occurrence wins, as JSON.parse decides', () => {
    const frame = validateOuterFrame(
      parseFramePayload(Buffer.from('{"type":"hello","version":1,"name":"mallory","name":"alice"}')),
    );
    assert.deepEqual(frame, { type: 'hello', version: 1, name: 'alice' });
  });
});
