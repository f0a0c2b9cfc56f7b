import { readCapture } from '../capture/capture-reader.ts';
import { segmentOf } from '../capture/decode.ts';
import { TcpStreams, type CapturedStream, type StreamDirection } from '../capture/tcp-streams.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import { aadFor, nonceFor, type RecordCipher } from '../protocol/channel.ts';
import { keyLogId, type DirectionKeys } from '../protocol/key-log.ts';
import { WireTap, type TapObservation } from './tap-proxy.ts';

/** What `eve --read` reports besides the frames: what it skipped, and where bytes are missing. */
export interface ReplayNotes {
  /** TCP streams whose first bytes are not a dhlab frame. */
  otherStreams: number;
  /** "stream 2 client->server: 1448 bytes missing before byte 9120 of the file". */
  gaps: string[];
}

/** A frame read back from a capture, opened when the key log has its connection's keys. */
export interface ReplayedObservation extends TapObservation {
  /** The sealed frame's plaintext (UTF-8 JSON), with `--keylog` only. */
  plaintext?: string;
  /**
   * With `--keylog`: the frame did not open under the logged key: its GCM tag failed (a flipped
   * bit, a forgery), or, in the teaching CBC layer, which has no tag, its padding.
   */
  openFailed?: 'tag' | 'padding';
  /** Opened as the teaching AES-256-CBC without a MAC: nothing proves who sealed it. */
  record?: 'cbc';
}

/** The first bytes of a dhlab stream: a 4-byte length, then `{"type":` (PROTOCOL s.2). */
function looksLikeDhlab(head: Uint8Array): boolean {
  return head.length >= 12 && head[0] === 0 && Buffer.from(head.subarray(4, 12)).toString('latin1') === '{"type":';
}

interface Connection {
  /** Deciding from the client's first bytes; then dhlab (with its tap) or another protocol. */
  state: 'deciding' | 'dhlab' | 'other';
  head: Buffer;
  tap: WireTap | null;
  /** The key log's name for it, once client_key has passed. */
  id: string | null;
  /** Its record layer, once a frame has opened: AES-256-GCM, or the teaching CBC. */
  record: 'gcm' | 'cbc' | null;
}

/** What opens sealed frames: the key log, and the teaching CBC layer to try where GCM fails. */
export interface ReplayKeys {
  log: Map<string, DirectionKeys>;
  engine: CryptoEngine;
  cbc?: (key: Uint8Array) => RecordCipher;
}

/**
 * Eve reading a capture: each TCP stream reassembled, its dhlab frames decoded exactly as the
 * live tap decodes them (the same observations, numbered the same way), and, with a key log,
 * each sealed frame opened under its connection's logged key and the frame's own seq (as GCM, or
 * as the teaching CBC where that is what the connection speaks).
 * @throws DhlabError ERR_CAPTURE for a truncated or malformed file
 */
export function replayCapture(
  file: Uint8Array,
  deliver: (o: ReplayedObservation) => void,
  keys?: ReplayKeys,
): ReplayNotes {
  const notes: ReplayNotes = { otherStreams: 0, gaps: [] };
  const connections = new Map<number, Connection>();
  let dhlabStreams = 0;
  const open = (c: Connection, o: TapObservation): ReplayedObservation => {
    if (!keys) return o;
    const key = keyFor(c, o, keys);
    const frame = o.frame;
    if (!key || frame?.type !== 'data' || typeof frame.seq !== 'number' || typeof frame.box !== 'string') return o;
    const sealed = Buffer.from(frame.box, 'base64');
    if (c.record !== 'cbc') {
      const plain = keys.engine.aesGcmOpen(key, nonceFor(frame.seq), sealed, aadFor('data', frame.seq));
      if (plain) {
        c.record = 'gcm';
        return { ...o, plaintext: Buffer.from(plain).toString('utf8') };
      }
    }
    // A connection that has not opened as GCM may be a lesson's CBC room: it opens as CBC when the
    // padding holds and the plaintext is a dhlab message (random bytes are neither).
    const cbc = c.record === 'gcm' ? null : openCbc(keys, key, frame.seq, sealed);
    if (cbc !== null) {
      c.record = 'cbc';
      return { ...o, plaintext: cbc, record: 'cbc' };
    }
    return { ...o, openFailed: c.record === 'cbc' ? 'padding' : 'tag' };
  };
  const streams = new TcpStreams({
    data(stream: CapturedStream, dir: StreamDirection, bytes: Uint8Array) {
      const c = connections.get(stream.index) ?? {
        state: 'deciding',
        head: Buffer.alloc(0),
        tap: null,
        id: null,
        record: null,
      };
      connections.set(stream.index, c);
      if (c.state === 'dhlab') return c.tap?.observe(dir, bytes);
      // A dhlab client speaks first: decide from its first 12 bytes.
      if (c.state === 'other' || dir !== 'client->server') return;
      c.head = Buffer.concat([c.head, bytes]);
      if (c.head.length < 12) return;
      if (!looksLikeDhlab(c.head)) {
        c.state = 'other';
        notes.otherStreams++;
        return;
      }
      c.state = 'dhlab';
      const tap = new WireTap(++dhlabStreams, (o) => deliver(open(c, o)));
      c.tap = tap;
      tap.observe('client->server', c.head);
      c.head = Buffer.alloc(0);
    },
    gap(stream, dir, missing, offset) {
      notes.gaps.push(`stream ${stream.index} ${dir}: ${missing} bytes missing before byte ${offset} of the file`);
    },
  });
  for (const packet of readCapture(file)) {
    const segment = segmentOf(packet);
    if (segment) streams.add(segment);
  }
  streams.finish();
  return notes;
}

/** The connection's key log name once client_key has passed; then this frame's direction key, if any. */
function keyFor(c: Connection, o: TapObservation, keys: ReplayKeys): Uint8Array | undefined {
  const frame = o.frame;
  if (frame?.type === 'client_key' && typeof frame.y === 'string')
    c.id = keyLogId(Uint8Array.from(Buffer.from(frame.y, 'hex')));
  const entry = c.id !== null ? keys.log.get(c.id) : undefined;
  return o.dir === 'client->server' ? entry?.clientToServer : entry?.serverToClient;
}

/** A frame opened as the teaching CBC: its plaintext when the padding holds and it is a dhlab message. */
function openCbc(keys: ReplayKeys, key: Uint8Array, seq: number, sealed: Uint8Array): string | null {
  if (!keys.cbc) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(keys.cbc(key).open(seq, sealed).plaintext);
    const message = JSON.parse(text) as unknown;
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string')
      return null;
  } catch {
    return null;
  }
  return text;
}
