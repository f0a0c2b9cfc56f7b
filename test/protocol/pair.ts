import { ENGINES } from '../../src/crypto/engines.ts';
import type { CryptoEngine } from '../../src/crypto/engine.ts';
import { GROUPS, type DhGroup } from '../../src/crypto/groups.ts';
import type { DhlabError } from '../../src/errors.ts';
import { ClientSession, type ClientSessionEvent, type ClientSessionOptions } from '../../src/protocol/client-session.ts';
import { hostIdentityFromSeed } from '../../src/protocol/identity.ts';
import { ServerSession, type ServerSessionEvent } from '../../src/protocol/server-session.ts';
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

  const server = new ServerSession(
    {
      engine: serverEngine,
      group: options.group ?? GROUPS.modp14,
      host,
      privateKey: options.serverPrivateKey,
      revealSecrets: options.revealSecrets,
      trace: (event) => traces.push(event),
      admitName: () => {},
    },
    {
      send: (bytes) => inFlight.push({ to: 'client', bytes }),
      event: (event) => serverEvents.push(event),
      close: (error) => (closed.server = error),
    },
  );
  const client = new ClientSession(
    {
      engine: options.clientEngine ?? ENGINES.native,
      name: options.name ?? 'alice',
      privateKey: options.clientPrivateKey,
      revealSecrets: options.revealSecrets,
      trace: (event) => traces.push(event),
      checkHostKey: options.checkHostKey,
    },
    {
      send: (bytes) => inFlight.push({ to: 'server', bytes }),
      event: (event) => clientEvents.push(event),
      close: (error) => (closed.client = error),
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
  return { server, client, host, pump, serverEvents, clientEvents, traces, closed, requests, received };
}
