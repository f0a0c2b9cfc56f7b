import type { Readable, Writable } from 'node:stream';
import { bytesToBigint } from '../../src/crypto/bytes.ts';
import { getEngine } from '../../src/crypto/engines.ts';
import { safeText } from '../../src/terminal/safe-text.ts';
import type { MalloryEvent } from '../../src/insecure/mallory/mallory.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { namedValues, ScenarioRun, type WireRecording } from '../../src/scenario/runtime/runner.ts';
import type { WorldObserver } from '../../src/scenario/runtime/run-record.ts';
import { EvePerspective } from '../model/eve.ts';
import { TracePerspective, type Perspective } from '../model/model.ts';
import { LabView } from '../view/view.ts';

/** The perspectives of one run: a view per client, the server, Eve and Mallory when present. */
class PerspectiveSet {
  readonly clients = new Map<string, TracePerspective>();
  readonly server = new TracePerspective('server', 'server');
  readonly eve: EvePerspective | null;
  readonly mallory: TracePerspective | null;

  constructor(scenario: Scenario) {
    for (const c of scenario.clients) this.clients.set(c.name, new TracePerspective(c.name, 'client'));
    this.eve = scenario.eve ? new EvePerspective() : null;
    this.mallory = scenario.mallory ? new TracePerspective('mallory', 'mallory') : null;
  }

  get list(): Perspective[] {
    return [
      ...this.clients.values(),
      this.server,
      ...(this.eve ? [this.eve] : []),
      ...(this.mallory ? [this.mallory] : []),
    ];
  }

  malloryLine(event: MalloryEvent): void {
    const text =
      event.kind === 'read'
        ? `<${event.connection} ${event.dir}> ${event.text}`
        : event.kind === 'rewrote'
          ? `! rewrote "${event.from}" as "${event.to}"`
          : event.kind === 'tampered'
            ? `! XORed ${event.xor} into ${event.connection}'s frame at byte ${event.offset}`
            : event.kind === 'replayed'
              ? `! replayed ${event.connection}'s data #${event.seq}${event.sentAs === event.seq ? '' : `, its seq rewritten to ${event.sentAs}`}`
              : `* ${event.text}`;
    this.mallory?.addChat({ text, kind: event.kind === 'read' ? 'plain' : 'error' });
  }
}

/**
 * A scenario in the lab: a ScenarioRun whose world reports to a set of perspectives. Going back
 * replays into a fresh set (the run rebuilds its world with the same seed).
 */
export class ScenarioLab {
  readonly run: ScenarioRun;
  perspectives: PerspectiveSet;
  busy = false;
  onChange: () => void = () => {};
  problem = '';

  constructor(
    readonly scenario: Scenario,
    engineName: string,
    recording: WireRecording = {},
  ) {
    this.perspectives = new PerspectiveSet(scenario); // replaced by each world's own set
    this.run = new ScenarioRun(scenario, getEngine(engineName), () => this.observer(), recording);
  }

  /**
   * Reports to the perspective set that was current when the world started: a world being closed
   * by a replay keeps writing to its own (discarded) set, never into the new one.
   */
  private observer(): WorldObserver {
    // Every world (the first, a restarted server, a replay) gets fresh views: a ladder shows one
    // server's handshakes, never a mix of a server that is gone and the new one.
    const set = new PerspectiveSet(this.scenario);
    this.perspectives = set;
    return {
      clientTrace: (name, event) => set.clients.get(name)?.onTrace('server', event),
      clientEvent: (name, event) => set.clients.get(name)?.onServerEvent(event),
      serverTrace: (connection, event) => set.server.onTrace(connection, event),
      observation: (o) => set.eve?.onObservation(o),
      segment: (client, bytes, carries) => set.server.addSegment(client, bytes, carries),
      malloryTrace: (connection, event) => set.mallory?.onTrace(connection, event),
      malloryEvent: (event) => set.malloryLine(event),
      eveDecrypted: (connection, read, how) => set.eve?.readByAttack(connection, read, how),
      change: () => this.onChange(),
    };
  }

  heading(): string {
    const total = this.scenario.steps.length;
    if (this.busy) return `${this.scenario.title} · running…`;
    if (this.run.done === 0) return `${this.scenario.title} · press space to start (${total} steps)`;
    const step = this.scenario.steps[this.run.done - 1];
    return `step ${this.run.done}/${total}: ${step?.title ?? ''}`;
  }

  lines(): string[] {
    if (this.run.done === 0)
      return [
        safeText(this.scenario.summary),
        '',
        `seed ${this.scenario.seed}: every random value comes from it (reproducible, and therefore INSECURE).`,
      ];
    const result = this.run.results[this.run.done - 1];
    if (!result) return [];
    // The checks come before the action's output: they are short and say what to look for.
    const out = [...result.narration.split('\n').map((l) => safeText(l)), ''];
    out.push(
      ...result.checks.map(
        (c) => `${c.ok ? '✓' : '✗'} ${safeText(c.what)}${c.found ? ` (found: ${safeText(c.found)})` : ''}`,
      ),
    );
    out.push(...result.lines.map((l) => `> ${safeText(l)}`));
    if (this.run.finished) out.push('', 'end of the scenario: ← goes back, q quits');
    if (this.problem) out.push('', this.problem);
    return out;
  }

  highlights(): bigint[] {
    const result = this.run.results[this.run.done - 1];
    const world = this.run.world;
    if (!result || !world) return [];
    return namedValues(result.step.narration).flatMap((name) => {
      const value = world.value(name);
      if (value === undefined || typeof value === 'string') return [];
      return [typeof value === 'bigint' ? value : bytesToBigint(value)];
    });
  }

  /** Runs `work` unless a step is already running; errors become a line in the narration. */
  private async exclusive(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = '';
    this.onChange();
    try {
      await work();
    } catch (error) {
      this.problem = `✗ ${safeText((error as Error).message)}`;
    } finally {
      this.busy = false;
      this.onChange();
    }
  }

  /** Presses of space while a step runs are kept, so a quick double press runs two steps. */
  private pendingNext = 0;

  async next(): Promise<void> {
    if (this.busy) {
      this.pendingNext++;
      return;
    }
    await this.exclusive(async () => {
      if (!this.run.finished) await this.run.next();
    });
    if (this.pendingNext > 0) {
      this.pendingNext--;
      await this.next();
    }
  }

  back(): Promise<void> {
    this.pendingNext = 0;
    return this.exclusive(async () => {
      if (this.run.done === 0) return;
      await this.run.back();
    });
  }

  /**
   * The perspective of the current step: its own `view:`, else the last one before it, else the
   * first client's. The same going forward and coming back.
   */
  get view(): string {
    for (let i = this.run.done - 1; i >= 0; i--) {
      const view = this.scenario.steps[i]?.view;
      if (view !== undefined) return view;
    }
    return this.scenario.clients[0]?.name ?? 'server';
  }

  close(): Promise<void> {
    return this.run.close();
  }
}

export interface ScenarioLabOptions {
  input?: Readable;
  output?: Writable;
  onView?(view: LabView, lab: ScenarioLab): void;
  /** `--pcap` (the run as it stands, as pcapng) and `--keylog`. */
  recording?: WireRecording;
}

/** `dhlab scenario NAME` on a terminal: the lab, driven by the scenario's steps. */
export async function runScenarioLab(
  scenario: Scenario,
  engineName: string,
  options: ScenarioLabOptions = {},
): Promise<number> {
  const lab = new ScenarioLab(scenario, engineName, options.recording);
  await lab.run.start();
  return new Promise<number>((resolve) => {
    let quitting = false;
    let perspectives = lab.perspectives;
    let shownStep = -1;
    const view = new LabView({
      app: 'dhlab scenario',
      perspectives: perspectives.list,
      typists: [],
      initialPerspective: scenario.clients[0]?.name,
      subtitle: () =>
        `scenario ${scenario.name} · ${lab.run.world?.scenario.server.group ?? scenario.server.group} · seed ${scenario.seed} (INSECURE)`,
      input: options.input,
      output: options.output,
      scenario: {
        heading: () => lab.heading(),
        lines: () => lab.lines(),
        highlights: () => lab.highlights(),
        next: () => void lab.next(),
        back: () => void lab.back(),
      },
      onQuit: () => {
        if (quitting) return;
        quitting = true;
        view.destroy();
        void lab.close().then(() => resolve(0));
      },
    });
    lab.onChange = () => {
      if (lab.perspectives !== perspectives) {
        perspectives = lab.perspectives;
        view.setPerspectives(perspectives.list);
      }
      // A step is a whole state: on arriving at step k (forward or back) the view is the step's
      // perspective, its first connection, the inspector focused, lists following the newest.
      if (!lab.busy && lab.run.done !== shownStep) {
        shownStep = lab.run.done;
        view.showStep(lab.view);
      }
      view.invalidate();
    };
    options.onView?.(view, lab);
  });
}
