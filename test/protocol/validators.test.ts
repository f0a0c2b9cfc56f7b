// The validators' exact verdicts: which code, and a message that names the field and the rule
// (what a student reads when a hand-written frame is refused).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhlabError } from '../../src/errors.ts';
import {
  textProblem,
  validateClientRequest,
  validateOuterFrame,
  validateServerEvent,
  validateServerEvents,
} from '../../src/protocol/messages.ts';
import type { WireFrame } from '../../src/protocol/frame.ts';

function verdict(validate: (frame: WireFrame) => unknown, frame: Record<string, unknown>): string {
  try {
    validate(frame as WireFrame);
  } catch (error) {
    assert.ok(error instanceof DhlabError, String(error));
    return `${error.code}: ${error.message}`;
  }
  return 'accepted';
}

const outer = (frame: Record<string, unknown>) => verdict(validateOuterFrame, frame);
const request = (frame: Record<string, unknown>) => verdict(validateClientRequest, frame);
const event = (frame: Record<string, unknown>) => verdict(validateServerEvents, frame);

describe('outer frames', () => {
  it('names the field and its rule', () => {
    assert.equal(
      outer({ type: 'client_key', y: 'ABC' }),
      'ERR_BAD_FRAME: client_key.y must be lower-case hex with an even number of digits',
    );
    assert.equal(
      outer({ type: 'client_key', y: 7 }),
      'ERR_BAD_FRAME: client_key.y must be lower-case hex with an even number of digits',
    );
    assert.equal(
      outer({ type: 'client_key', y: 'ab'.repeat(32_769) }),
      'ERR_BAD_FRAME: client_key.y must be lower-case hex with an even number of digits',
    );
    assert.equal(
      outer({ type: 'server_key', group: 'modp14', y: '02', host_key: 'ab'.repeat(31) }),
      'ERR_BAD_FRAME: server_key.host_key must be 32 bytes of hex (64 digits)',
    );
    assert.equal(
      outer({ type: 'server_key', group: 'modp14', y: '02', host_key: 'ab'.repeat(33) }),
      'ERR_BAD_FRAME: server_key.host_key must be lower-case hex with an even number of digits',
    );
    assert.equal(
      outer({ type: 'server_auth', signature: 'ab'.repeat(63) }),
      'ERR_BAD_FRAME: server_auth.signature must be 64 bytes of hex (128 digits)',
    );
    assert.equal(
      outer({ type: 'data', seq: 0, box: 'YWJjZA' }),
      'ERR_BAD_FRAME: data.box must be padded, canonical base64',
    );
    assert.equal(outer({ type: 'data', seq: 0, box: 5 }), 'ERR_BAD_FRAME: data.box must be padded, canonical base64');
    assert.equal(
      outer({ type: 'data', seq: 0, box: 'YWJj-A==' }),
      'ERR_BAD_FRAME: data.box must be padded, canonical base64',
    ); // base64url
    assert.equal(
      outer({ type: 'data', seq: 0, box: ' YWJjZA==' }),
      'ERR_BAD_FRAME: data.box must be padded, canonical base64',
    );
    assert.equal(
      outer({ type: 'data', seq: 0, box: 'YWJjZA==YWJjZA==' }),
      'ERR_BAD_FRAME: data.box must be padded, canonical base64',
    );
    assert.equal(outer({ type: 'data', seq: '0', box: '' }), 'ERR_BAD_FRAME: data.seq must be a non-negative integer');
    assert.equal(outer({ type: 'hello', version: 1, name: null }), 'ERR_BAD_FRAME: hello.name must be a string');
    assert.equal(outer({ type: 'data', seq: 0, box: '' }), 'accepted');
    assert.equal(outer({ type: 'server_key', group: 'modp14', y: '', host_key: 'ab'.repeat(32) }), 'accepted');
  });

  it('server_key.insecure: 1 to 8 strings of 1 to 40 characters, or absent (s.4.1)', () => {
    const key = { type: 'server_key', group: 'modp14', y: '02', host_key: 'ab'.repeat(32) };
    const rule = 'ERR_BAD_FRAME: server_key.insecure must be 1 to 8 strings of 1 to 40 characters';
    assert.equal(outer({ ...key, insecure: ['toy23', '2-bit exponents'] }), 'accepted');
    assert.equal(outer({ ...key, insecure: Array(8).fill('x'.repeat(40)) }), 'accepted');
    for (const insecure of [[], Array(9).fill('x'), ['x'.repeat(41)], [''], 'toy23', [7], null])
      assert.equal(outer({ ...key, insecure }), rule, JSON.stringify(insecure));
    assert.deepEqual(validateOuterFrame({ ...key, insecure: ['toy23'] }), { ...key, insecure: ['toy23'] });
    assert.equal('insecure' in validateOuterFrame(key), false);
  });

  it('an unknown type is quoted, cut to 40 characters', () => {
    const long = `${'t'.repeat(40)}TAIL`;
    assert.equal(outer({ type: long }), `ERR_UNKNOWN_FRAME: unknown frame type "${'t'.repeat(40)}"`);
    assert.equal(request({ type: long }), `ERR_UNKNOWN_FRAME: unknown request type "${'t'.repeat(40)}"`);
    assert.equal(event({ type: long }), `ERR_UNKNOWN_FRAME: unknown event type "${'t'.repeat(40)}"`);
  });
});

describe('chat text (s.6.2)', () => {
  it('says what is wrong with it', () => {
    const problem = (text: string) => {
      const found = textProblem(text);
      return found && `${found.code}: ${found.message}`;
    };
    assert.equal(problem(''), 'ERR_EMPTY_MESSAGE: message text is empty');
    assert.equal(
      problem('a\ud800b'),
      'ERR_BAD_TEXT: message text contains a lone UTF-16 surrogate, which is not Unicode text',
    );
    assert.equal(
      problem('\udc00'),
      'ERR_BAD_TEXT: message text contains a lone UTF-16 surrogate, which is not Unicode text',
    );
    assert.equal(problem('😀'), null); // a surrogate pair is one code point
    assert.equal(problem('x'.repeat(4097)), 'ERR_MESSAGE_TOO_LONG: message is 4097 UTF-8 bytes, the limit is 4096');
    assert.match(
      problem('two\nlines') ?? '',
      /^ERR_BAD_TEXT: message contains .+; control, bidi and line-separator characters are not allowed \(one line per message\)$/,
    );
    for (const unsafe of [
      '\u0000',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u2028',
      '\u2029',
      '\u202e',
      '\u2066',
      '\u200f',
      '\u061c',
    ]) {
      assert.equal(textProblem(`a${unsafe}b`)?.code, 'ERR_BAD_TEXT', JSON.stringify(unsafe));
    }
  });

  it('the request validator lets through up to 8,192 characters, for textProblem to judge the bytes', () => {
    assert.equal(request({ type: 'chat', text: 'x'.repeat(8192) }), 'accepted');
    assert.equal(request({ type: 'chat', text: 'x'.repeat(8193) }), 'ERR_BAD_FRAME: chat.text must be a string');
  });
});

describe('server events', () => {
  it('a batch is a non-empty list of events, none of them a batch', () => {
    assert.equal(event({ type: 'batch' }), 'ERR_BAD_FRAME: batch.events must be a non-empty list of events');
    assert.equal(
      event({ type: 'batch', events: [] }),
      'ERR_BAD_FRAME: batch.events must be a non-empty list of events',
    );
    assert.equal(
      event({ type: 'batch', events: { type: 'join', name: 'a' } }),
      'ERR_BAD_FRAME: batch.events must be a non-empty list of events',
    );
    for (const inner of [
      5,
      null,
      'join',
      [],
      { name: 'a' },
      { type: 5 },
      { type: 'batch', events: [{ type: 'join', name: 'a' }] },
    ]) {
      assert.equal(
        event({ type: 'batch', events: [{ type: 'join', name: 'a' }, inner] }),
        'ERR_BAD_FRAME: batch.events must be a list of events, none of them a batch',
        JSON.stringify(inner),
      );
    }
    assert.deepEqual(
      validateServerEvents({
        type: 'batch',
        events: [
          { type: 'join', name: 'a' },
          { type: 'leave', name: 'a', reason: 'quit' },
        ],
      }),
      [
        { type: 'join', name: 'a' },
        { type: 'leave', name: 'a', reason: 'quit' },
      ],
    );
  });

  it('who and welcome carry a list of names and a count', () => {
    assert.deepEqual(validateServerEvent({ type: 'who', members: ['a', 'b'], count: 2 }), {
      type: 'who',
      members: ['a', 'b'],
      count: 2,
    });
    assert.equal(
      event({ type: 'who', members: ['a', 5], count: 2 }),
      'ERR_BAD_FRAME: who.members must be a list of names',
    );
    assert.equal(
      event({ type: 'who', members: [5, 'a'], count: 2 }),
      'ERR_BAD_FRAME: who.members must be a list of names',
    );
    assert.equal(event({ type: 'who', members: 'a', count: 1 }), 'ERR_BAD_FRAME: who.members must be a list of names');
    assert.equal(event({ type: 'who', members: ['a'] }), 'ERR_BAD_FRAME: who.count must be a non-negative integer');
    assert.equal(
      event({ type: 'welcome', name: 'a', members: ['a', null], count: 1 }),
      'ERR_BAD_FRAME: welcome.members must be a list of names',
    );
  });

  it('error and bye need a known code; bye alone may say OK', () => {
    assert.equal(
      event({ type: 'error', code: 'ERR_NOPE', message: 'm' }),
      'ERR_BAD_FRAME: error.code must be a known error code',
    );
    assert.equal(
      event({ type: 'bye', code: 'OK!', reason: 'r' }),
      'ERR_BAD_FRAME: bye.code must be a known error code',
    );
    assert.equal(
      event({ type: 'error', code: 'OK', message: 'm' }),
      'ERR_BAD_FRAME: error.code must be a known error code',
    );
    assert.equal(event({ type: 'bye', code: 'OK', message: 'm' }), 'ERR_BAD_FRAME: bye.reason must be a string');
    assert.equal(
      event({ type: 'error', code: 'ERR_DECRYPT', reason: 'm' }),
      'ERR_BAD_FRAME: error.message must be a string',
    );
  });
});

describe('client requests', () => {
  it('a sealed error with an unknown code is kept as ERR_BAD_FRAME, its message capped at 1,024', () => {
    assert.deepEqual(validateClientRequest({ type: 'error', code: 'ERR_DECRYPT', message: 'bad tag' }), {
      type: 'error',
      code: 'ERR_DECRYPT',
      message: 'bad tag',
    });
    assert.equal(
      request({ type: 'error', code: 'ERR_DECRYPT', message: 'm'.repeat(1025) }),
      'ERR_BAD_FRAME: error.message must be a string',
    );
  });
});

describe('server_key.insecure, the weakenings a server announces (s.4.1)', () => {
  const serverKey = (insecure: unknown): WireFrame => ({
    type: 'server_key',
    group: 'modp14',
    y: '00'.repeat(256),
    host_key: '00'.repeat(32),
    insecure,
  });
  const refused = (insecure: unknown) =>
    assert.throws(
      () => validateOuterFrame(serverKey(insecure)),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_BAD_FRAME',
      JSON.stringify(insecure),
    );

  it('1 to 8 strings of 1 to 40 characters are read as they are', () => {
    const frame = validateOuterFrame(serverKey(['toy group toy23', 'x'.repeat(40)]));
    assert.deepEqual((frame as { insecure?: string[] }).insecure, ['toy group toy23', 'x'.repeat(40)]);
  });

  it('anything else is ERR_BAD_FRAME: an empty list, nine items, an empty, long or non-string item', () => {
    for (const insecure of [
      [],
      Array(9).fill('x'),
      ['ok', ''],
      ['ok', 'x'.repeat(41)],
      ['ok', 7],
      ['ok', ['nested']],
      'toy23',
      null,
    ])
      refused(insecure);
  });
});
