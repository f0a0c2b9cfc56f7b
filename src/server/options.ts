import type { KeyLogEntry } from '../protocol/key-log.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import type { DhGroup } from '../crypto/groups.ts';
import type { HostIdentity } from '../protocol/identity.ts';
import type { InsecureHooks } from '../protocol/session.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { ADMISSION_DEFAULTS } from './admission.ts';
import { QUEUE_DEFAULTS } from './slow-consumers.ts';

export interface ChatServerOptions {
  engine: CryptoEngine;
  group: DhGroup;
  identity: HostIdentity;
  host?: string;
  port?: number;
  maxClients?: number;
  handshakeTimeoutMs?: number;
  /** A frame that has started must be complete within this many ms (a drip-fed frame is cut off). */
  frameTimeoutMs?: number;
  /** A member whose unsent output passes this many bytes is dropped alone (src/server/slow-consumers.ts). */
  maxQueueBytes?: number;
  /** A member whose queue has not been empty for this long is dropped alone. */
  slowConsumerMs?: number;
  /** All members' unsent output together; above it the largest queue is dropped. */
  maxTotalQueueBytes?: number;
  /** Requests per second a member may send on average; bursts of twice as many are allowed. */
  rateLimit?: number;
  /** Bytes a second a member's chat may cost the room: its bytes times the members they go to (src/server/fanout-pacer.ts). */
  fanoutLimit?: number;
  /** Open connections per source address (src/server/admission.ts). */
  maxPerAddress?: number;
  /** Unfinished handshakes per source address. */
  maxHandshakesPerAddress?: number;
  /** New connections per second per source address (bursts of twice as many). */
  connectRatePerAddress?: number;
  /** One line per connection event; never carries secrets. */
  log?: (line: string) => void;
  /** Every connection's trace; `name` is the one the room holds for it (validated), once it has one. */
  trace?: (connectionId: number, event: TraceEvent, name: string | null) => void;
  /** Each read from a client's socket: its size, and the peer's address and port (lesson 12 shows them). */
  onRead?: (peer: { address: string; port: number }, bytes: number) => void;
  revealSecrets?: boolean;
  /** `--keylog`: each connection's direction keys, for a teacher's Wireshark (PROTOCOL s.10). */
  keyLog?: (entry: KeyLogEntry) => void;
  /** Teaching-only handshake weakenings (src/insecure/); absent on the secure path. */
  insecure?: InsecureHooks;
}

/**
 * 512 KiB a second of fanned-out chat per member. In a room of 200: about 30 short lines a second,
 * or one 4 KiB line every 1.6 s; in a room of 10, a dozen 4 KiB lines a second. Measured (npm run
 * bench, fanout): with three members sending 4 KiB lines as fast as the line limit lets them, the
 * honest members' p99 stays under 50 ms on a 2-core machine.
 */
const FANOUT_DEFAULT = 512 * 1024;
/** What an event adds to its text on the wire (JSON, the seal), counted in its fan-out cost. */
export const EVENT_OVERHEAD_BYTES = 64;

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 5068,
  maxClients: 1000,
  handshakeTimeoutMs: 10_000,
  frameTimeoutMs: 30_000,
  ...QUEUE_DEFAULTS,
  rateLimit: 200,
  fanoutLimit: FANOUT_DEFAULT,
  ...ADMISSION_DEFAULTS,
} as const;

/** How often members' lag is looked at (it is a matter of seconds, not of each write). */
export const SWEEP_EVERY_MS = 250;
/** How long a closing connection may take to flush its last frames before it is destroyed. */
export const CLOSE_GRACE_MS = 2000;
/** Refused connections allowed to wait CLOSE_GRACE_MS for their notice to flush; more are closed at once. */
export const MAX_REFUSING = 1024;
