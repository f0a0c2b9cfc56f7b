import type { CapturedSegment } from './decode.ts';
import type { Endpoint } from './packets.ts';
import { TCP_FLAGS } from './packets.ts';

export type StreamDirection = 'client->server' | 'server->client';

/** One TCP connection of a capture, numbered 1, 2, 3... in the order it first appears. */
export interface CapturedStream {
  index: number;
  client: Endpoint;
  server: Endpoint;
}

/** What reassembly reports, in the order of the capture's packets. */
export interface StreamEvents {
  /** Bytes of one direction, in order, each byte once. */
  data(stream: CapturedStream, dir: StreamDirection, bytes: Uint8Array, microseconds: bigint): void;
  /** Bytes that never arrived (not captured): what follows starts after a hole. */
  gap(stream: CapturedStream, dir: StreamDirection, missing: number, offset: number): void;
}

/** Out-of-order bytes held per direction while waiting for a hole to fill, at most. */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

const key = (a: Endpoint, b: Endpoint) => `${a.address}:${a.port}>${b.address}:${b.port}`;
/** Sequence-space distance b - a, modulo 2^32, as a signed number (RFC 9293 s.3.4). */
const distance = (a: number, b: number) => (b - a) | 0;

interface Direction {
  next: number | null;
  held: CapturedSegment[];
  heldBytes: number;
}

interface Tracked {
  stream: CapturedStream;
  directions: Record<StreamDirection, Direction>;
}

/**
 * Reassembles the TCP streams of a capture as a receiver would: each direction in sequence
 * order from its SYN (or its first segment), retransmitted and overlapping bytes delivered
 * once, segments that arrive early held until the hole fills. A hole that never fills (a
 * packet the capture missed) is reported as a gap when the held bytes pass a bound or at the end.
 */
export class TcpStreams {
  private readonly byKey = new Map<string, Tracked>();
  private count = 0;

  constructor(private readonly on: StreamEvents) {}

  add(segment: CapturedSegment): void {
    const forward = this.byKey.get(key(segment.from, segment.to));
    const backward = this.byKey.get(key(segment.to, segment.from));
    const tracked = forward ?? backward ?? this.track(segment);
    const fromClient = key(tracked.stream.client, tracked.stream.server) === key(segment.from, segment.to);
    const dir: StreamDirection = fromClient ? 'client->server' : 'server->client';
    const direction = tracked.directions[dir];
    if (segment.flags & TCP_FLAGS.SYN) {
      direction.next = (segment.seq + 1) >>> 0;
      return;
    }
    direction.next ??= segment.seq;
    if (segment.payload.length === 0) return;
    direction.held.push(segment);
    direction.heldBytes += segment.payload.length;
    this.deliver(tracked, dir, false);
  }

  /** The end of the capture: what is still held is delivered, after a gap for each hole. */
  finish(): void {
    for (const tracked of this.byKey.values()) {
      this.deliver(tracked, 'client->server', true);
      this.deliver(tracked, 'server->client', true);
    }
  }

  private track(segment: CapturedSegment): Tracked {
    // The side that sends a SYN without ACK is the client; without one, whoever speaks first.
    const synAck = (segment.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK);
    const [client, server] = synAck ? [segment.to, segment.from] : [segment.from, segment.to];
    const tracked: Tracked = {
      stream: { index: ++this.count, client, server },
      directions: {
        'client->server': { next: null, held: [], heldBytes: 0 },
        'server->client': { next: null, held: [], heldBytes: 0 },
      },
    };
    this.byKey.set(key(client, server), tracked);
    return tracked;
  }

  /** Delivers every held byte that is next in sequence; with `force`, skips holes as gaps. */
  private deliver(tracked: Tracked, dir: StreamDirection, force: boolean): void {
    const direction = tracked.directions[dir];
    for (;;) {
      const next = direction.next as number;
      direction.held.sort((a, b) => distance(next, a.seq) - distance(next, b.seq));
      const first = direction.held[0];
      if (!first) return;
      const ahead = distance(next, first.seq);
      if (ahead > 0) {
        if (!force && direction.heldBytes <= MAX_HELD_BYTES) return;
        this.on.gap(tracked.stream, dir, ahead, first.offset);
        direction.next = first.seq;
        continue;
      }
      direction.held.shift();
      direction.heldBytes -= first.payload.length;
      const fresh = first.payload.subarray(Math.min(first.payload.length, -ahead));
      if (fresh.length === 0) continue; // a retransmission of bytes already delivered
      direction.next = (next + fresh.length) >>> 0;
      this.on.data(tracked.stream, dir, fresh, first.microseconds);
    }
  }
}
