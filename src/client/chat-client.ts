import type { KeyLogEntry } from '../protocol/key-log.ts';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { DhlabError, isResolveError } from '../errors.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import type { KnownServers, PinResult } from './known-servers.ts';
import { ClientSession, type ClientSessionEvent } from '../protocol/client-session.ts';
import { fingerprint } from '../protocol/identity.ts';
import { textProblem, type ServerEvent } from '../protocol/messages.ts';
import { nameProblem } from '../protocol/names.ts';
import { safeBytes } from '../terminal/safe-text.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import type { InsecureHooks } from '../protocol/session.ts';

export interface ChatClientOptions {
  name: string;
  host: string;
  port: number;
  /** Source address to connect from (tests and benches: one loopback address per "student"). */
  localAddress?: string;
  engine: CryptoEngine;
  /** Trust-on-first-use store; without one the host key is not pinned (tests, demo). */
  knownServers?: KnownServers;
  acceptNewHostKey?: boolean;
  trace?: (event: TraceEvent) => void;
  revealSecrets?: boolean;
  /** `--keylog`: this connection's direction keys, for a teacher's Wireshark (PROTOCOL s.10). */
  keyLog?: (entry: KeyLogEntry) => void;
  privateKey?: Uint8Array;
  /** Teaching-only handshake weakenings (src/insecure/); absent on the secure path. */
  insecure?: InsecureHooks;
  /** Give up if TCP has not connected within this many ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Give up if the room has not welcomed us this many ms after TCP connected (default 10 s). */
  handshakeTimeoutMs?: number;
  /**
   * Every event from the server, the welcome first, as it arrives. Listeners added with
   * on('event') after connect() resolves miss what came in the welcome's own chunk; this does not.
   */
  onEvent?: (event: ServerEvent, client: ChatClient) => void;
}

/**
 * Where a client is: TCP connecting; handshaking (keys not agreed: an error frame now is not
 * authenticated); joining (keys agreed, waiting for the welcome); member; closed.
 */
export type ClientState = 'connecting' | 'handshaking' | 'joining' | 'member' | 'closed';

export const CLIENT_DEFAULTS = { connectTimeoutMs: 10_000, handshakeTimeoutMs: 10_000 } as const;

/** Codes the client itself detects; a server never sends them. */
const CLIENT_ONLY_CODES: ReadonlySet<string> = new Set([
  'ERR_HOST_KEY_CHANGED',
  'ERR_BAD_SIGNATURE',
  'ERR_HOST_KEY_FILE',
  'ERR_NOT_DHLAB',
  'ERR_CONNECT_TIMEOUT',
]);

/** After a fatal error, how long we wait for the peer to close its side before we destroy ours. */
const CLOSE_GRACE_MS = 2000;
/** How long quit() waits for the server's bye before it closes the connection itself. */
export const QUIT_TIMEOUT_MS = 2000;
/** Enough of a non-dhlab peer's first bytes to recognise it ("HTTP/1.0 400 Bad request"). */
const FIRST_BYTES_KEPT = 64;

export interface ChatClientEvents {
  event: [ServerEvent];
  close: [DhlabError | null];
}

/** Why a socket failed: a name that does not resolve, or a connection that did not open or broke. */
function connectError(server: string, error: NodeJS.ErrnoException): DhlabError {
  if (isResolveError(error))
    return new DhlabError('ERR_RESOLVE', `cannot reach ${server}: the host name does not resolve (${error.code})`);
  return new DhlabError('ERR_CONNECTION', `cannot reach ${server}: ${error.code ?? error.message}`);
}

/** "name mixes scripts: ..." as "it mixes scripts: ...", after a sentence that names the name. */
function namedIt(problem: string): string {
  return problem.replace(/^name /, 'it ');
}

/** ERR_BAD_NAME for a name outside the profile of docs/PROTOCOL.md s.6.1, or null. */
export function nameRefusal(name: string): DhlabError | null {
  const problem = nameProblem(name);
  return problem ? new DhlabError('ERR_BAD_NAME', `the name "${name}" cannot be used: ${namedIt(problem)}`) : null;
}

/** A chat room member over TCP: a ClientSession driven by a socket. */
export class ChatClient extends EventEmitter<ChatClientEvents> {
  readonly name: string;
  fingerprint = '';
  pin: PinResult = 'unchecked';
  members: string[] = [];
  /** Members in the room when we joined (members names at most the first 200). */
  memberCount = 0;
  private readonly socket: net.Socket;
  private readonly session: ClientSession;
  private closeError: DhlabError | null | undefined = undefined;
  private firstBytes = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;
  private current: ClientState = 'connecting';

  private constructor(options: ChatClientOptions, onWelcome: () => void, onFailure: (error: DhlabError) => void) {
    super();
    this.name = options.name;
    // known_servers spells a server as HOST:PORT, IPv6 in brackets ([::1]:5068) as in URLs.
    const server = net.isIPv6(options.host) ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
    this.socket = net.connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    this.socket.setNoDelay(true);
    const connectMs = options.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs;
    const handshakeMs = options.handshakeTimeoutMs ?? CLIENT_DEFAULTS.handshakeTimeoutMs;
    this.startTimer(
      connectMs,
      () => new DhlabError('ERR_CONNECT_TIMEOUT', `no TCP connection to ${server} after ${connectMs / 1000} s`),
    );
    this.session = new ClientSession(
      {
        engine: options.engine,
        name: options.name,
        trace: options.trace,
        revealSecrets: options.revealSecrets,
        keyLog: options.keyLog,
        privateKey: options.privateKey,
        insecure: options.insecure,
        checkHostKey: (hostKey) => {
          const fingerprintOf = (key: Uint8Array) => fingerprint(options.engine, key);
          this.pin =
            options.knownServers?.check(server, hostKey, fingerprintOf, options.acceptNewHostKey ?? false) ??
            'unchecked';
        },
      },
      {
        send: (bytes) => this.socket.write(bytes),
        event: (event) => this.sessionOnEvent(event, options, server, onWelcome),
        close: (sessionError, remote) => this.sessionOnClose(sessionError, remote, server, onFailure),
      },
    );
    this.socket.on('connect', () => this.socketOnConnect(server, handshakeMs));
    this.socket.on('data', (chunk: Buffer) => this.socketOnData(chunk));
    // A socket that failed carries nothing: no error frame is sent (or traced) into it.
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.session.abort(connectError(server, error)));
    this.socket.on('close', () => this.session.end());
  }

  /**
   * Connects, completes the handshake and resolves once the room has welcomed us. A name the server's profile would refuse (docs/PROTOCOL.md s.6.1) is
   * refused here first, with no round trip: ERR_BAD_NAME.
   */
  static connect(options: ChatClientOptions): Promise<ChatClient> {
    const refused = nameRefusal(options.name);
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      const client: ChatClient = new ChatClient(options, () => resolve(client), reject);
    });
  }

  private sessionOnEvent(
    event: ClientSessionEvent,
    options: ChatClientOptions,
    server: string,
    onWelcome: () => void,
  ): void {
    if (event.type === 'established') {
      this.current = 'joining';
      this.fingerprint = event.fingerprint;
      // Pin only now: the signature has proved the server holds this key.
      if (this.pin === 'new' || this.pin === 'replaced') options.knownServers?.pin(server, event.hostKey);
      return;
    }
    if (event.event.type === 'welcome') {
      this.stopTimer();
      this.current = 'member';
      this.members = event.event.members;
      this.memberCount = event.event.count;
      onWelcome();
    }
    options.onEvent?.(event.event, this);
    this.emit('event', event.event);
  }

  private sessionOnClose(
    sessionError: DhlabError | null,
    remote: boolean,
    server: string,
    onFailure: (error: DhlabError) => void,
  ): void {
    this.stopTimer();
    const error = sessionError && this.explain(sessionError, remote, server);
    this.current = 'closed';
    this.closeError = error;
    this.socket.end();
    // A peer that never closes its side must not keep us half-open.
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    if (error) onFailure(error);
    this.emit('close', error);
  }

  private socketOnConnect(server: string, handshakeMs: number): void {
    this.current = 'handshaking';
    const late = () =>
      new DhlabError(
        'ERR_CONNECT_TIMEOUT',
        `${server} accepted the connection but did not complete the dhlab handshake within ${handshakeMs / 1000} s`,
      );
    this.startTimer(handshakeMs, late);
    this.session.start();
  }

  private socketOnData(chunk: Buffer): void {
    if (this.firstBytes.length < FIRST_BYTES_KEPT && this.session.framesReceived === 0) {
      // A copy: holding a view would keep the socket's whole chunk alive.
      this.firstBytes = Buffer.concat([this.firstBytes, chunk.subarray(0, FIRST_BYTES_KEPT - this.firstBytes.length)]);
    }
    this.session.feed(chunk);
  }

  private startTimer(ms: number, error: () => DhlabError): void {
    this.stopTimer();
    this.timer = setTimeout(() => {
      this.session.fail(error());
      this.socket.destroy();
    }, ms);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Turns what the session saw into what a user needs to know. */
  private explain(error: DhlabError, remote: boolean, server: string): DhlabError {
    const garbled =
      error.code === 'ERR_FRAME_LENGTH' || error.code === 'ERR_BAD_JSON' || error.code === 'ERR_FRAME_TRUNCATED';
    if (garbled && this.session.framesReceived === 0 && this.firstBytes.length > 0) {
      return new DhlabError(
        'ERR_NOT_DHLAB',
        `${server} does not speak dhlab (it sent "${safeBytes(this.firstBytes)}")`,
      );
    }
    if (remote && error.code === 'ERR_CONNECTION') {
      return new DhlabError(
        'ERR_CONNECTION',
        this.keysAgreed ? 'connection to the server lost' : `${server} closed the connection during the handshake`,
      );
    }
    if (remote && CLIENT_ONLY_CODES.has(error.code)) {
      // Only a client detects these: one received from the wire is forged, and its text (say,
      // "run again with --accept-new-host-key") must not read as advice from dhlab.
      return new DhlabError(
        error.code,
        `the peer sent ${error.code}, a code only a client detects: the report is forged or broken, and its advice is not shown`,
      );
    }
    if (remote && !this.keysAgreed && error.code === 'ERR_BAD_NAME') {
      return new DhlabError(error.code, `the server refused the name "${this.name}": ${namedIt(error.message)}`);
    }
    if (remote && !this.keysAgreed && error.code === 'ERR_NAME_TAKEN') return error;
    if (remote && !this.keysAgreed) {
      // Before keys exist an error frame is not authenticated: anyone on the path can forge it.
      return new DhlabError(
        error.code,
        `the server reported (unauthenticated, before keys were agreed): ${error.message}`,
      );
    }
    return error;
  }

  get state(): ClientState {
    return this.current;
  }

  /** Keys are agreed and the server proved its host key (joining or member). */
  private get keysAgreed(): boolean {
    return this.current === 'joining' || this.current === 'member';
  }

  get closed(): boolean {
    return this.current === 'closed';
  }

  /** Sends a chat message; a text the server would refuse is refused here, without closing. */
  say(text: string): void {
    const problem = textProblem(text);
    if (problem) throw new DhlabError(problem.code, problem.message);
    this.session.send({ type: 'chat', text });
  }

  /**
   * Several lines in one write: on loopback the server reads them in one turn and answers every
   * member with one sealed batch (docs/PROTOCOL.md s.5.1), as when a paste arrives at once.
   */
  sayTogether(texts: readonly string[]): void {
    for (const text of texts) {
      const problem = textProblem(text);
      if (problem) throw new DhlabError(problem.code, problem.message);
    }
    this.socket.cork();
    try {
      for (const text of texts) this.session.send({ type: 'chat', text });
    } finally {
      this.socket.uncork();
    }
  }

  who(): void {
    this.session.send({ type: 'who' });
  }

  /**
   * Leaves cleanly: resolves when the server has said bye and the connection is closed. A server
   * that never answers does not hold us: after timeoutMs we close the connection ourselves.
   */
  quit(timeoutMs = QUIT_TIMEOUT_MS): Promise<DhlabError | null> {
    const done = this.waitForClose();
    if (!this.closed && this.session.isEstablished) this.session.send({ type: 'quit' });
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
    return done.finally(() => clearTimeout(timer));
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
