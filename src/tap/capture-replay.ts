import { readCapture } from '../capture/capture-reader.ts';
import { segmentOf } from '../capture/decode.ts';
import { TcpStreams, type CapturedStream, type StreamDirection } from '../capture/tcp-streams.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import { aadFor, nonceFor } from '../protocol/channel.ts';
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
  /** With `--keylog`: the tag did not verify under the logged key (a flipped bit, a forgery). */
  openFailed?: true;
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
}

/**
 * Eve reading a capture: each TCP stream reassembled, its dhlab frames decoded exactly as the
 * live tap decodes them (the same observations, numbered the same way), and, with a key log,
 * each sealed frame opened under its connection's logged key and the frame's own seq.
 * @throws DhlabError ERR_CAPTURE for a truncated or malformed file
 */
export function replayCapture(
  file: Uint8Array,
  deliver: (o: ReplayedObservation) => void,
  keys?: { log: Map<string, DirectionKeys>; engine: CryptoEngine },
): ReplayNotes {
  const notes: ReplayNotes = { otherStreams: 0, gaps: [] };
  const connections = new Map<number, Connection>();
  let dhlabStreams = 0;
  const open = (c: Connection, o: TapObservation): ReplayedObservation => {
    if (o.frame?.type === 'client_key' && typeof o.frame.y === 'string')
      c.id = keyLogId(Uint8Array.from(Buffer.from(o.frame.y, 'hex')));
    const entry = keys && c.id !== null ? keys.log.get(c.id) : undefined;
    const key = o.dir === 'client->server' ? entry?.clientToServer : entry?.serverToClient;
    if (!key || o.frame?.type !== 'data' || typeof o.frame.seq !== 'number' || typeof o.frame.box !== 'string')
      return o;
    const seq = o.frame.seq;
    const sealed = Buffer.from(o.frame.box, 'base64');
    const plain = (keys as { engine: CryptoEngine }).engine.aesGcmOpen(key, nonceFor(seq), sealed, aadFor('data', seq));
    return plain ? { ...o, plaintext: Buffer.from(plain).toString('utf8') } : { ...o, openFailed: true };
  };
  const streams = new TcpStreams({
    data(stream: CapturedStream, dir: StreamDirection, bytes: Uint8Array) {
      const c = connections.get(stream.index) ?? { state: 'deciding', head: Buffer.alloc(0), tap: null, id: null };
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
