import net from 'node:net';
import { closeServer, listen } from './listen.ts';

/**
 * The one two-socket relay under Eve's tap, Mallory and lesson 12's resegmenter: clients connect
 * to it, it connects each to the target, and a handler sees (and may change) the bytes each way.
 * What it guarantees, whatever the handler does:
 *   backpressure  a write the kernel cannot take pauses the reader of the other side until the
 *                 drain, so a peer that stops reading costs at most a socket buffer per direction;
 *   a bound       a handler that writes more than `maxQueuedBytes` to a side that does not read
 *                 (an injection loop, a rewrite that repeats) ends the pair instead of growing;
 *   a stall timer a pair that cannot move for `stallTimeoutMs` (a reader stopped, or one side
 *                 half-closed and the other never follows) is ended;
 *   half-close    an end from one side ends the other once the handler has flushed;
 *   listen errors are the promise's rejection, not an unhandled 'error' event.
 */

/** One relayed connection as a handler sees it. */
export interface RelayPair {
  /** 1, 2, 3... in the order clients connected. */
  readonly connection: number;
  /** The relay's own port on its connection to the target: the target sees it as the peer's port. */
  readonly upstreamPort: number;
  /** The client's address as the relay saw it, and the relay's own address it connected to. */
  readonly client: { address: string; port: number };
  readonly listening: { address: string; port: number };
  /** Resolves once the connection to the target is up, or the pair is gone. */
  readonly upstreamReady: Promise<void>;
  /** Resolves once the pair is gone. */
  readonly gone: Promise<void>;
  toClient(bytes: Uint8Array): void;
  toServer(bytes: Uint8Array): void;
  /** Ends both sockets now (a handler that gives up on a connection). */
  destroy(): void;
}

/** What a handler does with one pair; a missing method forwards unchanged. */
export interface RelayHandler {
  fromClient?(chunk: Buffer): void;
  fromServer?(chunk: Buffer): void;
  /** The client half-closed: flush what is held, then the relay ends the server side. */
  clientEnded?(): Promise<void> | void;
  /** The server half-closed; the relay ends the client side. */
  serverEnded?(): void;
  /** Either side closed: the pair is gone. */
  closed?(): void;
}

export interface RelayOptions {
  listenHost?: string;
  /** 0 (the default): a free port. */
  listenPort?: number;
  targetHost: string;
  targetPort: number;
  /** Called once per accepted client, before any byte moves; `pair.upstreamPort` is 0 until connected. */
  handler(pair: RelayPair): RelayHandler;
  stallTimeoutMs?: number;
  maxQueuedBytes?: number;
  /** Nagle off towards the target: each write leaves as its own segment (lesson 12). */
  noDelay?: boolean;
}

export interface Relay {
  readonly port: number;
  /** Ends every pair and stops listening. */
  close(): Promise<void>;
}

/** How long a relayed pair may stay unable to move before the relay ends it. */
export const RELAY_STALL_TIMEOUT_MS = 30_000;
/** The most a handler may queue towards one side beyond what the kernel took. */
export const RELAY_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/**
 * Starts a relay on `listenHost:listenPort` (127.0.0.1:0 by default).
 * @throws the listen error (EADDRINUSE, EACCES, EADDRNOTAVAIL)
 */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  // Half-open both ways: an end from one side must not end the relay's write to it.
  const server = net.createServer({ allowHalfOpen: true }, (client) =>
    relayPair(++connections, client, options, sockets),
  );
  const address = await listen(server, options.listenPort ?? 0, options.listenHost ?? '127.0.0.1');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}

function relayPair(connection: number, client: net.Socket, options: RelayOptions, sockets: Set<net.Socket>): void {
  const upstream = net.connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true });
  if (options.noDelay) upstream.setNoDelay(true);
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset or a refused connect ends the pair through 'close'; nothing to report.
    socket.on('error', () => {});
  }
  const stallMs = options.stallTimeoutMs ?? RELAY_STALL_TIMEOUT_MS;
  const maxQueued = options.maxQueuedBytes ?? RELAY_MAX_QUEUED_BYTES;
  const destroy = () => {
    client.destroy();
    upstream.destroy();
  };
  const stalls = new Set<string>();
  let stallTimer: NodeJS.Timeout | null = null;
  const stalled = (why: string) => {
    stalls.add(why);
    stallTimer ??= setTimeout(destroy, stallMs);
  };
  const moving = (why: string) => {
    stalls.delete(why);
    if (stalls.size > 0 || !stallTimer) return;
    clearTimeout(stallTimer);
    stallTimer = null;
  };
  /** Writes to `to`; when it is full, stops reading `from` until `to` drains. */
  const writer = (to: net.Socket, from: net.Socket, why: string) => (bytes: Uint8Array) => {
    if (to.destroyed || to.writableEnded) return;
    if (to.write(bytes)) return;
    if (to.writableLength > maxQueued) return destroy();
    from.pause();
    stalled(why);
  };
  const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
  const pair: RelayPair = {
    connection,
    client: { address: client.remoteAddress ?? '', port: client.remotePort ?? 0 },
    listening: { address: client.localAddress ?? '', port: client.localPort ?? 0 },
    upstreamReady: Promise.race([new Promise<void>((resolve) => upstream.once('connect', () => resolve())), gone]),
    gone,
    get upstreamPort() {
      return upstream.localPort ?? 0;
    },
    toClient: writer(client, upstream, 'client full'),
    toServer: writer(upstream, client, 'server full'),
    destroy,
  };
  const handler = options.handler(pair);
  client.on('data', (chunk: Buffer) => (handler.fromClient ? handler.fromClient(chunk) : pair.toServer(chunk)));
  upstream.on('data', (chunk: Buffer) => (handler.fromServer ? handler.fromServer(chunk) : pair.toClient(chunk)));
  upstream.on('drain', () => {
    client.resume();
    moving('server full');
  });
  client.on('drain', () => {
    upstream.resume();
    moving('client full');
  });
  client.on('end', () => {
    stalled('half closed');
    void Promise.resolve(handler.clientEnded?.()).then(() => upstream.end());
  });
  upstream.on('end', () => {
    stalled('half closed');
    handler.serverEnded?.();
    client.end();
  });
  const closed = () => {
    if (stallTimer) clearTimeout(stallTimer);
    stallTimer = null;
    destroy();
  };
  client.once('close', closed);
  upstream.once('close', closed);
  client.once('close', () => handler.closed?.());
}
