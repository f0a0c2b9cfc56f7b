import { frameBounds, segmentCarries, type Segment } from '../../insecure/resegment.ts';

/**
 * Lesson 12's record of the wire between the resegmenting relay and the server: every segment the
 * relay wrote, with the client it came from and the frames it carries, and every read the server
 * made, by the port its peer reads from.
 */
export class SegmentRecord {
  /** The segments the resegmenter wrote, in order, with the client and the frames each carries. */
  readonly segments: (Segment & { client: string; carries: string })[] = [];
  /** The size of every read the server made, by the port its peer reads from. */
  readonly serverReads = new Map<number, number[]>();
  /** The bytes those reads add up to, by the same port. */
  private readonly serverReadTotal = new Map<number, number>();

  /**
   * @param labelOf the client Eve's tap saw on a relay connection, if it saw it
   * @param changed called after each segment, with what the lab shows of it
   */
  constructor(
    private readonly labelOf: (connection: number) => string | undefined,
    private readonly changed: (client: string, bytes: number, carries: string) => void,
  ) {}

  serverRead(peerPort: number, bytes: number): void {
    const reads = this.serverReads.get(peerPort) ?? [];
    reads.push(bytes);
    this.serverReads.set(peerPort, reads);
    this.serverReadTotal.set(peerPort, (this.serverReadTotal.get(peerPort) ?? 0) + bytes);
  }

  serverHasRead(segment: Segment): boolean {
    return (this.serverReadTotal.get(segment.relayPort) ?? 0) >= segment.offset + segment.bytes.length;
  }

  segment(segment: Segment): void {
    // The connection's stream so far, cut into frames; its first frame is the client's hello. Eve's
    // tap, in front of the relay, opens its connections in the same order and has read the hello whole.
    const stream = Buffer.concat([
      ...this.segments.filter((s) => s.connection === segment.connection).map((s) => s.bytes),
      segment.bytes,
    ]);
    const bounds = frameBounds(stream);
    const [helloStart, helloEnd] = bounds[0] ?? [0, 0];
    let client = this.labelOf(segment.connection) ?? `connection ${segment.connection}`;
    if (client.startsWith('connection ') && helloEnd <= stream.length && helloEnd > helloStart) {
      try {
        const hello = JSON.parse(stream.subarray(helloStart + 4, helloEnd).toString('utf8')) as { name?: unknown };
        if (typeof hello.name === 'string') client = hello.name;
      } catch {
        // Not a dhlab hello: keep the connection number.
      }
    }
    const carries = segmentCarries(segment, bounds);
    this.segments.push({ ...segment, client, carries });
    this.changed(client, segment.bytes.length, carries);
  }
}
