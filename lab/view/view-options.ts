import type { Readable, Writable } from 'node:stream';
import type { Palette } from '../../src/terminal/colors.ts';
import type { Perspective } from '../model/model.ts';

export interface LabViewOptions {
  /** The command, in the title bar and the window title: "dhlab inspect" (default "dhlab lab"). */
  app?: string;
  perspectives: Perspective[];
  /** Who can type (client names); empty for a view-only lab such as `dhlab eve`. */
  typists: string[];
  initialPerspective?: string;
  /** Shown in the title bar: "modp14 (2048-bit) · native" (a function when it can change). */
  subtitle: string | (() => string);
  send?(typist: string, text: string): string | null;
  onQuit(): void;
  /** Headless tests pass streams; the terminal otherwise. */
  input?: Readable;
  output?: Writable;
  colors?: Palette;
  /** Where "save value" writes (default: dhlab's own folder, savedValuesDir(), made on first use). */
  saveDir?: string;
  /** A step-through scenario drives the lab: a narration pane, space/→ next, ← back. */
  scenario?: ScenarioControls;
  /**
   * Names of the connection whose ladder to show until c picks another (a grading: the current
   * case's student, as each perspective names it); a name also matches a label it begins.
   */
  preferredConnection?(): readonly string[];
}

/** What the lab needs from a scenario run (lab/apps/scenario.ts). */
export interface ScenarioControls {
  /** "step 3/9: title" */
  heading(): string;
  /** The narration of the current step and what it did, already safe for the terminal. */
  lines(): string[];
  /** Values the narration names: ladder steps holding one of them are highlighted. */
  highlights(): bigint[];
  next(): void;
  /** Absent where there is no going back (a grading runs forward): ← is then not offered (and does nothing). */
  back?(): void;
}
