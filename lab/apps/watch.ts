import type { Readable, Writable } from 'node:stream';
import type { ClientCaseObserver } from '../../src/exercises/client-exercise.ts';
import type { ServerCaseObserver } from '../../src/exercises/server-exercise.ts';
import type { CaseResult } from '../../src/exercises/types.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';
import type { TapObservation } from '../../src/tap/tap-proxy.ts';
import { safeExcerpt } from '../../src/terminal/safe-text.ts';
import { EvePerspective } from '../model/eve.ts';
import { TracePerspective } from '../model/model.ts';
import { LabView } from '../view/view.ts';

/** What the lab shows of a graded case: the grader's own case, and the connection to look at first. */
export interface WatchedCase {
  what: string;
  story: string;
  expected: readonly string[];
  name: string;
  /** A line of the case's own (the server exercise's members); else the client's --name. */
  detail?: string;
}

/**
 * Whose side the grader plays: the server (check client: the student's client meets the
 * grader's servers) or the clients (check server: the grader's clients meet the student's server).
 */
export type GraderSide = 'server' | 'clients';

const LEGEND: Record<GraderSide, string> = {
  server: "server: the grader's server, its secrets shown; eve: the student's wire",
  clients: "grader: the grader's clients, their secrets shown; eve: the student's server's wire",
};

/** Student output and names are peer text: each shown line is sanitized and cut. */
const shown = (text: string) => safeExcerpt(text, 160);

/**
 * `dhlab check client|server --watch`: the grading, watched. The grader's side (its servers, or its
 * clients) reports its traces (with secrets: they are the grader's own) to its perspective, the
 * student's wire as a wiretapper sees it to Eve's; the narration lists the cases, and space
 * starts the next one.
 */
export class GradingWatch implements ClientCaseObserver, ServerCaseObserver {
  readonly grader: TracePerspective;
  readonly eve = new EvePerspective();
  /** Eve numbers connections across the whole grading: each case's tap counts from 1. */
  private readonly wireIds = new Map<string, number>();
  private readonly firstWire = new Map<number, number>();
  private readonly cases: Array<{ c: WatchedCase; result: CaseResult | null }>;
  private current = -1;
  private waiting: { index: number; go: () => void } | null = null;
  /** Once the lab is gone, cases run without waiting for a key. */
  private unattended = false;
  finished = false;
  onChange: () => void = () => {};

  constructor(
    private readonly title: string,
    cases: readonly WatchedCase[],
    private readonly side: GraderSide = 'server',
  ) {
    this.grader =
      side === 'server' ? new TracePerspective('server', 'server') : new TracePerspective('grader', 'client');
    this.cases = cases.map((c) => ({ c, result: null }));
  }

  ready(index: number): Promise<void> {
    if (this.unattended) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting = { index, go: resolve };
      this.onChange();
    });
  }

  /** space: start the case the grader is waiting for. */
  next(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.go();
  }

  /** The view is gone (q): the rest runs without waiting, and the report goes to the terminal. */
  unattend(): void {
    this.unattended = true;
    this.next();
  }

  caseStarted(index: number, c: WatchedCase): void {
    this.current = index;
    const entry = this.cases[index];
    if (entry) entry.c = c;
    this.onChange();
  }

  serverTrace(index: number, connection: number, event: TraceEvent, name: string | null): void {
    this.grader.onTrace(`${index + 1}: ${name ?? `#${connection}`}`, event);
    this.onChange();
  }

  clientTrace(index: number, client: string, event: TraceEvent): void {
    this.grader.onTrace(`${index + 1}: ${client}`, event);
    this.onChange();
  }

  wire(index: number, observation: TapObservation): void {
    // check client: each case's tap carries the student's one connection, numbered by its case.
    // check server: a case opens many; they are numbered in the order they appear.
    this.eve.onObservation({ ...observation, connection: this.wireId(index, observation.connection) });
    this.onChange();
  }

  private wireId(index: number, connection: number): number {
    if (this.side === 'server') return index + 1;
    const key = `${index}:${connection}`;
    let id = this.wireIds.get(key);
    if (id === undefined) {
      this.wireIds.set(key, (id = this.wireIds.size + 1));
      if (!this.firstWire.has(index)) this.firstWire.set(index, id);
    }
    return id;
  }

  caseEnded(result: CaseResult): void {
    const entry = this.cases[result.index];
    if (entry) entry.result = result;
    this.onChange();
  }

  heading(): string {
    const total = this.cases.length;
    if (this.finished)
      return `${this.title}: ${this.cases.filter((e) => e.result?.ok).length} of ${total} passed · q quits and prints the report`;
    if (this.waiting) return `${this.title}: space starts case ${this.waiting.index + 1}/${total}`;
    return `${this.title}: case ${this.current + 1}/${total} running`;
  }

  /** The student's connection in the case in front, as the server and Eve perspectives name it. */
  studentConnection(): string[] {
    const entry = this.cases[this.current];
    if (!entry) return [];
    const wire = this.side === 'server' ? this.current + 1 : this.firstWire.get(this.current);
    return [`${this.current + 1}: ${entry.c.name}`, ...(wire === undefined ? [] : [`#${wire}`])];
  }

  /** The case in front first (its verdict must show in a small pane), then the list of cases. */
  lines(): string[] {
    const out: string[] = [];
    const shownCase = this.cases[this.current];
    if (shownCase) {
      const { c, result } = shownCase;
      const verdict = result ? (result.ok ? '✓ passed' : '✗ failed') : 'running';
      out.push(`case ${this.current + 1}: ${verdict}: ${shown(c.what)}`);
      if (result)
        out.push(
          `  got:      ${result.got === null ? '(no line)' : shown(result.got)}`,
          ...(result.ok ? [] : [`  hint:     ${shown(result.hint)}`]),
        );
      out.push(
        `  expected: ${shown(c.expected.join(' | ') || '(nothing)')}`,
        `  ${shown(c.detail ?? `--name ${c.name}`)}`,
        `  ${shown(c.story)}`,
        '',
      );
    }
    out.push(
      ...this.cases.map((e, i) => {
        const mark = e.result ? (e.result.ok ? '✓' : '✗') : i === this.current ? '…' : ' ';
        return `${mark} ${i + 1}. ${shown(e.c.what)}`;
      }),
    );
    if (shownCase) out.push('', LEGEND[this.side]);
    return out;
  }
}

export interface WatchOptions {
  title: string;
  subtitle: string;
  cases: readonly WatchedCase[];
  /** The grader's side: its servers (check client, the default) or its clients (check server). */
  side?: GraderSide;
  input?: Readable;
  output?: Writable;
  onView?(view: LabView, watch: GradingWatch): void;
}

/** Runs `grade` with the lab watching; resolves with its result once the grading is over and the lab closed. */
export async function watchGrading<R>(
  options: WatchOptions,
  grade: (observer: GradingWatch) => Promise<R>,
): Promise<R> {
  const watch = new GradingWatch(options.title, options.cases, options.side);
  let closed!: () => void;
  const viewClosed = new Promise<void>((resolve) => (closed = resolve));
  const view = new LabView({
    app: 'dhlab check',
    perspectives: [watch.grader, watch.eve],
    typists: [],
    initialPerspective: watch.grader.name,
    preferredConnection: () => watch.studentConnection(),
    subtitle: shown(options.subtitle),
    input: options.input,
    output: options.output,
    scenario: {
      heading: () => watch.heading(),
      lines: () => watch.lines(),
      highlights: () => [],
      next: () => watch.next(),
    },
    onQuit: () => {
      watch.onChange = () => {};
      view.destroy();
      watch.unattend();
      closed();
    },
  });
  watch.onChange = () => view.invalidate();
  options.onView?.(view, watch);
  const result = await grade(watch);
  watch.finished = true;
  watch.onChange();
  await viewClosed;
  return result;
}
