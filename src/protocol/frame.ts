import { DhlabError } from '../errors.ts';

/** A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON (docs/PROTOCOL.md s.2). */
export const FRAME_HEADER_BYTES = 4;
export const MAX_FRAME_BYTES = 64 * 1024;

export interface WireFrame {
  readonly type: string;
  readonly [field: string]: unknown;
}

export function encodeFrame(frame: WireFrame): Uint8Array {
  const payload = Buffer.from(JSON.stringify(frame), 'utf8');
  if (payload.length > MAX_FRAME_BYTES) {
    throw new DhlabError('ERR_FRAME_LENGTH', `frame of ${payload.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, FRAME_HEADER_BYTES);
  return out;
}

// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a byte-order mark is kept, so
// JSON.parse refuses it (RFC 8259 s.8.1: senders MUST NOT add one; dhlab does not ignore it).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseFramePayload(payload: Uint8Array): WireFrame {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(payload));
  } catch {
    throw new DhlabError('ERR_BAD_JSON', 'frame payload is not UTF-8 JSON');
  }
  // A number, string, null or list has no string `type`: only an object passes.
  if (typeof (value as { type?: unknown } | null)?.type !== 'string') {
    throw new DhlabError('ERR_BAD_JSON', 'frame payload is not a JSON object with a string "type"');
  }
  return value as WireFrame;
}

/**
 * Incremental frame decoder: push() any chunking of the stream and get back whole payloads.
 * The length prefix is checked before anything is buffered for it; once it is known, the frame's
 * bytes are copied into one buffer of exactly that length (ws's receiver does the same). So a
 * connection holds at most one frame (64 KiB) however the bytes are chunked: a peer that sends a
 * frame one byte at a time cannot make us keep 65,536 socket chunks (each pinning its own backing
 * store). A payload that lies whole inside one chunk is returned as a view of that chunk, without
 * a copy: the caller consumes it before the next read. After an error the decoder refuses input.
 */
export class FrameDecoder {
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerBytes = 0;
  private frame: Buffer | null = null; // the frame being filled, once its header is known
  private filled = 0;
  private failed = false;

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new DhlabError('ERR_SESSION_CLOSED', 'frame decoder already failed');
    const payloads: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.frame === null) {
        const used = Math.min(FRAME_HEADER_BYTES - this.headerBytes, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + used), this.headerBytes);
        this.headerBytes += used;
        offset += used;
        if (this.headerBytes < FRAME_HEADER_BYTES) break;
        const length = this.header.readUInt32BE(0);
        if (length === 0 || length > MAX_FRAME_BYTES) {
          this.failed = true;
          throw new DhlabError('ERR_FRAME_LENGTH', `length prefix ${length} is outside 1..${MAX_FRAME_BYTES}`);
        }
        if (chunk.length - offset >= length) {
          // The whole payload is here: no copy.
          payloads.push(chunk.subarray(offset, offset + length));
          offset += length;
          this.headerBytes = 0;
          continue;
        }
        this.frame = Buffer.allocUnsafe(length);
        this.filled = 0;
      }
      const used = Math.min(this.frame.length - this.filled, chunk.length - offset);
      this.frame.set(chunk.subarray(offset, offset + used), this.filled);
      this.filled += used;
      offset += used;
      if (this.filled === this.frame.length) {
        payloads.push(this.frame);
        this.frame = null;
        this.headerBytes = 0;
      }
    }
    return payloads;
  }

  /** Bytes received of an unfinished frame (its header included); 0 between frames. */
  get pendingBytes(): number {
    return this.headerBytes + (this.frame ? this.filled : 0);
  }

  /** Call at end of stream: a partly received frame is an error. */
  end(): void {
    if (this.pendingBytes > 0 && !this.failed) {
      this.failed = true;
      throw new DhlabError('ERR_FRAME_TRUNCATED', `stream ended ${this.pendingBytes} bytes into a frame`);
    }
  }
}
