import type { CryptoEngine } from '../../crypto/engine.ts';
import type { DhGroup } from '../../crypto/groups.ts';
import type { HostIdentity } from '../../protocol/identity.ts';
import type { WireFrame } from '../../protocol/frame.ts';
import type { TraceEvent } from '../../protocol/trace.ts';

/** What Mallory's interceptors share with her relay (kept apart so neither imports the other). */
export type MalloryMode = 'relay' | 'mitm' | 'fix-key';

export interface Rewrite {
  from: string;
  to: string;
}

export type MalloryEvent =
  | { kind: 'read'; connection: string; dir: 'client->server' | 'server->client'; text: string }
  | { kind: 'rewrote'; connection: string; from: string; to: string }
  | { kind: 'tampered'; connection: string; offset: number; xor: string }
  | { kind: 'replayed'; connection: string; seq: number; sentAs: number }
  | { kind: 'note'; connection: string; text: string };

export interface MalloryOptions {
  engine: CryptoEngine;
  mode: MalloryMode;
  targetHost: string;
  targetPort: number;
  /** The group she answers clients with (mitm) and reads values in (fix-key). */
  group: DhGroup;
  identity: HostIdentity;
  /** fix-key: the value substituted for both public values. */
  fixedValue?: 'one' | 'p-1' | 'p';
  rewrites?: Rewrite[];
  /**
   * relay: what she forwards for each frame the server sends (none, one, several: drop, change,
   * replay). Called in order with the frame and its index on the connection (0: server_key).
   */
  rewriteFromServer?: (frame: WireFrame, index: number, connection: string) => WireFrame[];
  onEvent(event: MalloryEvent): void;
  /** Every byte between the client and her, as it crossed (the grader's view of a student's wire). */
  onClientWire?: (direction: 'from-client' | 'to-client', bytes: Uint8Array, connection: string) => void;
  /** Her own handshakes (mitm), for the lab's Mallory view. */
  trace?(connection: string, event: TraceEvent): void;
}

/** What Mallory does with one connection's bytes; `toClient` and `toServer` write to each side. */
export interface Interceptor {
  fromClient(chunk: Uint8Array): void;
  fromServer(chunk: Uint8Array): void;
}

export interface Link {
  toClient(bytes: Uint8Array): void;
  toServer(bytes: Uint8Array): void;
  /** A name for the connection in events: the client's name once its hello was seen. */
  label: string;
}

export function applyRewrites(text: string, rewrites: readonly Rewrite[] = []): string {
  return rewrites.reduce((t, r) => t.split(r.from).join(r.to), text);
}
