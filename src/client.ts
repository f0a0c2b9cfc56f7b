import { EventEmitter } from 'node:events';
import net from 'node:net';
import { DhlabError } from './errors.ts';
import type { CryptoEngine } from './crypto/engine.ts';
import type { KnownServers, PinResult } from './known-servers.ts';
import { ClientSession } from './protocol/client-session.ts';
import { textProblem, type ServerEvent } from './protocol/messages.ts';
import type { TraceEvent } from './protocol/trace.ts';

export interface ChatClientOptions {
  name: string;
  host: string;
  port: number;
  engine: CryptoEngine;
  /** Trust-on-first-use store; without one the host key is not pinned (tests, demo). */
  knownServers?: KnownServers;
  acceptNewHostKey?: boolean;
  trace?: (event: TraceEvent) => void;
  revealSecrets?: boolean;
  privateKey?: Uint8Array;
}

export interface ChatClientEvents {
  event: [ServerEvent];
  close: [DhlabError | null];
}

/** A chat room member over TCP: a ClientSession driven by a socket. */
export class ChatClient extends EventEmitter<ChatClientEvents> {
  readonly name: string;
  fingerprint = '';
  pin: PinResult = 'new';
  members: string[] = [];
  /** Members in the room when we joined (members names at most the first 200). */
  memberCount = 0;
  private readonly socket: net.Socket;
  private readonly session: ClientSession;
  private closeError: DhlabError | null | undefined = undefined;

  private constructor(options: ChatClientOptions, onWelcome: () => void, onFailure: (error: DhlabError) => void) {
    super();
    this.name = options.name;
    const server = `${options.host}:${options.port}`;
    this.socket = net.connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.session = new ClientSession(
      {
        engine: options.engine,
        name: options.name,
        trace: options.trace,
        revealSecrets: options.revealSecrets,
        privateKey: options.privateKey,
        checkHostKey: (hostKey, fingerprint) => {
          this.pin = options.knownServers?.check(server, hostKey, fingerprint, options.acceptNewHostKey ?? false) ?? 'new';
        },
      },
      {
        send: (bytes) => this.socket.write(bytes),
        event: (event) => {
          if (event.type === 'established') {
            this.fingerprint = event.fingerprint;
            // Pin only now: the signature has proved the server holds this key.
            if (this.pin !== 'known') options.knownServers?.pin(server, event.hostKey);
            return;
          }
          if (event.event.type === 'welcome') {
            this.members = event.event.members;
            this.memberCount = event.event.count;
            onWelcome();
          }
          this.emit('event', event.event);
        },
        close: (error) => {
          this.closeError = error;
          this.socket.end();
          if (error) onFailure(error);
          this.emit('close', error);
        },
      },
    );
    this.socket.on('connect', () => this.session.start());
    this.socket.on('data', (chunk) => this.session.feed(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.session.fail(new DhlabError('ERR_CONNECTION', `cannot reach ${server}: ${error.code ?? error.message}`));
    });
    this.socket.on('close', () => this.session.end());
  }

  /** Connects, completes the handshake and resolves once the room has welcomed us. */
  static connect(options: ChatClientOptions): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const client: ChatClient = new ChatClient(options, () => resolve(client), reject);
    });
  }

  get closed(): boolean {
    return this.closeError !== undefined;
  }

  /** Sends a chat message; a text the server would refuse is refused here, without closing. */
  say(text: string): void {
    const problem = textProblem(text);
    if (problem) throw new DhlabError(problem.code, problem.message);
    this.session.send({ type: 'chat', text });
  }

  who(): void {
    this.session.send({ type: 'who' });
  }

  /** Leaves cleanly: resolves when the server has said bye and the connection is closed. */
  quit(): Promise<DhlabError | null> {
    const done = this.waitForClose();
    if (!this.closed && this.session.isEstablished) this.session.send({ type: 'quit' });
    return done;
  }

  waitForClose(): Promise<DhlabError | null> {
    if (this.closeError !== undefined) return Promise.resolve(this.closeError);
    return new Promise((resolve) => this.once('close', resolve));
  }

  /** Drop the connection without a goodbye. */
  destroy(): void {
    this.socket.destroy();
  }
}
