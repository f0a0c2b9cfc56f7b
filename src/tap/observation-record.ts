import { safeJson } from '../terminal/safe-text.ts';
import type { TapObservation } from './tap-proxy.ts';

/** One JSON object per frame: exactly what crossed the wire, never a key or a plaintext. */
export function observationRecord(o: TapObservation): Record<string, unknown> {
  return {
    connection: o.connection,
    dir: o.dir,
    bytes: o.bytes.length + 4,
    type: o.frame?.type ?? null,
    frame: o.frame,
    ...(o.frame ? {} : { unreadable: Buffer.from(o.bytes).toString('base64') }),
  };
}

/** The same as one terminal-safe JSON line (the frame's strings are the peers' words). */
export function observationJson(o: TapObservation): string {
  return safeJson(observationRecord(o));
}
