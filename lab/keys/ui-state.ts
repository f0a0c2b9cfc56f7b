import type { Detail } from '../model/ladder.ts';
import type { Encoding } from '../model/values.ts';

export type Pane = 'inspector' | 'frames';

/** Every command a key can run (lab/keys/keymap.ts binds keys to them). */
export type Command =
  | 'step-next'
  | 'step-back'
  | 'narration-down'
  | 'narration-up'
  | 'perspective'
  | 'type'
  | 'typist'
  | 'focus-toggle'
  | 'focus-inspector'
  | 'focus-frames'
  | 'select-up'
  | 'select-down'
  | 'page-up'
  | 'page-down'
  | 'follow'
  | 'expand'
  | 'connection'
  | 'detail'
  | 'encoding'
  | 'help'
  | 'close'
  | 'redraw'
  | 'quit';

/**
 * What the lab shows, as a plain object: commands change it, blessed only draws it, and tests
 * drive it without a screen. Cursors are null while following the newest step or frame.
 */
export interface UiState {
  perspective: number;
  typist: number;
  connection: number;
  detail: Detail;
  encoding: Encoding;
  focus: Pane;
  stepCursor: number | null;
  frameCursor: number | null;
  narrationScroll: number;
}

export function initialUiState(perspective = 0): UiState {
  return {
    perspective,
    typist: 0,
    connection: 0,
    detail: 'basic',
    encoding: 'hex',
    focus: 'inspector',
    stepCursor: null,
    frameCursor: null,
    narrationScroll: 0,
  };
}

/** What a command needs to know about the model (counts only: the state holds indices). */
export interface UiContext {
  perspectives: number;
  typists: number;
  /** Visible steps of the ladder shown, at the state's detail. */
  steps: number;
  frames: number;
}

/** Commands that change the state alone; the others (type, expand, help, steps, quit) are effects. */
const STATE_COMMANDS = [
  'narration-down',
  'narration-up',
  'perspective',
  'typist',
  'focus-toggle',
  'focus-inspector',
  'focus-frames',
  'select-up',
  'select-down',
  'page-up',
  'page-down',
  'follow',
  'connection',
  'detail',
  'encoding',
] as const satisfies readonly Command[];

export type StateCommand = (typeof STATE_COMMANDS)[number];

export function isStateCommand(command: Command): command is StateCommand {
  return (STATE_COMMANDS as readonly Command[]).includes(command);
}

/** Moves the cursor of the focused pane; from "following" the first move selects the newest. */
function move(state: UiState, by: number, context: UiContext): UiState {
  const count = state.focus === 'inspector' ? context.steps : context.frames;
  if (count === 0) return state;
  const from = (state.focus === 'inspector' ? state.stepCursor : state.frameCursor) ?? count;
  const to = Math.min(count - 1, Math.max(0, from + by));
  return state.focus === 'inspector' ? { ...state, stepCursor: to } : { ...state, frameCursor: to };
}

type Transition = (state: UiState, context: UiContext, argument?: number) => UiState;

/** What each command does to the state, as a table (mitmproxy's commands are data too). */
const TRANSITIONS: Record<StateCommand, Transition> = {
  perspective(state, context, argument) {
    const index = (argument ?? 1) - 1;
    if (index < 0 || index >= context.perspectives) return state;
    return { ...state, perspective: index, connection: 0, stepCursor: null, frameCursor: null };
  },
  typist: (state, context) =>
    context.typists === 0 ? state : { ...state, typist: (state.typist + 1) % context.typists },
  'focus-toggle': (state) => ({ ...state, focus: state.focus === 'inspector' ? 'frames' : 'inspector' }),
  'focus-inspector': (state) => ({ ...state, focus: 'inspector' }),
  'focus-frames': (state) => ({ ...state, focus: 'frames' }),
  'select-up': (state, context) => move(state, -1, context),
  'select-down': (state, context) => move(state, 1, context),
  'page-up': (state, context) => move(state, -10, context),
  'page-down': (state, context) => move(state, 10, context),
  follow: (state) => ({ ...state, stepCursor: null, frameCursor: null }),
  connection: (state) => ({ ...state, connection: state.connection + 1, stepCursor: null }),
  // The cursor indexes visible steps, which differ between details: follow again.
  detail: (state) => ({ ...state, detail: state.detail === 'basic' ? 'full' : 'basic', stepCursor: null }),
  encoding: (state) => ({ ...state, encoding: state.encoding === 'hex' ? 'base64' : 'hex' }),
  'narration-down': (state) => ({ ...state, narrationScroll: state.narrationScroll + 5 }),
  'narration-up': (state) => ({ ...state, narrationScroll: Math.max(0, state.narrationScroll - 5) }),
};

/**
 * The state after a command. `argument` is the perspective number (1-9) for 'perspective'.
 * Pure: same state, command and context, same result.
 */
export function applyCommand(state: UiState, command: StateCommand, context: UiContext, argument?: number): UiState {
  return TRANSITIONS[command](state, context, argument);
}

/** A scenario step's state: its perspective, the first connection, the inspector, no cursor, top of its narration. */
export function stepState(state: UiState, perspective: number): UiState {
  return {
    ...state,
    perspective,
    connection: 0,
    stepCursor: null,
    frameCursor: null,
    focus: 'inspector',
    narrationScroll: 0,
  };
}
