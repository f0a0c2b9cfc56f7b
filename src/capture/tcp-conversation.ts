import { ethernetTcpFrame, MAX_TCP_PAYLOAD, TCP_FLAGS, type Endpoint } from './packets.ts';

export type Side = 'client' | 'server';

/** What a conversation writes: one Ethernet frame, at a time in microseconds since 1970. */
export type PacketSink = (microseconds: bigint, frame: Uint8Array) => void;

/** SYN options: MSS (kind 2) 65495, NOP, window scale (kind 3) 7 (RFC 9293 s.3.7.1, RFC 7323 s.2). */
const SYN_OPTIONS = Uint8Array.from([2, 4, 0xff, 0xd7, 1, 3, 3, 7]);
/** With scale 7 a window field of 0xffff offers 8 MiB: no segment here can fill it. */
const WINDOW = 0xffff;

/** Now, in microseconds since 1970, from the monotonic clock (no steps backwards within a run). */
export function nowMicroseconds(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

/**
 * One TCP connection written as a capture would have seen it: the three-way handshake, each
 * chunk the relay read as segments of at most 65495 bytes acknowledged by the other side, and a
 * FIN each way at the end. Sequence numbers start at a fixed ISN per side so that two captures of
 * one run are comparable; Wireshark shows them relative anyway.
 */
export class TcpConversation {
  private readonly next: Record<Side, number> = { client: 1_000, server: 5_000 };
  private readonly ipId: Record<Side, number> = { client: 1, server: 1 };
  private readonly finished = new Set<Side>();
  private last = 0n;

  constructor(
    private readonly ends: Record<Side, Endpoint>,
    private readonly sink: PacketSink,
  ) {}

  /** SYN, SYN-ACK, ACK. */
  open(at = nowMicroseconds()): void {
    this.emit('client', TCP_FLAGS.SYN, at, undefined, SYN_OPTIONS, 0);
    this.next.client++;
    this.emit('server', TCP_FLAGS.SYN | TCP_FLAGS.ACK, at, undefined, SYN_OPTIONS);
    this.next.server++;
    this.emit('client', TCP_FLAGS.ACK, at);
  }

  /** Bytes `from` sent, as the relay read them, then the other side's ACK. */
  data(from: Side, bytes: Uint8Array, at = nowMicroseconds()): void {
    if (this.finished.has(from)) return;
    for (let offset = 0; offset < bytes.length; offset += MAX_TCP_PAYLOAD) {
      const payload = bytes.subarray(offset, Math.min(bytes.length, offset + MAX_TCP_PAYLOAD));
      this.emit(from, TCP_FLAGS.PSH | TCP_FLAGS.ACK, at, payload);
      this.next[from] = (this.next[from] + payload.length) >>> 0;
      this.emit(other(from), TCP_FLAGS.ACK, at);
    }
  }

  /** `from` ended its side: FIN, and the other side's ACK of it. Once per side. */
  end(from: Side, at = nowMicroseconds()): void {
    if (this.finished.has(from)) return;
    this.finished.add(from);
    this.emit(from, TCP_FLAGS.FIN | TCP_FLAGS.ACK, at);
    this.next[from] = (this.next[from] + 1) >>> 0;
    this.emit(other(from), TCP_FLAGS.ACK, at);
  }

  /** The connection is gone: whichever side has not ended does so now. */
  close(at = nowMicroseconds()): void {
    this.end('client', at);
    this.end('server', at);
  }

  private emit(from: Side, flags: number, at: bigint, payload?: Uint8Array, options?: Uint8Array, ack?: number): void {
    // Timestamps never go back within a conversation, whatever the clock did.
    this.last = at > this.last ? at : this.last;
    const to = other(from);
    this.sink(
      this.last,
      ethernetTcpFrame({
        from: this.ends[from],
        to: this.ends[to],
        seq: this.next[from],
        ack: ack ?? this.next[to],
        flags,
        window: WINDOW,
        ...(options ? { options } : {}),
        ...(payload ? { payload } : {}),
        ipId: this.ipId[from]++,
      }),
    );
  }
}

function other(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}
