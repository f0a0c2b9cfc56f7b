import type { ChatClient } from '../../client/chat-client.ts';
import type { CryptoEngine } from '../../crypto/engine.ts';
import type { DhlabError, ErrorCode } from '../../errors.ts';
import type { Mallory, MalloryEvent } from '../../insecure/mallory/mallory.ts';
import type { WireFrame } from '../../protocol/frame.ts';
import type { ServerEvent } from '../../protocol/messages.ts';
import type { TapObservation } from '../../tap/tap-proxy.ts';
import type { EveReadHow, FrameRecord, Value } from '../runtime/run-record.ts';
import type { SegmentRecord } from '../runtime/segment-record.ts';
import type { Scenario } from '../types.ts';

/** Where the run stands before an action: the events each open client has received. */
export interface Mark {
  events: Map<string, number>;
}

/**
 * What a step's checks read of the run: its records, none of them writable. The world writes
 * them from trace events and tap observations; a check only looks.
 */
export interface RunView {
  readonly scenario: Scenario;
  /** A value by name (`alice.K`, `eve/bob.y_c`); undefined when the run has not produced it. */
  value(name: string): Value | undefined;
  readonly received: ReadonlyMap<string, readonly ServerEvent[]>;
  readonly errors: readonly { who: string; code: ErrorCode; message: string }[];
  readonly observations: readonly TapObservation[];
  /** Eve's observations of one client's connection, in order. */
  observationsOf(name: string): TapObservation[];
  readonly frames: readonly FrameRecord[];
  readonly malloryEvents: readonly MalloryEvent[];
  /** Plaintexts Eve recovered by attack. */
  readonly eveRead: readonly string[];
  readonly segments: SegmentRecord['segments'];
  readonly serverReads: SegmentRecord['serverReads'];
  readonly memberNames: readonly string[];
}

/**
 * What a lesson's action may do: read the run, name the values it computed, drive the room's
 * actors and wait until the room has answered. It never writes the world's records directly:
 * what it reports goes through a method, so the lab and the handout hear of it.
 */
export interface ActionContext extends RunView {
  readonly engine: CryptoEngine;
  setValue(name: string, value: Value): void;
  /** A cost measured once per run and kept (every estimate of one lesson uses one figure). */
  measuredOnce(key: string, measure: () => number): number;
  readonly clients: ReadonlyMap<string, ChatClient>;
  readonly mallory: Mallory | null;
  /** Where a connection of the lesson's own making enters the wire (through Eve's tap if she listens). */
  readonly wirePort: number;
  connect(name: string): Promise<DhlabError | null>;
  mark(): Mark;
  settle(before: Mark, maxMs?: number): Promise<void>;
  heardLeave(name: string, maxMs?: number): Promise<void>;
  until(answered: () => boolean, maxMs?: number): Promise<void>;
  note(over: string, text: string): void;
  sentToServer(from: string, frame: WireFrame, wire: Uint8Array): void;
  reportEveDecrypted(connection: string, read: { dir: string; seq: number; text: string }[], how?: EveReadHow): void;
}
