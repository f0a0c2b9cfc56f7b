import { ChatClient } from '../../src/client/chat-client.ts';
import type { CryptoEngine } from '../../src/crypto/engine.ts';
import type { DhGroup } from '../../src/crypto/groups.ts';
import { DhlabError } from '../../src/errors.ts';
import { ephemeralHostKey } from '../../src/server/host-key-file.ts';
import { LoopbackRoom } from '../../src/loopback/topology.ts';
import { EvePerspective } from '../model/eve.ts';
import { TracePerspective, type Perspective } from '../model/model.ts';
import type { InsecureHooks } from '../../src/protocol/session.ts';
import type { CaptureSink } from '../../src/tap/tap-proxy.ts';
import type { KeyLogEntry } from '../../src/protocol/key-log.ts';

export interface LabSessionOptions {
  engine: CryptoEngine;
  group: DhGroup;
  names?: string[];
  /** Teaching-only weakenings (`dhlab lab --insecure-...`), applied to the server and every client. */
  insecure?: InsecureHooks;
  /** `--pcap`: what crosses Eve's relay, written as pcapng. */
  capture?: CaptureSink;
  /** `--keylog`: the server logs every connection of the room. */
  keyLog?: (entry: KeyLogEntry) => void;
}

/**
 * The lab's world, with no terminal: a real ChatServer on a free loopback port, Eve's real tap
 * relay in front of it, and real ChatClients that connect through the tap. Each perspective is
 * fed by its own side's trace events; Eve's only by the tap's observations.
 */
export class LabWorld {
  readonly perspectives: Perspective[] = [];
  readonly clients = new Map<string, ChatClient>();

  private constructor(
    private readonly room: LoopbackRoom,
    readonly server: TracePerspective,
    readonly eve: EvePerspective,
  ) {}

  /** Called after every model change (the view throttles its redraws). */
  onChange: () => void = () => {};

  static async start(options: LabSessionOptions): Promise<LabWorld> {
    const serverView = new TracePerspective('server', 'server');
    let session: LabWorld | null = null;
    const eve = new EvePerspective();
    const room = await LoopbackRoom.start({
      server: {
        engine: options.engine,
        group: options.group,
        identity: ephemeralHostKey(options.engine),
        revealSecrets: true,
        insecure: options.insecure,
        keyLog: options.keyLog,
        trace: (id, event, name) => {
          serverView.onTrace(name ?? `connection ${id}`, event);
          session?.onChange();
        },
      },
      eve: {
        onObservation: (o) => {
          eve.onObservation(o);
          session?.onChange();
        },
      },
      ...(options.capture ? { capture: options.capture } : {}),
    });
    session = new LabWorld(room, serverView, eve);
    for (const name of options.names ?? ['alice', 'bob', 'carol'])
      await session.addClient(name, options.engine, options.insecure);
    session.perspectives.push(serverView, eve);
    return session;
  }

  private async addClient(name: string, engine: CryptoEngine, insecure: InsecureHooks | undefined): Promise<void> {
    const view = new TracePerspective(name, 'client');
    this.perspectives.push(view);
    const client = await ChatClient.connect({
      name,
      host: '127.0.0.1',
      port: this.room.frontPort,
      engine,
      revealSecrets: true,
      insecure,
      trace: (event) => {
        view.onTrace('server', event);
        this.onChange();
      },
      onEvent: (event) => {
        view.onServerEvent(event);
        this.onChange();
      },
    });
    this.clients.set(name, client);
  }

  /** Sends as `name`; returns why it was refused, or null. */
  say(name: string, text: string): string | null {
    const client = this.clients.get(name);
    if (!client || client.closed) return `${name} is not connected`;
    try {
      if (text === '/who') client.who();
      else client.say(text);
      return null;
    } catch (error) {
      if (error instanceof DhlabError) return `${error.code}: ${error.message}`;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.room.close('lab closed', this.clients.values());
  }
}
