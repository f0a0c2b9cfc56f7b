import net from 'node:net';
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

/** How long a relayed pair may stay unable to move before the tap ends it. */
export const TAP_STALL_TIMEOUT_MS = 30_000;

/**
 * A TCP relay on loopback that forwards every byte unchanged between clients and the server and
 * shows each frame to Eve on the way.
 */
export async function startTapProxy(options: {
  listenPort: number;
  listenHost?: string;
  targetHost: string;
  targetPort: number;
  onObservation: (observation: TapObservation) => void;
  /**
   * A direction that cannot move for this long (its reader stopped reading, or one side closed
   * and the other never follows) ends the pair, so stalled pairs do not pile up in the relay.
   */
  stallTimeoutMs?: number;
}): Promise<{ port: number; close(): Promise<void> }> {
  const stallMs = options.stallTimeoutMs ?? TAP_STALL_TIMEOUT_MS;
  let nextConnection = 1;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const tap = new WireTap(nextConnection++, options.onObservation);
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    const stalls = new Set<string>();
    let stallTimer: NodeJS.Timeout | null = null;
    const stalled = (why: string) => {
      stalls.add(why);
      stallTimer ??= setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, stallMs);
    };
    const moving = (why: string) => {
      stalls.delete(why);
      if (stalls.size > 0 || !stallTimer) return;
      clearTimeout(stallTimer);
      stallTimer = null;
    };
    const pauseUntilDrained = (reader: net.Socket, why: string) => {
      reader.pause();
      stalled(why);
    };
    // Backpressure both ways: when one side stops reading, stop reading the other, so the relay
    // holds at most a socket buffer per direction instead of buffering without bound.
    client.on('data', (chunk) => {
      tap.observe('client->server', chunk);
      if (!upstream.write(chunk)) pauseUntilDrained(client, 'upstream full');
    });
    upstream.on('data', (chunk) => {
      tap.observe('server->client', chunk);
      if (!client.write(chunk)) pauseUntilDrained(upstream, 'client full');
    });
    upstream.on('drain', () => {
      client.resume();
      moving('upstream full');
    });
    client.on('drain', () => {
      upstream.resume();
      moving('client full');
    });
    client.on('end', () => {
      upstream.end();
      stalled('half closed');
    });
    upstream.on('end', () => {
      client.end();
      stalled('half closed');
    });
    client.on('close', () => {
      if (stallTimer) clearTimeout(stallTimer);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort, options.listenHost ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
