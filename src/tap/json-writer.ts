import { stdoutFlow } from '../terminal/output.ts';
import { observationRecord } from './observation-record.ts';
import type { TapObservation } from './tap-proxy.ts';

/**
 * `dhlab eve --json` writes a line per frame; when its reader falls behind (stdout's buffer is
 * full) it drops observations and counts them, as tcpdump does, rather than buffer without bound
 * or slow the relay: a wiretap must not be felt by the people it listens to. After the reader
 * catches up, one `{"dropped": N}` line says how many are missing; the total goes to stderr at exit.
 */
export class JsonObservationWriter {
  dropped = 0;
  private pending = 0;
  private blocked = false;

  constructor(
    private readonly out: { writeJson(value: unknown): boolean; onceDrain(listener: () => void): void } = stdoutFlow,
  ) {}

  write(o: TapObservation): void {
    if (this.blocked) {
      this.pending++;
      this.dropped++;
      return;
    }
    if (this.out.writeJson(observationRecord(o))) return;
    this.blocked = true;
    this.out.onceDrain(() => {
      this.blocked = false;
      if (this.pending > 0) this.out.writeJson({ dropped: this.pending });
      this.pending = 0;
    });
  }
}
