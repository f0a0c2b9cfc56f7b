import { CaptureFile, type Conversation } from './capture-file.ts';
import type { Endpoint } from './packets.ts';

/**
 * `--pcap FILE` for a whole run: the file holds the run as it stands. A lesson stepped back in
 * the lab is replayed on new connections, so `restart()` starts the file again rather than add
 * the replay after what it replaces.
 */
export class CaptureRecorder {
  private current: CaptureFile;

  /** @throws DhlabError ERR_FILE when the file cannot be created */
  constructor(readonly file: string) {
    this.current = CaptureFile.create(file);
  }

  conversation(client: Endpoint, server: Endpoint): Conversation {
    return this.current.conversation(client, server);
  }

  /** Closes the file and creates it again, empty but for its headers. */
  async restart(): Promise<void> {
    await this.current.close();
    this.current = CaptureFile.create(this.file);
  }

  async close(): Promise<void> {
    await this.current.close();
  }

  /** "wrote 212 packets to class.pcapng" (and how many were dropped, if any). */
  summary(): string {
    const { packets, dropped, skipped } = this.current;
    const lost = dropped > 0 ? ` (${dropped} dropped: the disk fell behind)` : '';
    const ipv6 = skipped > 0 ? `; ${skipped} IPv6 connections not written` : '';
    return `wrote ${packets} packets to ${this.file}${lost}${ipv6}`;
  }
}
