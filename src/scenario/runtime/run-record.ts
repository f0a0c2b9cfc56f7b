/** What a run records: values by name, frames per hop, moments, and how they print. */
import { bytesToBigint, toHex } from '../../crypto/bytes.ts';
import type { MalloryEvent } from '../../insecure/mallory/mallory.ts';
import type { WireFrame } from '../../protocol/frame.ts';
import type { ServerEvent } from '../../protocol/messages.ts';
import type { RecordLayout, TraceEvent } from '../../protocol/trace.ts';
import type { TapObservation } from '../../tap/tap-proxy.ts';
import { formatBytes, formatEncodedNumber, formatNumber, isNumberName } from '../../terminal/format.ts';

/** How Eve read a sealed frame: with the keys (a recovered exponent), or by XOR with a known plaintext (lesson 11). */
export type EveReadHow = 'keys' | 'xor';
export type Value = Uint8Array | bigint | string;

/** One frame as it crossed one hop, for the handout's ladder diagram and byte tables. */
export interface FrameRecord {
  from: string;
  to: string;
  frame: WireFrame;
  /** The JSON payload (the 4-byte length prefix is its length). */
  bytes: Uint8Array;
  /** The record layer of this hop's data frames: what a data frame's box holds. */
  record: RecordLayout;
}

/**
 * A moment a ladder of frames cannot show by itself (Mallory's rewrite, a replay, a flipped byte,
 * a refusal, a restart): a handout writes it as a note on a lifeline, after `afterFrames` frames.
 */
export interface Moment {
  afterFrames: number;
  over: string;
  text: string;
}

/** What the lab listens to: the same events the world records, as they happen. */
export interface WorldObserver {
  clientTrace?(name: string, event: TraceEvent): void;
  clientEvent?(name: string, event: ServerEvent): void;
  serverTrace?(connection: string, event: TraceEvent): void;
  observation?(observation: TapObservation): void;
  /** Lesson 12: a segment the resegmenter wrote to the server, the client it came from, and the frames it carries. */
  segment?(client: string, bytes: number, carries: string): void;
  malloryTrace?(connection: string, event: TraceEvent): void;
  malloryEvent?(event: MalloryEvent): void;
  /** Eve opened a connection's captured frames with keys she derived by attack (eve_decrypt). */
  /** `how`: with the keys derived from a recovered exponent, or by XOR with a known plaintext (no key). */
  eveDecrypted?(connection: string, read: { dir: string; seq: number; text: string }[], how: EveReadHow): void;
  change?(): void;
}

/** Names under which each trace event's value is recorded (see docs/TEACHING.md, "value names"). */
export function valueNames(event: TraceEvent): [string, Value][] {
  switch (event.kind) {
    case 'private_key':
      return [['x', event.x]];
    case 'public_key':
      return event.owner === event.role ? [['y', event.y]] : [[event.owner === 'server' ? 'y_s' : 'y_c', event.y]];
    case 'shared_secret':
      return [['Z', event.z]];
    case 'hashed_secret':
      return [['K', event.k]];
    case 'transcript':
      return [['H', event.h]];
    case 'session_keys':
      return [
        ['key_c2s', event.clientToServer],
        ['key_s2c', event.serverToClient],
      ];
    case 'host_signature':
      return [
        ['fingerprint', event.fingerprint],
        ['host_key', event.hostKey],
      ];
    case 'seal':
      return [
        ['last_sealed', event.ciphertext],
        ['last_sealed_plaintext', event.plaintext],
      ];
    case 'open':
      return [['last_opened', event.plaintext]];
    default:
      return [];
  }
}

/**
 * The real parts of one scenario run: a ChatServer on a free loopback port, Eve's tap and Mallory's
 * relay where the file asks for them, and ChatClients that connect through them. Everything random
 * comes from one seeded engine, so a replay produces the same bytes. It records what a scenario's
 * checks need: named values, what each client received, errors, Eve's and Mallory's findings.
 */

/** Decimal below 2^64 (so a class can check it with pow()), else abbreviated hex. */
export function showValue(value: Value, full = false, name = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return full ? value.toString(10) : formatNumber(value);
  // Exponents, public values and Z are numbers (Z = 0 is "0", not 256 zero bytes); hashes and keys bytes.
  if (isNumberName(name) || value.length <= 8)
    return full ? (value.length <= 8 ? bytesToBigint(value).toString(10) : toHex(value)) : formatEncodedNumber(value);
  return full ? toHex(value) : formatBytes(value);
}
