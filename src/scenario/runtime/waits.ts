/**
 * Waits on what a run records, never on a quiet period: each condition is checked again whenever
 * the run records something (wake), and `maxMs` only bounds one whose answer never comes.
 */
export class Waits {
  private readonly waiters = new Set<() => void>();

  wake(): void {
    for (const check of [...this.waiters]) check();
  }

  async until(answered: () => boolean, maxMs = 10_000): Promise<void> {
    if (answered()) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!answered() && performance.now() - started < maxMs) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const started = performance.now();
      const timer = setTimeout(check, maxMs);
      this.waiters.add(check);
    });
  }
}
