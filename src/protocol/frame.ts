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
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    throw new DhlabError('ERR_BAD_JSON', 'frame payload is not a JSON object with a string "type"');
  }
  return value as WireFrame;
}

/**
 * Incremental frame decoder: push() any chunking of the stream and get back whole payloads.
 * The length prefix is checked before anything is buffered for it, so a hostile peer cannot make
 * us hold more than one maximum frame. After an error the decoder refuses further input.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1; // payload length of the frame being read, -1 while reading a header
  private failed = false;

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw new DhlabError('ERR_SESSION_CLOSED', 'frame decoder already failed');
    if (chunk.length === 0) return [];
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.buffered += chunk.length;
    const payloads: Uint8Array[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length === 0 || length > MAX_FRAME_BYTES) {
          this.failed = true;
          throw new DhlabError('ERR_FRAME_LENGTH', `length prefix ${length} is outside 1..${MAX_FRAME_BYTES}`);
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      payloads.push(this.take(this.expected));
      this.expected = -1;
    }
    return payloads;
  }

  /** Bytes held for an unfinished frame (its header included). */
  get pendingBytes(): number {
    return this.buffered + (this.expected >= 0 ? FRAME_HEADER_BYTES : 0);
  }

  /** Call at end of stream: a partly received frame is an error. */
  end(): void {
    if (this.pendingBytes > 0 && !this.failed) {
      this.failed = true;
      throw new DhlabError('ERR_FRAME_TRUNCATED', `stream ended ${this.pendingBytes} bytes into a frame`);
    }
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.chunks[0] as Buffer;
      const used = Math.min(chunk.length, n - offset);
      chunk.copy(out, offset, 0, used);
      offset += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
