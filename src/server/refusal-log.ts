/** Refusals summarized: at most one log line a second per error code, with how many. */
export class RefusalLog {
  private readonly counts = new Map<string, { count: number; lastLog: number }>();

  constructor(private readonly log: (line: string) => void) {}

  note(code: string, why: string): void {
    const entry = this.counts.get(code) ?? { count: 0, lastLog: -Infinity };
    this.counts.set(code, entry);
    entry.count++;
    const now = performance.now();
    if (now - entry.lastLog < 1000) return;
    this.log(`refused ${entry.count} connection${entry.count > 1 ? 's' : ''} (${code}): ${why}`);
    entry.count = 0;
    entry.lastLog = now;
  }
}
