import crypto from 'node:crypto';
import { bytesToBigint } from '../crypto/bytes.ts';
import { startRelay, type Relay, type RelayHandler, type RelayPair } from '../net/relay.ts';

/**
 * TCP is a byte stream, not a message stream: for lesson 12. A relay that re-cuts the client's
 * byte stream into writes of its own sizes (one TCP segment each on loopback, with Nagle off),
 * and the original project's reader, which took each recv(1024) for one message.
 * Teaching only.
 */

export interface Segment {
  connection: number;
  /** Where in the client's byte stream the segment starts, and its bytes. */
  offset: number;
  bytes: Uint8Array;
  /** The relay's own port on its connection to the receiver: the receiver sees it as the peer's port. */
  relayPort: number;
}

export interface ResegmenterOptions {
  targetPort: number;
  /** The size of the next segment, given where it starts; the relay holds bytes until it has that many. */
  nextSize(connection: number, offset: number): number;
  /**
   * Send what is held when the client has nothing more in flight (checked once the event loop
   * is idle), rather than wait for a size that may never come: a handshake frame waits for its
   * answer. Without it the relay waits for each full size (the naive demonstration).
   */
  flushWhenIdle: boolean;
  onSegment(segment: Segment): void;
  /**
   * Resolves once the receiver has read the segment: the next one is then written on its own
   * (writes on loopback otherwise coalesce). Given up on if the receiver's side closes.
   */
  afterSegment?(segment: Segment): Promise<void>;
}

/**
 * Starts the relay on a free loopback port; server-to-client bytes pass unchanged.
 * @throws the listen error
 */
export function startResegmenter(options: ResegmenterOptions): Promise<Relay> {
  return startRelay({
    targetHost: '127.0.0.1',
    targetPort: options.targetPort,
    noDelay: true,
    handler: (pair) => resegmenting(pair, options),
  });
}

/** Holds the client's bytes and writes them on in the sizes `nextSize` asks for. */
function resegmenting(pair: RelayPair, options: ResegmenterOptions): RelayHandler {
  let held = Buffer.alloc(0);
  let offset = 0;
  let pumping: Promise<void> | null = null;
  // The client has nothing more in flight: set once the event loop is idle after its last bytes.
  let idle = false;
  let idleTimer: NodeJS.Immediate | null = null;
  const write = async (size: number) => {
    const segment = {
      connection: pair.connection,
      offset,
      bytes: Uint8Array.from(held.subarray(0, size)),
      relayPort: pair.upstreamPort,
    };
    held = held.subarray(size);
    offset += size;
    options.onSegment(segment);
    pair.toServer(segment.bytes);
    if (options.afterSegment) await Promise.race([options.afterSegment(segment), pair.gone]);
  };
  const drainHeld = async () => {
    // A segment names the relay's port, known once connected.
    await pair.upstreamReady;
    for (;;) {
      const size = Math.max(1, options.nextSize(pair.connection, offset));
      if (held.length >= size) await write(size);
      else if (idle && options.flushWhenIdle && held.length > 0) await write(held.length);
      else break;
    }
  };
  const pump = (): Promise<void> =>
    (pumping ??= drainHeld().finally(() => {
      pumping = null;
    }));
  return {
    fromClient: (chunk) => {
      held = Buffer.concat([held, chunk]);
      idle = false;
      void pump();
      if (idleTimer) clearImmediate(idleTimer);
      idleTimer = setImmediate(() => {
        idle = true;
        void pump();
      });
    },
    // What is held goes on before the end: the receiver must see every byte the client sent.
    clientEnded: async () => {
      idle = true;
      await pumping;
      if (held.length > 0) await write(held.length);
    },
    closed: () => {
      if (idleTimer) clearImmediate(idleTimer);
    },
  };
}

/** Segment sizes of 1-700 bytes from the seed: the same offset always gets the same size, however the bytes arrive. */
export function seededSegmentSizes(seed: string): (connection: number, offset: number) => number {
  const sizes = new Map<string, number>();
  return (connection, offset) => {
    const key = `${connection}:${offset}`;
    if (!sizes.has(key))
      sizes.set(key, 1 + Number(bytesToBigint(crypto.createHash('sha256').update(`${seed}/${key}`).digest()) % 700n));
    return sizes.get(key) as number;
  };
}

/** The original project's reader: each recv(1024) is one message. What one segment gives it. */
export function naiveMessages(segment: Uint8Array, bufferSize = 1024): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (let at = 0; at < segment.length; at += bufferSize) messages.push(segment.subarray(at, at + bufferSize));
  return messages;
}

/** The frames a byte stream holds, as [start, end) offsets (a 4-byte length, then the payload). */
export function frameBounds(stream: Uint8Array): Array<[number, number]> {
  const bounds: Array<[number, number]> = [];
  const view = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  for (let at = 0; at + 4 <= view.length;) {
    const end = at + 4 + view.readUInt32BE(at);
    bounds.push([at, end]);
    at = end;
  }
  return bounds;
}

/** "frame 5 (bytes 0-36 of 120) + frame 6 (whole, 40 bytes)": what one segment carries. */
export function segmentCarries(segment: Segment, bounds: ReadonlyArray<[number, number]>): string {
  const start = segment.offset;
  const end = start + segment.bytes.length;
  return bounds
    .flatMap(([a, b], i) => {
      if (b <= start || a >= end) return [];
      const from = Math.max(a, start) - a;
      const to = Math.min(b, end) - a;
      return [
        from === 0 && to === b - a
          ? `frame ${i + 1} (whole, ${b - a} bytes)`
          : `frame ${i + 1} (bytes ${from}-${to - 1} of ${b - a})`,
      ];
    })
    .join(' + ');
}
