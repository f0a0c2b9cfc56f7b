import { CaptureRecorder } from '../capture/capture-recorder.ts';
import { printError } from '../terminal/output.ts';
import { safeText } from '../terminal/safe-text.ts';
import type { Flags } from './verb.ts';

/** `--pcap FILE`, for the verbs that run Eve's relay (eve, lab, scenario). */
export const PCAP_FLAG: Flags = {
  pcap: {
    type: 'string',
    value: 'FILE',
    needs: 'a file name',
    help: 'write what crosses the wire as pcapng, for Wireshark or tshark (docs/WIRESHARK.md)',
  },
};

/** The capture `--pcap` asks for, created now (so a bad path fails before anything runs). */
export function captureFromFlags(values: Record<string, unknown>): CaptureRecorder | undefined {
  return typeof values.pcap === 'string' ? new CaptureRecorder(values.pcap) : undefined;
}

/** Closes the capture and says on stderr what it holds. */
export async function finishCapture(capture: CaptureRecorder | undefined, verb: string): Promise<void> {
  if (!capture) return;
  await capture.close();
  printError(safeText(`dhlab ${verb}: ${capture.summary()}`));
}
