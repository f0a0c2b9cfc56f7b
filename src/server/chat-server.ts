import net from 'node:net';
import { DhlabError } from '../errors.ts';
import { textProblem, type ClientRequest, type ServerEvent } from '../protocol/messages.ts';
import { safeExcerpt, safeText } from '../terminal/safe-text.ts';
import { Admission } from './admission.ts';
import { SlowConsumers } from './slow-consumers.ts';
import { TokenBucket } from './token-bucket.ts';
import { FanoutPacer } from './fanout-pacer.ts';
import { Room } from './room.ts';
import { ServerSession } from '../protocol/server-session.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { listen } from '../net/listen.ts';
import {
  CLOSE_GRACE_MS,
  DEFAULTS,
  EVENT_OVERHEAD_BYTES,
  MAX_REFUSING,
  SWEEP_EVERY_MS,
  type ChatServerOptions,
} from './options.ts';
import { RefusalLog } from './refusal-log.ts';
import { startHandshakeTimer, watchPartialFrame, type Connection } from './connection.ts';

export { DEFAULTS, type ChatServerOptions } from './options.ts';

/**
 * The chat room: one ServerSession per TCP connection, one room-wide order of events. Every
 * broadcast runs to completion before any membership change is applied (removals are queued
 * as microtasks), so every member sees the same sequence.
 *
 * Output is batched: events for a member are queued and sealed together at the end of the
 * event-loop turn (one AES-GCM operation and one write per member per turn, not per message).
 * The room never waits for one member: each member's unsent output is bounded by size, by lag and
 * by a total for all (src/server/slow-consumers.ts); a member past a bound is disconnected alone with
 * ERR_SLOW_CONSUMER, and nobody else's messages are delayed or lost.
 */
export class ChatServer {
  private readonly options: Required<Omit<ChatServerOptions, 'trace' | 'log' | 'insecure' | 'onRead' | 'keyLog'>> &
    Pick<ChatServerOptions, 'trace' | 'log' | 'insecure' | 'onRead' | 'keyLog'>;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly room = new Room<Connection>((member, event) => this.enqueue(member, event));
  private readonly dirty = new Set<Connection>(); // connections with a non-empty outbox
  private readonly speakers = new Set<Connection>(); // said something this turn: flushed first
  private readonly slow: SlowConsumers<Connection>;
  private sweepTimer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private nextConnectionId = 1;
  private shuttingDown = false;
  private readonly admission: Admission;
  /** Refused connections while their error notice flushes (not counted against maxClients). */
  private readonly refusing = new Set<Connection>();
  /** A flood of refusals is one log line a second per code, not one per connection. */
  private readonly refusals = new RefusalLog((line) => this.log(line));

  constructor(options: ChatServerOptions) {
    this.options = { ...DEFAULTS, revealSecrets: false, ...options };
    this.slow = new SlowConsumers(
      {
        maxQueueBytes: this.options.maxQueueBytes,
        slowConsumerMs: this.options.slowConsumerMs,
        maxTotalQueueBytes: this.options.maxTotalQueueBytes,
      },
      (connection, why) => this.dropSlowConsumer(connection, why),
      undefined,
      SWEEP_EVERY_MS,
    );
    this.admission = new Admission({
      maxPerAddress: this.options.maxPerAddress,
      maxHandshakesPerAddress: this.options.maxHandshakesPerAddress,
      connectRatePerAddress: this.options.connectRatePerAddress,
    });
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<{ host: string; port: number }> {
    await listen(this.server, this.options.port, this.options.host);
    // Lag is measured a few times a second (it is a matter of seconds, not of each write).
    this.sweepTimer = setInterval(() => this.slow.sweep(), SWEEP_EVERY_MS);
    this.sweepTimer.unref();
    return this.address();
  }

  address(): { host: string; port: number } {
    const address = this.server.address() as net.AddressInfo;
    return { host: address.address, port: address.port };
  }

  get memberNames(): string[] {
    return this.room.memberNames;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Tell every client why, let the last frames flush, and stop. */
  async close(reason = 'server shutting down'): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.room.stop();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.refusing) connection.socket.destroy();
    for (const connection of [...this.connections]) {
      if (this.room.isMember(connection)) {
        this.enqueue(connection, { type: 'bye', code: 'ERR_SERVER_SHUTDOWN', reason });
        this.flush(connection);
        connection.session.close();
      } else {
        connection.session.fail(new DhlabError('ERR_SERVER_SHUTDOWN', reason));
      }
    }
    await closed;
  }

  /**
   * Every trace event carries the name the room holds for its connection. The hello that asks for
   * a name is traced before the room has decided, so it is held until then (the same call stack:
   * nothing else of this connection is traced in between) and goes out with the name, or with null
   * if the room refused it: no reader of the trace has to read names out of hello frames.
   */
  private traceOf(connection: Connection, id: number, event: TraceEvent): void {
    this.releaseHeldHello(connection, id);
    if (event.kind === 'wire' && event.dir === 'recv' && event.frame.type === 'hello' && connection.name === null) {
      connection.heldHello = event;
      return;
    }
    this.options.trace?.(id, event, connection.name);
  }

  private releaseHeldHello(connection: Connection, id: number): void {
    const held = connection.heldHello;
    if (!held) return;
    connection.heldHello = null;
    this.options.trace?.(id, held, connection.name);
  }

  private log(line: string): void {
    // Names fit the name profile, but error messages and frame types are the peer's words.
    this.options.log?.(safeText(line));
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const connection = this.connectionFor(socket);
    this.listenTo(connection);
    this.admitOrRefuse(connection);
  }

  /** A connection's state; its session and pacer call back into it only after this returns (their constructors emit nothing). */
  private connectionFor(socket: net.Socket): Connection {
    const id = this.nextConnectionId++;
    const connection: Connection = {
      queuedBytes: () => socket.writableLength,
      id,
      socket,
      label: `#${id} ${socket.remoteAddress}:${socket.remotePort}`,
      session: this.sessionFor(() => connection),
      handshakeTimer: null,
      frameTimer: null,
      frameTimerFrames: 0,
      outbox: [],
      requests: new TokenBucket(this.options.rateLimit),
      pacer: new FanoutPacer(
        this.options.fanoutLimit,
        socket,
        (request: ClientRequest) => this.handleRequest(connection, request),
        (error) =>
          connection.session.fail(error instanceof DhlabError ? error : new DhlabError('ERR_BAD_FRAME', String(error))),
      ),
      address: null,
      name: null,
      heldHello: null,
      handshaken: false,
    };
    return connection;
  }

  private sessionFor(connectionOf: () => Connection): ServerSession {
    return new ServerSession(
      {
        engine: this.options.engine,
        group: this.options.group,
        host: this.options.identity,
        revealSecrets: this.options.revealSecrets,
        keyLog: this.options.keyLog,
        insecure: this.options.insecure,
        trace: this.options.trace ? (event) => this.traceOf(connectionOf(), connectionOf().id, event) : undefined,
        admitName: (name) => {
          const connection = connectionOf();
          try {
            this.room.reserve(connection, name);
            connection.name = name;
          } finally {
            this.releaseHeldHello(connection, connection.id);
          }
        },
      },
      {
        send: (bytes) => this.write(connectionOf(), bytes),
        event: (event) => {
          if (event.type === 'established') this.join(connectionOf());
          else if (event.type === 'request') connectionOf().pacer.offer(event.request);
        },
        close: (error, remote) => this.onSessionClose(connectionOf(), error, remote),
      },
    );
  }

  private listenTo(connection: Connection): void {
    const socket = connection.socket;
    socket.on('data', (chunk: Buffer) => this.socketOnData(connection, chunk));
    socket.on('error', () => {}); // 'close' follows and ends the session
    socket.on('close', () => this.socketOnClose(connection));
    socket.on('drain', () => this.slow.emptied(connection));
  }

  private socketOnData(connection: Connection, chunk: Buffer): void {
    const socket = connection.socket;
    this.options.onRead?.({ address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, chunk.length);
    // Everything this chunk makes us send leaves in one write (server_auth and welcome, say).
    socket.cork();
    connection.session.feed(chunk);
    process.nextTick(() => socket.uncork());
    watchPartialFrame(connection, this.options.frameTimeoutMs);
  }

  private socketOnClose(connection: Connection): void {
    connection.session.end();
    this.releaseHeldHello(connection, connection.id);
    if (connection.handshakeTimer) clearTimeout(connection.handshakeTimer);
    if (connection.frameTimer) clearTimeout(connection.frameTimer);
    if (connection.address !== null) this.admission.release(connection.address, !connection.handshaken);
    this.slow.forget(connection);
    this.connections.delete(connection);
    this.refusing.delete(connection);
  }

  /**
   * Refused connections count against nothing but their own address: they are not in
   * `connections`, so a flood of them (that never closes) cannot fill the room for others.
   */
  private admitOrRefuse(connection: Connection): void {
    if (this.shuttingDown) {
      this.refuse(connection, new DhlabError('ERR_SERVER_SHUTDOWN', 'server shutting down'));
    } else if (!this.admit(connection)) {
      // Refused by its address's limits before hello is read: no Diffie-Hellman work is done for it.
    } else if (this.connections.size >= this.options.maxClients) {
      this.refusals.note('ERR_SERVER_FULL', `the room is full (${this.options.maxClients} connections)`);
      this.refuse(
        connection,
        new DhlabError('ERR_SERVER_FULL', `the room is full (${this.options.maxClients} connections)`),
      );
    } else {
      this.connections.add(connection);
      startHandshakeTimer(connection, this.options.handshakeTimeoutMs);
    }
  }

  private refuse(connection: Connection, error: DhlabError): void {
    this.refusing.add(connection);
    connection.session.fail(error);
    if (this.refusing.size > MAX_REFUSING) connection.socket.destroy();
  }

  /** Per-address admission control (src/server/admission.ts); refuses with ERR_TOO_MANY_CONNECTIONS. */
  private admit(connection: Connection): boolean {
    const address = connection.socket.remoteAddress ?? 'unknown';
    const verdict = this.admission.admit(address);
    if (!verdict.admitted) {
      this.refusals.note('ERR_TOO_MANY_CONNECTIONS', verdict.why);
      this.refuse(connection, new DhlabError('ERR_TOO_MANY_CONNECTIONS', verdict.why));
      return false;
    }
    connection.address = address;
    return true;
  }

  private write(connection: Connection, bytes: Uint8Array): void {
    const { socket } = connection;
    if (socket.destroyed) return;
    socket.write(bytes);
    if (this.room.isMember(connection)) this.slow.written(connection);
  }

  /** It stopped reading, or reads too slowly: drop it alone rather than buffer without bound or stall the room. */
  private dropSlowConsumer(connection: Connection, why: string): void {
    if (connection.session.isClosed) return;
    // The notice could not get past the queue anyway: destroy first, so fail() sends nothing.
    connection.socket.destroy();
    connection.session.fail(new DhlabError('ERR_SLOW_CONSUMER', `client is not reading fast enough: ${why}`));
  }

  /** Queue an event for a member; all queued events go out together at the end of this turn. */
  private enqueue(connection: Connection, event: ServerEvent | Uint8Array): void {
    const bytes = event instanceof Uint8Array ? event : Buffer.from(JSON.stringify(event), 'utf8');
    connection.outbox.push(bytes);
    this.dirty.add(connection);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushAll());
    }
  }

  private flushAll(): void {
    this.flushScheduled = false;
    // Who spoke this turn hears its echo first: in a room of 10,000 it would otherwise wait for
    // 10,000 seals and writes to the others (each member's own order is the same either way).
    for (const connection of this.speakers) this.flush(connection);
    this.speakers.clear();
    for (const connection of this.dirty) this.flush(connection);
  }

  private flush(connection: Connection): void {
    this.dirty.delete(connection);
    const events = connection.outbox;
    if (events.length === 0) return;
    connection.outbox = [];
    // Everything sent before has left: the lag clock starts again from here.
    if (connection.socket.writableLength === 0) this.slow.emptied(connection);
    connection.session.sendSerialized(events);
  }

  private join(connection: Connection): void {
    if (connection.handshakeTimer) clearTimeout(connection.handshakeTimer);
    connection.handshakeTimer = null;
    connection.handshaken = true;
    if (connection.address !== null) this.admission.handshakeDone(connection.address);
    const welcome = this.room.join(connection);
    this.log(`${connection.label} ${welcome.name} joined`);
    this.enqueue(connection, { type: 'welcome', ...welcome });
    this.flush(connection); // right behind server_auth, in the same write
    this.room.announceJoin(connection);
  }

  /** Handles one request; returns the bytes it fanned out to the room (what the pacer charges). */
  private handleRequest(connection: Connection, request: ClientRequest): number {
    if (connection.session.isClosed) return 0;
    if (!connection.requests.take()) {
      throw new DhlabError(
        'ERR_RATE_LIMITED',
        `more than ${this.options.rateLimit} requests per second (bursts of ${this.options.rateLimit * 2}); slow down`,
      );
    }
    switch (request.type) {
      case 'chat': {
        const problem = textProblem(request.text);
        if (problem) throw new DhlabError(problem.code, problem.message);
        this.room.say(connection, request.text);
        this.speakers.add(connection);
        return (Buffer.byteLength(request.text) + EVENT_OVERHEAD_BYTES) * this.room.size;
      }
      case 'who':
        this.enqueue(connection, { type: 'who', ...this.room.roster() });
        return 0;
      case 'quit':
        this.enqueue(connection, { type: 'bye', code: 'OK', reason: 'goodbye' });
        this.flush(connection);
        connection.session.close();
        return 0;
    }
    return 0;
  }

  private onSessionClose(connection: Connection, error: DhlabError | null, remote: boolean): void {
    connection.pacer.stop();
    connection.outbox = [];
    this.dirty.delete(connection);
    this.speakers.delete(connection);
    const who = this.room.nameOf(connection) ?? 'client';
    // Refusals are summarized by RefusalLog (a flood is one line a second).
    const refused = this.refusing.has(connection);
    if (error && !refused && !(remote && error.code === 'ERR_CONNECTION')) {
      const message = remote ? safeExcerpt(error.message, 200) : error.message;
      this.log(`${connection.label} ${who} closed: ${error.code} ${message}${remote ? ' (reported by client)' : ''}`);
    }
    // Let the socket flush what it holds (the error notice or bye), then make sure it goes away.
    const { socket } = connection;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    // Membership changes wait until the current broadcast has reached everyone.
    queueMicrotask(() => this.leave(connection, error));
  }

  private leave(connection: Connection, error: DhlabError | null): void {
    const name = this.room.nameOf(connection);
    if (this.room.isMember(connection)) this.log(`${connection.label} ${name} left`);
    this.room.leave(connection, error ? error.code : 'quit', !this.shuttingDown);
  }
}
