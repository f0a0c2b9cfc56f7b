import type { CryptoEngine } from '../../crypto/engine.ts';
import type { DhGroup } from '../../crypto/groups.ts';
import { insecureHooks } from '../../insecure/hooks.ts';
import type { MalloryEvent } from '../../insecure/mallory/mallory.ts';
import { seededSegmentSizes, type Segment } from '../../insecure/resegment.ts';
import type { LoopbackRoomOptions } from '../../loopback/topology.ts';
import type { HostIdentity } from '../../protocol/identity.ts';
import type { TraceEvent } from '../../protocol/trace.ts';
import type { TapObservation } from '../../tap/tap-proxy.ts';
import type { WireRecording } from './wire-recording.ts';
import type { Scenario } from '../types.ts';

/** What a run's room reports to the run, and what the resegmenter waits for. */
export interface RoomHandlers {
  serverTrace: (id: number, event: TraceEvent, name: string | null) => void;
  serverRead: (peerPort: number, bytes: number) => void;
  segment: (segment: Segment) => void;
  segmentRead: (segment: Segment) => Promise<void>;
  malloryEvent: (event: MalloryEvent) => void;
  malloryTrace: (connection: string, event: TraceEvent) => void;
  observation: (o: TapObservation) => void;
}

/** One part of a run: its engine and group, which part it is, and the keys it made. */
export interface RoomPart {
  engine: CryptoEngine;
  group: DhGroup;
  part: number;
  serverIdentity: HostIdentity;
  malloryIdentity: HostIdentity;
}

/**
 * The lesson's room on loopback: its server (weakened as the file says), and in front of it the
 * resegmenter (lesson 12), Mallory and Eve's tap, each only when the lesson has them.
 */
export function roomFor(
  scenario: Scenario,
  p: RoomPart,
  on: RoomHandlers,
  recording: WireRecording = {},
): LoopbackRoomOptions {
  const { engine, group } = p;
  const { capture, keyLog } = recording;
  return {
    server: {
      engine,
      group,
      identity: p.serverIdentity,
      revealSecrets: true,
      ...(keyLog ? { keyLog } : {}),
      // acceptToyGroups also makes a toy-group server draw x below q, so y = g^x mod p can be checked by hand.
      insecure: insecureHooks(engine, {
        ...scenario.server,
        skipValidation: !scenario.server.validation,
        acceptToyGroups: true,
      }),
      trace: (id, event, name) => on.serverTrace(id, event, name),
      onRead: (peer, bytes) => on.serverRead(peer.port, bytes),
    },
    // Lesson 12: what clients send is re-cut into segments of seeded sizes before the server reads it.
    resegment: scenario.resegment
      ? {
          nextSize: seededSegmentSizes(`${scenario.seed}/${p.part}`),
          flushWhenIdle: true,
          onSegment: on.segment,
          afterSegment: on.segmentRead,
        }
      : undefined,
    mallory: scenario.mallory && {
      engine,
      mode: scenario.mallory.mode,
      group,
      identity: p.malloryIdentity,
      fixedValue: scenario.mallory.fixedValue,
      rewrites: scenario.mallory.rewrites,
      onEvent: on.malloryEvent,
      trace: on.malloryTrace,
    },
    eve: scenario.eve ? { onObservation: on.observation } : undefined,
    ...(capture ? { capture } : {}),
  };
}
