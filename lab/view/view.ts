import type { Readable, Writable } from 'node:stream';
import blessed from 'blessed';
import { palette, type Palette } from '../../src/terminal/colors.ts';
import { expansion } from './detail.ts';
import { savedNotice, saveToNewFile } from './save-file.ts';
import { homeRelative, savedValuesDir } from '../../src/config-dir.ts';
import { chatPane, framesPane, ladderPane, ladderShown, narrationPane, titleLine } from './panes.ts';
import { boundKeys, commandFor, footer, helpLines } from '../keys/keymap.ts';
import type { LadderStep } from '../model/ladder.ts';
import type { Perspective } from '../model/model.ts';
import { renderOptionsFor, visibleSteps } from './render.ts';
import { inputHint, statusLine } from './status.ts';
import { cellSafeElement, fill } from './widgets.ts';
import { TypingLine } from './typing-line.ts';
import { openOverlay } from './overlay.ts';
import { layout, placePanes } from './layout.ts';
import { keyEffect, type KeyFocus } from '../keys/key-focus.ts';
import {
  applyCommand,
  initialUiState,
  isStateCommand,
  stepState,
  type Command,
  type UiState,
} from '../keys/ui-state.ts';
import type { LabViewOptions } from './view-options.ts';

export type { LabViewOptions, ScenarioControls } from './view-options.ts';

/** What blessed says of a key, as far as the typing line reads it. */
type KeyInfo = { name?: string; ctrl?: boolean };

/**
 * The lab screen: a layout plus small adapters that render the model (mitmproxy-style list and
 * detail views, gtop-style layout). It never computes a protocol value: it shows perspectives.
 */
export class LabView {
  readonly screen: blessed.Widgets.Screen;
  private readonly title: blessed.Widgets.BoxElement;
  private readonly inspector: blessed.Widgets.BoxElement;
  private readonly framesBox: blessed.Widgets.BoxElement;
  private readonly chat: blessed.Widgets.BoxElement;
  private readonly narration: blessed.Widgets.BoxElement | null = null;
  private narrationHeading = '';
  private readonly input: blessed.Widgets.BoxElement;
  private readonly status: blessed.Widgets.BoxElement;
  private readonly helpBar: blessed.Widgets.BoxElement;
  private overlay: blessed.Widgets.BoxElement | null = null;
  /** The overlay shows a value or a frame (not the help): x re-draws it. */
  private expanded = false;
  private readonly colors: Palette;

  /** Everything the keys change, as a plain object (lab/keys/ui-state.ts); blessed only draws it. */
  private state: UiState;
  private typing = false;
  private readonly line = new TypingLine();
  // The key being handled arrived while the typing line was open: it is text, not a command.
  private keyTyped = false;
  private notice = '';
  private closed = '';
  // keysHandled when the notice appeared, and whether an overlay was open as the last key came.
  private noticeSince = 0;
  private overlayBeforeKey = false;
  private renderTimer: NodeJS.Timeout | null = null;
  private lastRender = 0;
  private renderedVersion = -1;
  /** A key changed what is shown (view, detail, cursor) without the model moving. */
  private dirtyUi = false;
  /** Keys the screen has finished handling: tests wait on this instead of sleeping. */
  keysHandled = 0;

  constructor(private readonly options: LabViewOptions) {
    this.colors = options.colors ?? palette();
    const index = options.perspectives.findIndex((p) => p.name === options.initialPerspective);
    this.state = initialUiState(Math.max(0, index));
    // Without this, blessed draws box borders as "lqqk" on terminals whose terminfo it misreads.
    process.env.NCURSES_NO_UTF8_ACS ??= '1';
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      warnings: false,
      title: options.app ?? 'dhlab lab',
      // @types/blessed has these two the wrong way round.
      input: options.input as unknown as Writable | undefined,
      output: options.output as unknown as Readable | undefined,
      terminal: options.output ? 'xterm-256color' : undefined,
      autoPadding: false,
    });
    // Peer text reaches these boxes already escaped by safeText; tags stay off so "{bold}" is text.
    const box = (opts: blessed.Widgets.BoxOptions) =>
      cellSafeElement(blessed.box({ parent: this.screen, tags: false, wrap: false, ...opts }));
    this.title = box({ top: 0, left: 0, width: '100%', height: 1, style: { inverse: true } });
    const places = layout((this.screen.height as number) || 24, options.scenario !== undefined);
    this.inspector = box({ ...places.inspector, border: 'line', label: ' handshake ' });
    this.framesBox = box({ ...places.frames, border: 'line', label: ' frames ' });
    this.chat = box({ ...places.chat, border: 'line', label: ' chat ' });
    if (places.narration) this.narration = box({ ...places.narration, border: 'line', label: ' scenario ' });
    this.input = box({ bottom: 2, left: 0, width: '100%', height: 1 });
    this.status = box({ bottom: 1, left: 0, width: '100%', height: 1 });
    this.helpBar = box({ bottom: 0, left: 0, width: '100%', height: 1, style: { inverse: true } });
    this.bindKeys();
    // Registered after bindKeys (which makes blessed listen), so it runs once a key's handlers have.
    // Before the bindings: a key pressed while typing belongs to the typing line.
    this.screen.program.prependListener('keypress', (ch: string | undefined, key: KeyInfo = {}) =>
      this.beforeKey(ch, key),
    );
    this.screen.program.on('keypress', () => this.afterKey());
    const panes = { inspector: this.inspector, frames: this.framesBox, chat: this.chat, narration: this.narration };
    const rows = () => (this.screen.height as number) || 24;
    this.screen.on('resize', () => (placePanes(panes, rows(), options.scenario !== undefined), this.render(true)));
    this.render(true);
  }

  get perspective(): Perspective {
    return this.options.perspectives[this.state.perspective] as Perspective;
  }

  /** A replayed scenario brings new perspectives; the same one stays in view. */
  setPerspectives(perspectives: Perspective[]): void {
    const shown = this.perspective.name;
    this.options.perspectives = perspectives;
    this.state = {
      ...this.state,
      perspective: Math.max(
        0,
        perspectives.findIndex((p) => p.name === shown),
      ),
      stepCursor: null,
      frameCursor: null,
    };
    this.touch();
  }

  /** A scenario step's state: its perspective, the first connection, the inspector, no cursor. */
  showStep(perspective: string): void {
    this.state = stepState(
      this.state,
      Math.max(
        0,
        this.options.perspectives.findIndex((p) => p.name === perspective),
      ),
    );
    this.touch();
  }

  /** The UI state (a copy): what tests assert on without reading the screen. */
  get uiState(): Readonly<UiState> {
    return { ...this.state };
  }

  private get viewNames(): string[] {
    return this.options.perspectives.map((p) => (p.kind === 'eve' ? 'Eve (wiretap)' : p.name));
  }

  get typist(): string | undefined {
    return this.options.typists[this.state.typist];
  }

  /** Ask for a redraw; at most ~30 a second however fast the model changes. */
  invalidate(): void {
    if (this.renderTimer) return;
    const wait = Math.max(0, 33 - (performance.now() - this.lastRender));
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, wait);
  }

  destroy(): void {
    if (this.renderTimer) clearTimeout(this.renderTimer);
    this.screen.destroy();
  }

  /** The ladder shown: a client's only one; for server and Eve, the chosen connection's. */
  private currentLadder(): { connection: string; steps: LadderStep[] } {
    const wanted =
      this.options.preferredConnection?.() ?? (this.perspective.kind === 'server' && this.typist ? [this.typist] : []);
    return ladderShown(this.perspective, this.state.connection, wanted);
  }

  render(force = false): void {
    const perspective = this.perspective;
    if (!force && perspective.version === this.renderedVersion && !this.dirtyUi && !this.options.scenario) return;
    this.dirtyUi = false;
    this.renderedVersion = perspective.version;
    this.lastRender = performance.now();
    const options = renderOptionsFor(this.colors, this.state, this.options.scenario?.highlights());
    const width = (this.screen.width as number) || 80;
    const paneWidth = (el: blessed.Widgets.BoxElement) => Math.max(10, (el.width as number) - 2);
    const paneHeight = (el: blessed.Widgets.BoxElement) => Math.max(1, (el.height as number) - 2);

    const subtitle = typeof this.options.subtitle === 'string' ? this.options.subtitle : this.options.subtitle();
    this.title.setContent(titleLine(perspective, this.typist, subtitle, width, this.options.app));
    const pane = { perspective, state: this.state, options, colors: this.colors };
    const { connection, steps } = this.currentLadder();
    const ladder = ladderPane(pane, connection, steps, paneWidth(this.inspector), paneHeight(this.inspector));
    fill(this.inspector, ladder);
    const frames = framesPane(pane, paneWidth(this.framesBox), paneHeight(this.framesBox));
    fill(this.framesBox, frames);
    const chat = chatPane(pane, paneWidth(this.chat), paneHeight(this.chat));
    fill(this.chat, chat);

    const scenario = this.options.scenario;
    if (scenario && this.narration) {
      const heading = scenario.heading();
      if (heading !== this.narrationHeading) this.state.narrationScroll = 0; // a new step starts at its top
      this.narrationHeading = heading;
      const narration = narrationPane(
        pane,
        heading,
        scenario.lines(),
        paneWidth(this.narration),
        paneHeight(this.narration),
      );
      this.state.narrationScroll = narration.scroll;
      fill(this.narration, narration);
    }
    this.input.setContent(this.typing ? this.line.render(width) : inputHint(scenario, this.typist, this.closed));
    this.status.setContent(statusLine(this.state, this.notice, width, this.colors));
    this.helpBar.setContent(footer(this.context, width, this.options.perspectives.length, this.withoutCommands));
    this.screen.render();
  }

  private touch(): void {
    this.dirtyUi = true;
    this.render();
  }

  /** What this lab does not offer: no going back in a grading, no typing without a client. */
  private get withoutCommands(): Command[] {
    const typists = this.options.typists.length;
    return [
      ...(this.options.scenario && !this.options.scenario.back ? (['step-back'] as const) : []),
      ...(typists === 0 ? (['type', 'typist'] as const) : typists === 1 ? (['typist'] as const) : []),
    ];
  }

  /** The connection ended: nobody types any more, and the line under the chat says why. */
  connectionClosed(why: string): void {
    this.options.typists = [];
    this.closed = why;
    this.touch();
  }

  private get context(): 'lab' | 'scenario' {
    return this.options.scenario ? 'scenario' : 'lab';
  }

  /** Binds every key of the keymap (lab/keys/keymap.ts) for this context to its command. */
  private bindKeys(): void {
    for (const key of boundKeys(this.context)) {
      const command = commandFor(key, this.context) as Command;
      this.screen.key([key], (ch: string) => this.run(command, key, ch));
    }
  }

  /** What the counts of the model are right now, for the state's commands. */
  private uiContext() {
    return {
      perspectives: this.options.perspectives.length,
      typists: this.options.typists.length,
      steps: visibleSteps(this.currentLadder().steps, this.state.detail).length,
      frames: this.perspective.frames.length,
    };
  }

  /** Who has the keys as this one arrived (lab/keys/key-focus.ts says what passes where). */
  private get keyFocus(): KeyFocus {
    if (this.keyTyped) return 'typing';
    if (this.overlay) return this.expanded ? 'expanded' : 'help';
    return 'panes';
  }

  private run(command: Command, key: string, ch: string): void {
    switch (keyEffect(command, key, this.keyFocus)) {
      case 'none':
        return;
      case 'quit':
        return this.options.onQuit();
      case 'redraw':
        return this.redrawAll();
      case 'close-overlay':
        return this.closeOverlay();
      case 'open-help':
        return this.openHelp();
      case 'switch-typist':
        if (this.options.typists.length === 0) return;
        this.state = applyCommand(this.state, 'typist', this.uiContext());
        break;
      case 're-expand':
        this.state = applyCommand(this.state, 'encoding', this.uiContext());
        return this.expand();
      case 'start-typing':
        return this.startTyping();
      case 'expand':
        return this.expand();
      case 'step-next':
        this.options.scenario?.next();
        break;
      case 'step-back':
        this.options.scenario?.back?.();
        break;
      case 'state':
        if (isStateCommand(command)) this.state = applyCommand(this.state, command, this.uiContext(), Number(ch));
    }
    this.touch();
  }

  private openHelp(): void {
    // The overlay is 90% wide, less its border and a column for the scroll.
    const width = Math.floor(((this.screen.width as number) || 80) * 0.9) - 3;
    this.showOverlay(' help ', helpLines(this.context, width, this.withoutCommands, this.viewNames), undefined, false);
  }

  private afterKey(): void {
    this.keysHandled++;
    // The key that made the notice, and Esc closing the overlay it was made in, leave it showing.
    if (this.notice !== '' && this.keysHandled > this.noticeSince + 1 && !this.overlayBeforeKey) {
      this.notice = '';
      this.touch();
    }
  }

  /** Forgets what blessed believes is on the terminal and draws every cell again. */
  redrawAll(): void {
    this.screen.realloc();
    this.render(true);
  }

  private startTyping(): void {
    if (!this.typist || !this.options.send) return;
    this.typing = true;
    this.line.start();
    this.touch();
  }

  /** Runs before the key bindings: the typing line takes the key if it was open when it came. */
  private beforeKey(ch: string | undefined, key: KeyInfo): void {
    this.overlayBeforeKey = this.overlay !== null;
    this.keyTyped = this.typing;
    if (!this.typing) return;
    const outcome = this.line.key(ch, key.name, key.ctrl === true);
    if (outcome.kind === 'send' || outcome.kind === 'cancel') this.typing = false;
    // One message per i: Enter sends and gives the keys back to the lab.
    const problem = outcome.kind === 'send' && this.typist ? this.options.send?.(this.typist, outcome.text) : null;
    if (problem) this.setNotice(this.colors.error(problem));
    if (outcome.kind !== 'ignored') this.touch();
  }

  private expand(): void {
    const { focus, stepCursor, frameCursor, encoding } = this.state;
    const steps = visibleSteps(this.currentLadder().steps, this.state.detail);
    const cursor = focus === 'inspector' ? stepCursor : frameCursor;
    const shown = expansion(focus, cursor, steps, this.perspective.frames, encoding);
    if (!shown) return;
    const { save } = shown;
    this.showOverlay(shown.label, shown.lines, save && (() => this.save(save.label, save.text)));
  }

  private save(label: string, text: string): void {
    const dir = this.options.saveDir;
    const saved = saveToNewFile(dir ?? savedValuesDir(), label, text, dir === undefined);
    this.setNotice(savedNotice(saved, this.colors));
  }

  /** A line on the status bar until the next key pressed outside an overlay. */
  private setNotice(text: string): void {
    this.notice = text;
    this.noticeSince = this.keysHandled;
    this.render(true);
  }

  private showOverlay(label: string, lines: string[], onSave?: () => void, expanded = true): void {
    this.closeOverlay();
    this.expanded = expanded;
    const saveTo = onSave && homeRelative(this.options.saveDir ?? savedValuesDir());
    this.overlay = openOverlay(this.screen, label, lines, saveTo);
    if (onSave) this.overlay.key(['s'], onSave);
    this.overlay.focus();
    this.touch();
  }

  private closeOverlay(): void {
    if (!this.overlay) return;
    this.expanded = false;
    this.overlay.destroy();
    this.overlay = null;
    this.touch();
  }
}
