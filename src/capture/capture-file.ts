import fs from 'node:fs';
import { DhlabError, fileError } from '../errors.ts';
import { openForWriting } from '../files.ts';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from './pcapng.ts';
import { ipv4Bytes, type Endpoint } from './packets.ts';
import { TcpConversation } from './tcp-conversation.ts';

/** What a relay tells a capture of one connection. */
export type Conversation = Pick<TcpConversation, 'open' | 'data' | 'end' | 'close'>;

const NOT_WRITTEN: Conversation = { open() {}, data() {}, end() {}, close() {} };

/** The most a capture may hold in memory before its packets are dropped (and counted). */
export const CAPTURE_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * `--pcap FILE`: what crossed a relay, as pcapng, one TCP conversation per relayed connection.
 * Bounded as `--json` is: when the disk falls behind, packets are dropped and counted, never
 * buffered without bound and never felt by the people on the wire.
 */
export class CaptureFile {
  packets = 0;
  dropped = 0;
  /** A write failed (a full disk): the capture stops, the room goes on. */
  failed = false;
  private readonly stream: fs.WriteStream;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly file: string,
    fd: number,
    private readonly maxQueued: number,
  ) {
    this.stream = fs.createWriteStream('', { fd, autoClose: true });
    this.stream.on('error', () => (this.failed = true));
    this.stream.write(sectionHeaderBlock('dhlab'));
    this.stream.write(interfaceDescriptionBlock('dhlab relay (loopback)'));
  }

  /** @throws DhlabError ERR_FILE when the file cannot be created (a link, a FIFO, no folder) */
  static create(file: string, maxQueued = CAPTURE_MAX_QUEUED_BYTES): CaptureFile {
    try {
      return new CaptureFile(file, openForWriting(file, 0o644, false), maxQueued);
    } catch (error) {
      if (error instanceof DhlabError) throw error;
      throw fileError(error, `--pcap ${file}`);
    }
  }

  /** Connections not written: an IPv6 peer (`eve --listen [::1]:...`), which these IPv4 headers cannot carry. */
  skipped = 0;

  /** A relayed connection: `client` is the peer that connected, `server` the address it connected to. */
  conversation(client: Endpoint, server: Endpoint): Conversation {
    try {
      ipv4Bytes(client.address);
      ipv4Bytes(server.address);
    } catch {
      this.skipped++;
      return NOT_WRITTEN;
    }
    return new TcpConversation({ client, server }, (at, frame) => this.packet(at, frame));
  }

  private packet(microseconds: bigint, frame: Uint8Array): void {
    if (this.closing || this.failed || this.stream.writableLength > this.maxQueued) {
      this.dropped++;
      return;
    }
    this.packets++;
    this.stream.write(enhancedPacketBlock(microseconds, frame));
  }

  /** Flushes and closes the file; later packets are dropped. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
    return this.closing;
  }
}
