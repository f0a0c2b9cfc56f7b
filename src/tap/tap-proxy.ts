import { startRelay, type Relay } from '../net/relay.ts';
import { FrameDecoder, parseFramePayload, type WireFrame } from '../protocol/frame.ts';

export type TapDirection = 'client->server' | 'server->client';

/** One frame as a wiretapper sees it: the bytes on the wire, and what they parse to. */
export interface TapObservation {
  connection: number;
  dir: TapDirection;
  bytes: Uint8Array;
  frame: WireFrame | null; // null: the bytes are not a readable frame
}

/**
 * Eve: a passive observer of both directions of one connection. She decodes frames exactly as
 * anyone on the path could; she holds no key, so sealed frames stay sealed.
 */
export class WireTap {
  private readonly decoders: Record<TapDirection, FrameDecoder> = {
    'client->server': new FrameDecoder(),
    'server->client': new FrameDecoder(),
  };

  constructor(
    private readonly connection: number,
    private readonly onObservation: (observation: TapObservation) => void,
  ) {}

  observe(dir: TapDirection, chunk: Uint8Array): void {
    let payloads: Uint8Array[];
    try {
      payloads = this.decoders[dir].push(chunk);
    } catch {
      this.onObservation({ connection: this.connection, dir, bytes: chunk, frame: null });
      return;
    }
    for (const payload of payloads) {
      let frame: WireFrame | null = null;
      try {
        frame = parseFramePayload(payload);
      } catch {
        // Not JSON: Eve still sees the bytes.
      }
      this.onObservation({ connection: this.connection, dir, bytes: payload, frame });
    }
  }
}

/** Eve's view of one frame as a line of text: exactly what crossed the wire. */
export function describeObservation(o: TapObservation): string {
  const body = o.frame ? JSON.stringify(o.frame) : `<${o.bytes.length} unreadable bytes>`;
  return `#${o.connection} ${o.dir} ${body}`;
}

/**
 * A TCP relay that forwards every byte unchanged between clients and the server and shows each
 * frame to Eve on the way. Backpressure, half-close and the stall timer are the relay's
 * (src/net/relay.ts): a wiretap must not be felt by the people it listens to.
 * @throws the listen error (EADDRINUSE, ...)
 */
/** One relayed connection written to a capture (src/capture/tcp-conversation.ts has the shape). */
export interface CapturedConversation {
  open(): void;
  data(from: 'client' | 'server', bytes: Uint8Array): void;
  end(from: 'client' | 'server'): void;
  close(): void;
}

/** Where `--pcap` writes: a conversation per relayed connection, from the client to the address it dialled. */
export interface CaptureSink {
  conversation(
    client: { address: string; port: number },
    server: { address: string; port: number },
  ): CapturedConversation;
}

export async function startTapProxy(options: {
  listenPort: number;
  listenHost?: string;
  targetHost: string;
  targetPort: number;
  onObservation: (observation: TapObservation) => void;
  /** A pair that cannot move for this long is ended (default RELAY_STALL_TIMEOUT_MS). */
  stallTimeoutMs?: number;
  /** Writes every segment the relay read, as it read it (`--pcap`). */
  capture?: CaptureSink;
}): Promise<Relay> {
  return startRelay({
    listenHost: options.listenHost,
    listenPort: options.listenPort,
    targetHost: options.targetHost,
    targetPort: options.targetPort,
    stallTimeoutMs: options.stallTimeoutMs,
    handler: (pair) => {
      const tap = new WireTap(pair.connection, options.onObservation);
      const captured = options.capture?.conversation(pair.client, pair.listening);
      captured?.open();
      return {
        fromClient: (chunk) => {
          captured?.data('client', chunk);
          tap.observe('client->server', chunk);
          pair.toServer(chunk);
        },
        fromServer: (chunk) => {
          captured?.data('server', chunk);
          tap.observe('server->client', chunk);
          pair.toClient(chunk);
        },
        clientEnded: () => captured?.end('client'),
        serverEnded: () => captured?.end('server'),
        closed: () => captured?.close(),
      };
    },
  });
}
