import { DhlabError, isErrorCode, type ErrorCode } from '../errors.ts';
import type { WireFrame } from './frame.ts';
import { describeCodePoint } from './names.ts';
import { BIDI_CONTROL_CLASS } from './unicode-controls.ts';

export const PROTOCOL_VERSION = 1;
export const MAX_TEXT_BYTES = 4096;
/** welcome and who name at most this many members (in join order) so they fit in one frame; count is the total. */
export const MAX_LISTED_MEMBERS = 200;

// ---- Outer frames, as they cross the wire (docs/PROTOCOL.md s.3) ----
export interface HelloFrame {
  type: 'hello';
  version: number;
  name: string;
}
export interface ServerKeyFrame {
  type: 'server_key';
  group: string;
  y: string;
  host_key: string;
  insecure?: string[];
}

/** `server_key.insecure`: at most this many announced weakenings, each at most this long. */
export const ANNOUNCEMENT_LIMITS = { items: 8, chars: 40 } as const;
export interface ClientKeyFrame {
  type: 'client_key';
  y: string;
}
export interface ServerAuthFrame {
  type: 'server_auth';
  signature: string;
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
}
export interface DataFrame {
  type: 'data';
  seq: number;
  box: string;
}

export type HandshakeFrame = HelloFrame | ServerKeyFrame | ClientKeyFrame | ServerAuthFrame;
export type OuterFrame = HandshakeFrame | ErrorFrame | DataFrame;

// ---- Inner messages, sealed inside data frames (docs/PROTOCOL.md s.5) ----
export type ClientRequest =
  | { type: 'chat'; text: string }
  | { type: 'who' }
  | { type: 'quit' }
  | { type: 'error'; code: ErrorCode; message: string };
export type ServerEvent =
  | { type: 'welcome'; name: string; members: string[]; count: number }
  | { type: 'message'; id: number; from: string; text: string }
  | { type: 'join'; name: string }
  | { type: 'leave'; name: string; reason: string }
  | { type: 'who'; members: string[]; count: number }
  | { type: 'error'; code: ErrorCode; message: string }
  | { type: 'bye'; code: ErrorCode | 'OK'; reason: string };

/**
 * Binary fields have exactly one encoding each (docs/PROTOCOL.md s.3): lower-case hex with an even
 * number of digits, and padded standard base64 (RFC 4648 s.4) whose unused bits are zero. A lenient
 * decoder would silently drop a stray digit or bits, so two different frames would mean the same.
 */
const HEX = /^(?:[0-9a-f]{2})*$/;

function bad(type: string, field: string, want: string): never {
  throw new DhlabError('ERR_BAD_FRAME', `${type}.${field} must be ${want}`);
}

/**
 * Canonical base64 is exactly what re-encoding its bytes gives back: Node's decoder skips
 * characters outside the alphabet (base64url's - and _, whitespace), accepts missing padding and
 * ignores non-zero unused bits, and each of those makes the round trip differ.
 */
function isCanonicalBase64(value: string): boolean {
  return Buffer.from(value, 'base64').toString('base64') === value;
}

type Encoding = 'hex' | 'base64';
const ENCODING_RULE: Record<Encoding, string> = {
  hex: 'lower-case hex with an even number of digits',
  base64: 'padded, canonical base64',
};

function str(frame: WireFrame, field: string, encoding?: Encoding, maxLength = 1 << 16): string {
  const value = frame[field];
  if (typeof value !== 'string' || value.length > maxLength)
    bad(frame.type, field, encoding ? ENCODING_RULE[encoding] : 'a string');
  if (encoding === 'hex' && !HEX.test(value)) bad(frame.type, field, ENCODING_RULE.hex);
  if (encoding === 'base64' && !isCanonicalBase64(value)) bad(frame.type, field, ENCODING_RULE.base64);
  return value;
}

/** A hex field of a fixed size: `bytes` bytes, so exactly 2 x bytes digits. */
function hexOfLength(frame: WireFrame, field: string, bytes: number): string {
  const value = str(frame, field, 'hex', bytes * 2);
  if (value.length !== bytes * 2) bad(frame.type, field, `${bytes} bytes of hex (${bytes * 2} digits)`);
  return value;
}

function int(frame: WireFrame, field: string): number {
  const value = frame[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    bad(frame.type, field, 'a non-negative integer');
  return value;
}

/** `server_key.insecure`: a non-empty list of short strings (s.4.1). */
function announcement(frame: WireFrame): string[] {
  const value = frame.insecure;
  const { items, chars } = ANNOUNCEMENT_LIMITS;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > items ||
    !value.every((item) => typeof item === 'string' && item.length > 0 && item.length <= chars)
  ) {
    bad('server_key', 'insecure', `1 to ${items} strings of 1 to ${chars} characters`);
  }
  return value as string[];
}

/** Checks the fields of a known outer frame type; throws ERR_UNKNOWN_FRAME / ERR_BAD_FRAME. */
export function validateOuterFrame(frame: WireFrame): OuterFrame {
  switch (frame.type) {
    case 'hello':
      return { type: 'hello', version: int(frame, 'version'), name: str(frame, 'name', undefined, 1024) };
    case 'server_key': {
      // The client resolves the name (ERR_BAD_GROUP when it does not know it).
      const group = str(frame, 'group', undefined, 16);
      const keyFrame: ServerKeyFrame = {
        type: 'server_key',
        group,
        y: str(frame, 'y', 'hex'),
        host_key: hexOfLength(frame, 'host_key', 32),
      };
      if (frame.insecure !== undefined) keyFrame.insecure = announcement(frame);
      return keyFrame;
    }
    case 'client_key':
      return { type: 'client_key', y: str(frame, 'y', 'hex') };
    case 'server_auth':
      return { type: 'server_auth', signature: hexOfLength(frame, 'signature', 64) };
    case 'error': {
      const code = frame.code;
      return {
        type: 'error',
        code: isErrorCode(code) ? code : 'ERR_BAD_FRAME',
        message: str(frame, 'message', undefined, 1024),
      };
    }
    case 'data':
      return { type: 'data', seq: int(frame, 'seq'), box: str(frame, 'box', 'base64') };
    default:
      throw new DhlabError('ERR_UNKNOWN_FRAME', `unknown frame type "${frame.type.slice(0, 40)}"`);
  }
}

/**
 * Chat text rules (docs/PROTOCOL.md s.6.2): 1 to 4096 UTF-8 bytes of one line of well-formed
 * Unicode. Control characters (newline included), bidi controls, line/paragraph separators and
 * lone surrogates are refused, so a message can never draw a fake line on a member's screen.
 */
export function textProblem(text: string): { code: ErrorCode; message: string } | null {
  if (text.length === 0) return { code: 'ERR_EMPTY_MESSAGE', message: 'message text is empty' };
  if (/\p{Cs}/u.test(text))
    return {
      code: 'ERR_BAD_TEXT',
      message: 'message text contains a lone UTF-16 surrogate, which is not Unicode text',
    };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TEXT_BYTES)
    return { code: 'ERR_MESSAGE_TOO_LONG', message: `message is ${bytes} UTF-8 bytes, the limit is ${MAX_TEXT_BYTES}` };
  const unsafe = UNSAFE_IN_TEXT.exec(text);
  if (unsafe) {
    const what = describeCodePoint(unsafe[0]);
    return {
      code: 'ERR_BAD_TEXT',
      message: `message contains ${what}; control, bidi and line-separator characters are not allowed (one line per message)`,
    };
  }
  return null;
}

const UNSAFE_IN_TEXT = new RegExp(`[\\p{Cc}\\u2028\\u2029${BIDI_CONTROL_CLASS}]`, 'u');

/** Validates a decrypted client request (server side). */
export function validateClientRequest(frame: WireFrame): ClientRequest {
  switch (frame.type) {
    case 'chat':
      return { type: 'chat', text: str(frame, 'text', undefined, MAX_TEXT_BYTES * 2) };
    case 'who':
      return { type: 'who' };
    case 'quit':
      return { type: 'quit' };
    case 'error': {
      // A sealed error is authentic: the client reports why it is leaving (s.5, s.7).
      const code = frame.code;
      return {
        type: 'error',
        code: isErrorCode(code) ? code : 'ERR_BAD_FRAME',
        message: str(frame, 'message', undefined, 1024),
      };
    }
    default:
      throw new DhlabError('ERR_UNKNOWN_FRAME', `unknown request type "${frame.type.slice(0, 40)}"`);
  }
}

/** A sealed server frame holds one event or a `batch` of them, in order (docs/PROTOCOL.md s.5.1). */
export function validateServerEvents(frame: WireFrame): ServerEvent[] {
  if (frame.type !== 'batch') return [validateServerEvent(frame)];
  const events = frame.events;
  if (!Array.isArray(events) || events.length === 0) bad('batch', 'events', 'a non-empty list of events');
  return events.map((event: unknown) => {
    // Anything but an object with a string type (a number, null, a list) has no string type.
    const type = (event as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || type === 'batch') bad('batch', 'events', 'a list of events, none of them a batch');
    return validateServerEvent(event as WireFrame);
  });
}

/** Server events are trusted only as far as their shape: the client checks the fields it reads. */
export function validateServerEvent(frame: WireFrame): ServerEvent {
  const names = (field: string): string[] => {
    const value = frame[field];
    if (!Array.isArray(value) || !value.every((n) => typeof n === 'string')) bad(frame.type, field, 'a list of names');
    return value;
  };
  switch (frame.type) {
    case 'welcome':
      return { type: 'welcome', name: str(frame, 'name'), members: names('members'), count: int(frame, 'count') };
    case 'message':
      return { type: 'message', id: int(frame, 'id'), from: str(frame, 'from'), text: str(frame, 'text') };
    case 'join':
      return { type: 'join', name: str(frame, 'name') };
    case 'leave':
      return { type: 'leave', name: str(frame, 'name'), reason: str(frame, 'reason') };
    case 'who':
      return { type: 'who', members: names('members'), count: int(frame, 'count') };
    case 'error':
    case 'bye': {
      const code = frame.code;
      const known = isErrorCode(code) || (frame.type === 'bye' && code === 'OK');
      if (!known) bad(frame.type, 'code', 'a known error code');
      const message = str(frame, frame.type === 'error' ? 'message' : 'reason');
      return frame.type === 'error'
        ? { type: 'error', code: code as ErrorCode, message }
        : { type: 'bye', code: code, reason: message };
    }
    default:
      throw new DhlabError('ERR_UNKNOWN_FRAME', `unknown event type "${frame.type.slice(0, 40)}"`);
  }
}
