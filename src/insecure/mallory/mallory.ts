import { startRelay, type Relay, type RelayHandler, type RelayPair } from '../../net/relay.ts';
import { encodeFrame, FrameDecoder, parseFramePayload, type WireFrame } from '../../protocol/frame.ts';
import { FixKeyInterceptor } from './fix-key.ts';
import { MitmInterceptor } from './mitm.ts';
import type { Interceptor, Link, MalloryOptions } from './interceptor.ts';

/**
 * Mallory, an active attacker on real sockets: clients connect to her, she connects to the server.
 *   relay   forwards every frame, and on request flips a bit of the next client frame or
 *           re-sends the last one (tampering and replay); `rewriteFromServer` may change, drop or
 *           repeat what the server sends (the exercises' cheating servers);
 *   mitm    runs her own handshake with each side, with her own host key (needs the client's
 *           host-key check off), reads and rewrites every message;
 *   fix-key substitutes 1, p-1 or p for both public values (needs validation off to work).
 * Teaching only: nothing on the secure path imports this file.
 */
export type { Interceptor, Link, MalloryEvent, MalloryMode, MalloryOptions, Rewrite } from './interceptor.ts';

/** Forwards frames unchanged, except for one queued bit flip; remembers the last client frame. */
class RelayInterceptor implements Interceptor {
  private readonly up = new FrameDecoder();
  private readonly down = new FrameDecoder();
  private framesFromServer = 0;
  lastClientData: WireFrame | null = null;
  /** XOR `xor` into the next data frame's box at byte `offset` (a box is what the record layer sealed). */
  pendingTamper: { offset: number; xor: Uint8Array } | null = null;

  constructor(
    private readonly link: Link,
    private readonly options: MalloryOptions,
  ) {}

  fromClient(chunk: Uint8Array): void {
    for (const payload of this.up.push(chunk)) {
      let frame = parseFramePayload(payload);
      if (frame.type === 'hello' && typeof frame.name === 'string') this.link.label = frame.name;
      if (frame.type === 'data') {
        const tamper = this.pendingTamper;
        if (tamper !== null && typeof frame.box === 'string') {
          const box = Buffer.from(frame.box, 'base64');
          tamper.xor.forEach((x, i) => {
            const at = (tamper.offset + i) % box.length;
            box[at] = (box[at] as number) ^ x;
          });
          frame = { ...frame, box: box.toString('base64') };
          this.options.onEvent({
            kind: 'tampered',
            connection: this.link.label,
            offset: tamper.offset,
            xor: Buffer.from(tamper.xor).toString('hex'),
          });
          this.pendingTamper = null;
        }
        this.lastClientData = frame;
      }
      this.link.toServer(encodeFrame(frame));
    }
  }

  fromServer(chunk: Uint8Array): void {
    const rewrite = this.options.rewriteFromServer;
    if (!rewrite) return this.link.toClient(chunk);
    const out: Uint8Array[] = [];
    for (const payload of this.down.push(chunk)) {
      for (const frame of rewrite(parseFramePayload(payload), this.framesFromServer, this.link.label))
        out.push(encodeFrame(frame));
      this.framesFromServer++;
    }
    // What one read brought stays one write: the client reads it as the server sent it.
    if (out.length > 0) this.link.toClient(Buffer.concat(out));
  }
}

export class Mallory {
  private readonly relays: { link: Link; interceptor: Interceptor }[] = [];

  private constructor(
    private readonly relay: Relay,
    private readonly options: MalloryOptions,
  ) {}

  get port(): number {
    return this.relay.port;
  }

  /** @throws the listen error */
  static async start(options: MalloryOptions): Promise<Mallory> {
    let mallory: Mallory | null = null;
    const relay = await startRelay({
      targetHost: options.targetHost,
      targetPort: options.targetPort,
      // No pair exists before the relay listens, so `mallory` is set by the time one arrives.
      handler: (pair) => (mallory as Mallory).accept(pair),
    });
    mallory = new Mallory(relay, options);
    return mallory;
  }

  private accept(pair: RelayPair): RelayHandler {
    const watch = this.options.onClientWire;
    const link: Link = {
      label: `connection ${pair.connection}`,
      toClient: (bytes) => {
        watch?.('to-client', bytes, link.label);
        pair.toClient(bytes);
      },
      toServer: (bytes) => pair.toServer(bytes),
    };
    const interceptor: Interceptor =
      this.options.mode === 'mitm'
        ? new MitmInterceptor(link, this.options)
        : this.options.mode === 'fix-key'
          ? new FixKeyInterceptor(link, this.options)
          : new RelayInterceptor(link, this.options);
    this.relays.push({ link, interceptor });
    const guard = (work: () => void) => {
      try {
        work();
      } catch (error) {
        // A frame she cannot parse or open: she gives up on this connection, as a real relay would.
        this.options.onEvent({
          kind: 'note',
          connection: link.label,
          text: `Mallory drops the connection: ${(error as Error).message}`,
        });
        pair.destroy();
      }
    };
    return {
      fromClient: (chunk) => {
        watch?.('from-client', chunk, link.label);
        guard(() => interceptor.fromClient(chunk));
      },
      fromServer: (chunk) => guard(() => interceptor.fromServer(chunk)),
    };
  }

  private relayFor(label: string): RelayInterceptor {
    const found = this.relays.find((r) => r.link.label === label)?.interceptor;
    if (!(found instanceof RelayInterceptor)) throw new Error(`Mallory has no relayed connection for ${label}`);
    return found;
  }

  /**
   * XOR bytes into the next data frame `label` sends, starting at byte `offset` of its box. In GCM
   * the box starts with the ciphertext, in CBC with the IV: either way byte i of the first block
   * of plaintext is what changes, and the tag (GCM) is what notices.
   */
  tamperNext(label: string, offset: number, xor: Uint8Array): void {
    this.relayFor(label).pendingTamper = { offset, xor };
  }

  /**
   * Sends the last data frame captured from `label` to the server again: as it was sent, or with
   * its seq field rewritten to the next number (the one the server expects), which gets it past
   * the counter check but not the tag (the nonce and the AAD are built from the seq). Returns
   * the captured seq and the seq it was sent as.
   */
  replayLast(label: string, rewriteSeq = false): { seq: number; sentAs: number } {
    const relay = this.relayFor(label);
    const frame = relay.lastClientData;
    if (!frame) throw new Error(`Mallory has not captured a data frame from ${label}`);
    relay.lastClientData = null;
    const seq = Number(frame.seq);
    const sentAs = rewriteSeq ? seq + 1 : seq;
    const link = this.relays.find((r) => r.interceptor === relay)?.link as Link;
    link.toServer(encodeFrame({ ...frame, seq: sentAs }));
    this.options.onEvent({ kind: 'replayed', connection: label, seq, sentAs });
    return { seq, sentAs };
  }

  /** Sends a frame of her own making to the server on `label`'s connection (a forgery, lesson 11). */
  inject(label: string, frame: WireFrame): void {
    const relay = this.relayFor(label);
    const link = this.relays.find((r) => r.interceptor === relay)?.link as Link;
    link.toServer(encodeFrame(frame));
  }

  close(): Promise<void> {
    return this.relay.close();
  }
}
