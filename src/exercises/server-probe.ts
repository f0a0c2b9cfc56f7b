import net from 'node:net';
import { EventEmitter } from 'node:events';
import { DhlabError } from '../errors.ts';
import { ENGINES } from '../crypto/engines.ts';
import type { DhGroup } from '../crypto/groups.ts';
import { aadFor, nonceFor } from '../protocol/channel.ts';
import { ClientSession } from '../protocol/client-session.ts';
import { encodeFrame, parseFramePayload, type WireFrame } from '../protocol/frame.ts';
import type { ClientRequest, ServerEvent } from '../protocol/messages.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { safeExcerpt } from '../terminal/safe-text.ts';
import { frameShown } from './frame-shown.ts';

/*
 * The server exercise's grader on the wire: a client of the protocol core that can also cheat.
 * Each frame its session sends passes a rewrite first (a flipped bit, a replay, a bad y_c); it
 * can seal a frame of its own at any seq, or write bytes that are no frame at all. Everything it
 * receives is kept, decoded, for the report.
 */

export const engine = ENGINES.native;

/** The group the exercise's servers speak (RFC 3526 s.3): the cases' public values are its. */
export const EXERCISE_GROUP = 'modp14';

/** How long the grader waits for each thing it expects from the student's server. */
export const EXPECT_MS = 5000;
/** Events a client keeps before it hangs up on a server that floods it (the stalled-reader case needs ~3,300). */
const MAX_KEPT_EVENTS = 20_000;

/** An expectation the student's server did not meet: what came instead, and a hint of its own if any. */
export class CaseMiss extends Error {
  constructor(
    readonly got: string,
    readonly hint: string | null = null,
    /** The expectation that failed, when it says more than the case's own. */
    readonly expected: string | null = null,
    /** The last frame the grader's client received, decoded (and opened, when it could be). */
    readonly frame: string | null = null,
  ) {
    super(got);
  }
}

export interface ProbeOptions {
  port: number;
  name: string;
  /** The host key the grader wrote to --host-key: server_key must carry it. */
  hostKey: Uint8Array;
  /** Each frame the session sends, turned into the frames that go on the wire. */
  rewrite?: (frame: WireFrame) => WireFrame[];
  choosePrivateKey?: (group: DhGroup, serverPublic: Uint8Array) => Uint8Array;
  /** false: connect and send nothing (the silent member, raw bytes). */
  hello?: boolean;
  /** Every trace event of this client's session, secrets included (`check server --watch`). */
  trace?: (event: TraceEvent) => void;
}

export interface ProbeKeys {
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
  /** Z as the grader computed it, padded to the length of p (s.4.3). */
  sharedSecret: Uint8Array;
  transcript: Uint8Array;
}

/** One server event as a short line: the report's words, and what cases compare. */
export function eventLine(event: ServerEvent): string {
  switch (event.type) {
    case 'welcome':
      return `welcome ${event.name} [${event.members.join(', ')}] ${event.count}`;
    case 'who':
      return `who [${event.members.join(', ')}] ${event.count}`;
    case 'join':
      return `+ ${event.name}`;
    case 'leave':
      return `- ${event.name} (${event.reason})`;
    case 'message':
      return `${event.from}: ${event.text}`;
    case 'bye':
      return `bye ${event.code}`;
    case 'error':
      return `error ${event.code}`;
  }
}

export class Probe {
  readonly events: ServerEvent[] = [];
  /** Message ids in the order they came (the room's one order, s.6). */
  readonly messageIds: number[] = [];
  /** The last data frame's box as it arrived: the tap's three-keys check, the decrypt diagnosis. */
  lastBox: { seq: number; box: string } | null = null;
  readonly serverKeys: { y: string; hostKey: string }[] = [];
  keys: ProbeKeys | null = null;
  /** How the session ended: null while it runs. */
  ended: { error: DhlabError | null; remote: boolean } | null = null;
  /** The last frame received and what it opened to, for the report. */
  private lastFrame: { frame: WireFrame; opened: string | null } | null = null;
  /** The handshake frames received, by type, in order (server_key, server_auth, error). */
  readonly handshakeFrames: string[] = [];
  private cursor = 0;
  private readonly pending: Partial<ProbeKeys> = {};
  private readonly changes = new EventEmitter();
  private readonly session: ClientSession;
  private readonly socket: net.Socket;
  private socketClosed = false;

  private constructor(private readonly options: ProbeOptions) {
    this.changes.setMaxListeners(0);
    this.socket = net.connect({ host: '127.0.0.1', port: options.port });
    this.socket.setNoDelay(true);
    this.session = new ClientSession(
      {
        engine,
        name: options.name,
        revealSecrets: true,
        trace: (event) => this.sessionOnTrace(event),
        ...(options.choosePrivateKey ? { choosePrivateKey: options.choosePrivateKey } : {}),
        checkHostKey: (hostKey) => {
          if (!Buffer.from(hostKey).equals(Buffer.from(options.hostKey)))
            throw new DhlabError('ERR_HOST_KEY_CHANGED', 'server_key.host_key is not the key in the --host-key file');
        },
      },
      {
        send: (bytes) => this.sessionOnSend(bytes),
        event: (event) => {
          if (event.type !== 'server') return;
          if (this.events.length >= MAX_KEPT_EVENTS) return this.hangUpOnFlood();
          this.events.push(event.event);
          if (event.event.type === 'message') this.messageIds.push(event.event.id);
          this.changed();
        },
        close: (error, remote) => {
          this.ended = { error, remote };
          this.socket.end();
          this.changed();
        },
      },
    );
    this.socket.on('data', (chunk: Buffer) => this.socketOnData(chunk));
    this.socket.on('close', () => this.socketOnClose());
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.socketOnError(error));
  }

  /** Connects (and, unless hello is false, starts the handshake). @throws CaseMiss when the port refuses */
  static connect(options: ProbeOptions): Promise<Probe> {
    const probe = new Probe(options);
    return new Promise((resolve, reject) => {
      const refused = (error: Error) =>
        reject(new CaseMiss(`${options.name} could not connect: ${(error as NodeJS.ErrnoException).code ?? 'error'}`));
      probe.socket.once('error', refused);
      probe.socket.once('connect', () => {
        probe.socket.off('error', refused);
        if (options.hello !== false) probe.session.start();
        resolve(probe);
      });
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** The server closed the TCP connection (or it was reset). */
  get disconnected(): boolean {
    return this.socketClosed;
  }

  private changed(): void {
    this.changes.emit('change');
  }

  private sessionOnTrace(event: TraceEvent): void {
    this.options.trace?.(event);
    // The exercise's contract is group 14: a server that picks another would dodge the public-value
    // cases, whose values are modp14's (a 256-byte y refused for its length only).
    if (event.kind === 'group' && event.group !== EXERCISE_GROUP && !this.ended)
      this.session.abort(
        new DhlabError(
          'ERR_BAD_GROUP',
          `the server chose ${event.group}; the exercise's server speaks ${EXERCISE_GROUP}`,
        ),
      );
    if (event.kind === 'wire' && event.dir === 'recv') {
      const { frame } = event;
      this.lastFrame = { frame, opened: null };
      if (frame.type === 'data') this.lastBox = { seq: Number(frame.seq), box: String(frame.box) };
      else this.handshakeFrames.push(String(frame.type));
      if (event.frame.type === 'server_key')
        this.serverKeys.push({ y: String(event.frame.y), hostKey: String(event.frame.host_key) });
    }
    if (event.kind === 'open' && this.lastFrame) this.lastFrame.opened = event.plaintext;
    if (event.kind === 'shared_secret') this.pending.sharedSecret = event.z;
    if (event.kind === 'transcript') this.pending.transcript = event.h;
    if (event.kind === 'session_keys') {
      this.pending.clientToServer = event.clientToServer;
      this.pending.serverToClient = event.serverToClient;
    }
    if (event.kind === 'established') this.keys = this.pending as ProbeKeys;
  }

  /** The keys the handshake derived, once server_key was answered (before server_auth verified). */
  get derivedKeys(): Partial<ProbeKeys> {
    return this.pending;
  }

  private sessionOnSend(bytes: Uint8Array): void {
    if (this.ended) return;
    const rewrite = this.options.rewrite;
    if (!rewrite) return this.write(bytes);
    const frame = parseFramePayload(bytes.subarray(4));
    for (const out of rewrite(frame)) this.write(encodeFrame(out));
  }

  private write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private socketOnData(chunk: Buffer): void {
    this.session.feed(chunk);
  }

  private socketOnClose(): void {
    this.socketClosed = true;
    this.session.end();
    this.changed();
  }

  private socketOnError(error: NodeJS.ErrnoException): void {
    this.session.abort(new DhlabError('ERR_CONNECTION', `connection error: ${error.code ?? 'error'}`));
  }

  /** Resolves true once `done()` holds, false after `ms` (or at once when nothing more can come). */
  until(done: () => boolean, ms = EXPECT_MS): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.changes.off('change', check);
        resolve(result);
      };
      const check = () => {
        if (done()) finish(true);
        else if (this.socketClosed && this.ended) finish(done());
      };
      const timer = setTimeout(() => finish(done()), ms);
      this.changes.on('change', check);
      check();
    });
  }

  /** The next server event not yet taken, waiting for it up to `ms`; null if none came. */
  async next(ms = EXPECT_MS): Promise<ServerEvent | null> {
    await this.until(() => this.events.length > this.cursor, ms);
    return this.events[this.cursor++] ?? null;
  }

  /** The events not yet taken (already arrived), taken now and no longer kept. */
  takeArrived(): ServerEvent[] {
    const rest = this.events.splice(this.cursor);
    this.events.length = 0;
    this.cursor = 0;
    return rest;
  }

  /** Calls `listener` whenever anything arrives or the connection ends; returns the way to stop. */
  watch(listener: () => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  send(request: ClientRequest): void {
    if (this.session.isEstablished) this.session.send(request);
  }

  /** A sealed frame of the grader's own at `seq`, under this connection's client-to-server key. */
  sealAt(seq: number, inner: object): void {
    const keys = this.keys;
    if (!keys) return;
    const sealed = engine.aesGcmSeal(
      keys.clientToServer,
      nonceFor(seq),
      Buffer.from(JSON.stringify(inner), 'utf8'),
      aadFor('data', seq),
    );
    this.write(encodeFrame({ type: 'data', seq, box: Buffer.from(sealed).toString('base64') }));
  }

  writeRaw(bytes: Uint8Array): void {
    this.write(bytes);
  }

  /** Stops reading: the kernel's buffers fill and the server's writes to this member stall. */
  stopReading(): void {
    this.socket.pause();
  }

  /** A server that sends far more than any case asks for: this client stops listening. */
  private hangUpOnFlood(): void {
    this.session.abort(
      new DhlabError(
        'ERR_CONNECTION',
        `the server sent more than ${MAX_KEPT_EVENTS} events unasked: the grader hung up`,
      ),
    );
    this.socket.destroy();
  }

  /** Hangs up without a word (a member gone mid-handshake). */
  hangUp(): void {
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }

  /** What the probe has seen end its session, in the report's words ("the connection ended: ..."). */
  ending(): string {
    const ended = this.ended;
    if (!ended) return this.socketClosed ? 'the server closed the connection' : 'the connection is still open';
    if (!ended.error) return 'the session ended';
    const { code, message } = ended.error;
    if (code === 'ERR_CONNECTION') return ended.remote ? 'the server closed the connection' : message;
    return ended.remote
      ? `the server sent error ${code} (${safeExcerpt(message, 120)})`
      : `the grader refused what the server sent: ${code}, ${safeExcerpt(message, 160)}`;
  }

  /** The last frame received, decoded, for the report's "frame:" line. */
  lastFrameText(): string {
    const last = this.lastFrame;
    return last ? frameShown(last.frame, last.opened) : 'none came';
  }
}
