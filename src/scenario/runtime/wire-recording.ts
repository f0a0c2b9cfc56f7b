import type { KeyLogEntry } from '../../protocol/key-log.ts';
import type { CaptureSink } from '../../tap/tap-proxy.ts';

/** Where a captured run writes (src/capture/capture-recorder.ts): restarted when the run goes back. */
export type RunCapture = CaptureSink & { restart(): Promise<void> };

/** What a run writes for Wireshark: `--pcap` (the wire) and `--keylog` (each connection's keys). */
export interface WireRecording {
  capture?: RunCapture;
  keyLog?: (entry: KeyLogEntry) => void;
}
