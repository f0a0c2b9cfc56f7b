import { ENGINES } from '../../src/crypto/engines.ts';
import type { CryptoEngine } from '../../src/crypto/engine.ts';
import { GROUPS, type DhGroup } from '../../src/crypto/groups.ts';
import type { DhlabError } from '../../src/errors.ts';
import {
  ClientSession,
  type ClientSessionEvent,
  type ClientSessionOptions,
} from '../../src/protocol/client-session.ts';
import { hostIdentityFromSeed } from '../../src/protocol/identity.ts';
import { ServerSession, type ServerSessionEvent } from '../../src/protocol/server-session.ts';
import type { SessionOptions } from '../../src/protocol/session.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';

export interface PairOptions {
  clientEngine?: CryptoEngine;
  serverEngine?: CryptoEngine;
  group?: DhGroup;
  name?: string;
  hostSeed?: Uint8Array;
  clientPrivateKey?: Uint8Array;
  serverPrivateKey?: Uint8Array;
  revealSecrets?: boolean;
  /** Teaching-only hooks for both sessions (src/insecure/). */
  insecure?: SessionOptions['insecure'];
  /** The server's own hooks, when they differ from the client's (a weakened server, an honest client). */
  serverInsecure?: SessionOptions['insecure'];
  /** false: neither session gets a trace sink (the default of server and client). */
  trace?: boolean;
  checkHostKey?: ClientSessionOptions['checkHostKey'];
  /** Rewrites (or drops, by returning []) each chunk in flight. */
  toServer?: (bytes: Uint8Array) => Uint8Array[];
  toClient?: (bytes: Uint8Array) => Uint8Array[];
}

/**
 * A client and a server session joined by two in-memory queues, with a man in the middle hook on
 * each direction. pump() delivers until both queues are empty.
 */
export function sessionPair(options: PairOptions = {}) {
  const serverEngine = options.serverEngine ?? ENGINES.native;
  const host = hostIdentityFromSeed(serverEngine, options.hostSeed ?? new Uint8Array(32).fill(42));
  const inFlight: Array<{ to: 'server' | 'client'; bytes: Uint8Array }> = [];
  const serverEvents: ServerSessionEvent[] = [];
  const clientEvents: ClientSessionEvent[] = [];
  const traces: TraceEvent[] = [];
  const closed: { server?: DhlabError | null; client?: DhlabError | null } = {};
  /** Every io.close() call, in order, with the remote flag. */
  const closeCalls: Array<{ side: 'server' | 'client'; code: string | null; remote: boolean }> = [];
  const trace = options.trace === false ? undefined : (event: TraceEvent) => traces.push(event);
  const onClose = (side: 'server' | 'client') => (error: DhlabError | null, remote: boolean) => {
    closed[side] = error;
    closeCalls.push({ side, code: error?.code ?? null, remote });
  };

  const server = new ServerSession(
    {
      engine: serverEngine,
      group: options.group ?? GROUPS.modp14,
      host,
      privateKey: options.serverPrivateKey,
      revealSecrets: options.revealSecrets,
      insecure: options.serverInsecure ?? options.insecure,
      trace,
      admitName: () => {},
    },
    {
      send: (bytes) => inFlight.push({ to: 'client', bytes }),
      event: (event) => serverEvents.push(event),
      close: onClose('server'),
    },
  );
  const client = new ClientSession(
    {
      engine: options.clientEngine ?? ENGINES.native,
      name: options.name ?? 'alice',
      privateKey: options.clientPrivateKey,
      revealSecrets: options.revealSecrets,
      insecure: options.insecure,
      trace,
      checkHostKey: options.checkHostKey,
    },
    {
      send: (bytes) => inFlight.push({ to: 'server', bytes }),
      event: (event) => clientEvents.push(event),
      close: onClose('client'),
    },
  );

  function pump(): void {
    for (let item = inFlight.shift(); item; item = inFlight.shift()) {
      const rewrite = item.to === 'server' ? options.toServer : options.toClient;
      for (const bytes of rewrite ? rewrite(item.bytes) : [item.bytes]) {
        (item.to === 'server' ? server : client).feed(bytes);
      }
    }
  }

  client.start();
  pump();
  const requests = () => serverEvents.flatMap((e) => (e.type === 'request' ? [e.request] : []));
  const received = () => clientEvents.flatMap((e) => (e.type === 'server' ? [e.event] : []));
  /** Bytes waiting in flight (after the last pump) towards one side. */
  const pending = (to: 'server' | 'client') => inFlight.filter((item) => item.to === to).map((item) => item.bytes);
  return {
    server,
    client,
    host,
    pump,
    pending,
    serverEvents,
    clientEvents,
    traces,
    closed,
    closeCalls,
    requests,
    received,
  };
}
