import type { ChatClient } from '../client/chat-client.ts';
import { Mallory, type MalloryOptions } from '../insecure/mallory/mallory.ts';
import { startResegmenter, type ResegmenterOptions } from '../insecure/resegment.ts';
import type { Relay } from '../net/relay.ts';
import { ChatServer, type ChatServerOptions } from '../server/chat-server.ts';
import { startTapProxy, type CaptureSink, type TapObservation } from '../tap/tap-proxy.ts';

/**
 * A room on loopback, as the lab, the lessons and the demo build it: a ChatServer on a free port
 * and, in front of it, a chain of relays a client's bytes cross in this order:
 *
 *   client -> Eve's tap -> Mallory -> (a capture) -> the resegmenter -> server
 *
 * each one optional (the capture only for `--pcap` behind Mallory when Eve is not there). One place starts them back to front and one close() ends them front to back.
 */
export interface LoopbackRoomOptions {
  server: Omit<ChatServerOptions, 'host' | 'port'>;
  /** Lesson 12: the client's byte stream re-cut before the server reads it. */
  resegment?: Omit<ResegmenterOptions, 'targetPort'>;
  mallory?: Omit<MalloryOptions, 'targetHost' | 'targetPort'>;
  eve?: { onObservation(o: TapObservation): void };
  /**
   * `--pcap`: where the wire is written. On Eve's tap when she listens (what she sees); else
   * just behind Mallory (what reaches the server: her flips and replays); else a passive tap at
   * the front, there only to capture.
   */
  capture?: CaptureSink;
}

export class LoopbackRoom {
  private constructor(
    readonly server: ChatServer,
    readonly serverPort: number,
    readonly resegmenter: Relay | null,
    readonly mallory: Mallory | null,
    readonly tap: Relay | null,
    private readonly captureRelay: Relay | null = null,
  ) {}

  /** @throws the listen error of the server or of a relay */
  static async start(options: LoopbackRoomOptions): Promise<LoopbackRoom> {
    const server = new ChatServer({ ...options.server, host: '127.0.0.1', port: 0 });
    const { port } = await server.listen();
    const resegmenter = options.resegment ? await startResegmenter({ ...options.resegment, targetPort: port }) : null;
    const { capture } = options;
    const captureBehind = capture && !options.eve && options.mallory ? capture : undefined;
    const towardsServer = resegmenter?.port ?? port;
    const captureRelay = captureBehind ? await passiveTap(towardsServer, captureBehind) : null;
    const behindMallory = captureRelay?.port ?? towardsServer;
    const mallory = options.mallory
      ? await Mallory.start({ ...options.mallory, targetHost: '127.0.0.1', targetPort: behindMallory })
      : null;
    const eve = options.eve ?? (capture && !captureBehind ? { onObservation: () => {} } : undefined);
    const tap = eve
      ? await startTapProxy({
          listenPort: 0,
          targetHost: '127.0.0.1',
          targetPort: mallory?.port ?? behindMallory,
          onObservation: (o) => eve.onObservation(o),
          ...(capture && !captureBehind ? { capture } : {}),
        })
      : null;
    return new LoopbackRoom(server, port, resegmenter, mallory, tap, captureRelay);
  }

  /** Where a client that bypasses Eve and Mallory connects: the server, or the resegmenter before it. */
  get serverPath(): number {
    return this.resegmenter?.port ?? this.serverPort;
  }

  /** Where a connection enters the wire Eve sees: her tap when she listens (then Mallory behind her, if any). */
  get wirePort(): number {
    return this.tap?.port ?? this.serverPath;
  }

  /** The front of the chain: where a client connects to cross every relay there is. */
  get frontPort(): number {
    return this.tap?.port ?? this.mallory?.port ?? this.serverPath;
  }

  /**
   * The one teardown order: the server says goodbye to everyone, the room's clients get up to
   * `graceMs` to hear it and close, then the relays end from the front (tap, Mallory, resegmenter).
   */
  async close(reason: string, clients: Iterable<ChatClient> = [], graceMs = 1000): Promise<void> {
    await this.server.close(reason);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    // The grace timer is cleared once everyone heard: a closed room leaves nothing running.
    await Promise.race([Promise.all([...clients].filter((c) => !c.closed).map((c) => c.waitForClose())), grace]);
    clearTimeout(timer);
    await this.tap?.close();
    await this.mallory?.close();
    await this.captureRelay?.close();
    await this.resegmenter?.close();
  }
}

/** A relay that only writes what crosses it (`--pcap` where Eve is not on the wire). */
function passiveTap(targetPort: number, capture: CaptureSink): Promise<Relay> {
  return startTapProxy({ listenPort: 0, targetHost: '127.0.0.1', targetPort, onObservation: () => {}, capture });
}
