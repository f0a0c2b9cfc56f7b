import type { CryptoEngine } from '../../crypto/engine.ts';
import { runAction } from '../actions/run-action.ts';
import { check, type CheckResult } from '../actions/expect.ts';
import type { Scenario, Step } from '../types.ts';
import { ScenarioWorld } from './world.ts';
import type { WireRecording } from './wire-recording.ts';
import { showValue, type FrameRecord, type Moment, type WorldObserver } from './run-record.ts';

export interface StepResult {
  index: number;
  step: Step;
  /** The narration with every {value.name} filled in from this run. */
  narration: string;
  /** What the action did, line by line. */
  lines: string[];
  checks: CheckResult[];
  /** Every frame that crossed a hop during this step. */
  frames: FrameRecord[];
  /** What the frames alone do not show (attacks, refusals, a restart), placed among them. */
  moments: Moment[];
  /** The values the narration names, in full, as they were after this step. */
  values: [string, string][];
  /** Lesson 12: the TCP segments the relay wrote to the server during this step. */
  segments: { client: string; offset: number; size: number; carries: string }[];
}

/** "{alice.y}" -> the value (decimal below 2^64); an unknown name stays visible as "{name?}". */
export function fillNarration(world: ScenarioWorld, text: string): string {
  return text.replace(/\{([A-Za-z0-9_./-]+)\}/g, (_, name: string) => {
    const value = world.value(name);
    return value === undefined ? `{${name}?}` : showValue(value, false, name);
  });
}

/**
 * Narration is prose: lines of a paragraph are joined (the terminal or page wraps them), a blank
 * line separates paragraphs, and an indented line (a worked computation) is kept as it is.
 */
export function reflow(text: string): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(paragraph.join(' '));
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
    } else if (/^\s/.test(line)) {
      flush();
      out.push(line.trimEnd());
    } else paragraph.push(line.trim());
  }
  flush();
  return out.join('\n').trim();
}

/** The value names a narration mentions, for the lab to highlight. */
export function namedValues(text: string): string[] {
  return [...text.matchAll(/\{([A-Za-z0-9_./-]+)\}/g)].map((m) => m[1] as string);
}

/**
 * Steps through a scenario on a real world. Going back rebuilds the world and replays the earlier
 * steps with the same seed: the bytes are the same, because every random draw comes from the seed
 * and every nonce from a counter.
 */
export class ScenarioRun {
  world: ScenarioWorld | null = null;
  results: StepResult[] = [];

  constructor(
    readonly scenario: Scenario,
    private readonly engine: CryptoEngine,
    private readonly makeObserver: () => WorldObserver = () => ({}),
    /** `--pcap` and `--keylog`: every world of the run writes there. */
    private readonly recording: WireRecording = {},
  ) {}

  get done(): number {
    return this.results.length;
  }

  get finished(): boolean {
    return this.done === this.scenario.steps.length;
  }

  async start(): Promise<void> {
    await this.world?.close();
    this.results = [];
    this.world = await ScenarioWorld.start(this.scenario, this.engine, this.makeObserver(), undefined, this.recording);
  }

  /** Runs the next step and checks its expectations. */
  async next(): Promise<StepResult | null> {
    if (!this.world) await this.start();
    const world = this.world as ScenarioWorld;
    const index = this.done;
    const step = this.scenario.steps[index];
    if (!step) return null;
    const framesBefore = world.frames.length;
    const momentsBefore = world.moments.length;
    const segmentsBefore = world.segments.length;
    let lines: string[];
    if (step.action.kind === 'restart') {
      // A new server (and a new Eve and Mallory in front of it); what was recorded stays.
      const spec = step.action.server;
      // The old server's last frames are its sealed goodbyes (PROTOCOL s.6): the ladder says so first.
      if ([...world.clients.values()].some((c) => !c.closed))
        world.note('server', 'the old server stops - a sealed bye (ERR_SERVER_SHUTDOWN) to each member');
      await world.close();
      this.world = await ScenarioWorld.start(
        { ...this.scenario, server: spec },
        this.engine,
        this.makeObserver(),
        world,
        this.recording,
      );
      const weak = [
        spec.validation ? '' : 'public-value validation OFF',
        spec.exponent !== undefined ? `fixed exponent ${spec.exponent}` : '',
        spec.exponentBits ? `${spec.exponentBits}-bit exponents` : '',
        spec.cbc ? 'AES-CBC without a MAC' : '',
      ].filter(Boolean);
      lines = [`a new server starts: group ${spec.group}${weak.map((w) => `, ${w}`).join('')}`];
      this.world.note('server', lines[0] as string);
    } else lines = await runAction(world, step.action);
    const now = this.world as ScenarioWorld;
    const values = namedValues(step.narration).map((name): [string, string] => {
      const value = now.value(name);
      return [name, value === undefined ? '(not known at this step)' : showValue(value, true, name)];
    });
    const result: StepResult = {
      index,
      step,
      narration: reflow(fillNarration(now, step.narration)),
      lines,
      checks: step.expect.map((e) => check(now, e)),
      frames: now.frames.slice(framesBefore),
      moments: now.moments.slice(momentsBefore).map((m) => ({ ...m, afterFrames: m.afterFrames - framesBefore })),
      values: values.filter(([name], i) => values.findIndex(([n]) => n === name) === i),
      segments: now.segments
        .slice(now === world ? segmentsBefore : 0)
        .map((s) => ({ client: s.client, offset: s.offset, size: s.bytes.length, carries: s.carries })),
    };
    this.results.push(result);
    return result;
  }

  /** Back one step: a fresh world, replayed to the step before the current one. */
  async back(): Promise<void> {
    const target = Math.max(0, this.done - 1);
    // The replay runs on new connections: the capture starts again rather than hold both.
    await this.close();
    await this.recording.capture?.restart();
    await this.start();
    while (this.done < target) await this.next();
  }

  async close(): Promise<void> {
    await this.world?.close();
    this.world = null;
  }
}

/** The first failed expectation, as "file:line step N "title": what (found)". */
export function firstFailure(scenario: Scenario, results: StepResult[]): string | null {
  for (const result of results) {
    const failed = result.checks.find((c) => !c.ok);
    if (failed)
      return `${scenario.file}:${result.step.line}: step ${result.index + 1} "${result.step.title}": expected ${failed.what}${failed.found ? ` (${failed.found})` : ''}`;
  }
  return null;
}

export type { RunCapture, WireRecording } from './wire-recording.ts';
