import type { Command } from './ui-state.ts';

/**
 * Who has the keys, following focus as mitmproxy's keyctx does: the typing line, the help
 * overlay, an expanded value or frame, or the panes.
 */
export type KeyFocus = 'typing' | 'help' | 'expanded' | 'panes';

/** What the view does for a key: an effect it performs, or a change of the UI state. */
export type KeyEffect =
  | 'quit'
  | 'redraw'
  | 'close-overlay'
  | 'open-help'
  | 'switch-typist'
  | 're-expand'
  | 'start-typing'
  | 'expand'
  | 'step-next'
  | 'step-back'
  | 'state'
  | 'none';

/** A command that still works outside the panes; `keys` limits it to some of its keys. */
interface Passing {
  effect: KeyEffect;
  keys?: readonly string[];
}

/**
 * Outside the panes, only these commands pass; every other key belongs to the typing line or
 * does nothing. Ctrl-C and Ctrl-L work everywhere; while typing, t is a letter but F2 switches
 * the typist; ? and Esc close an overlay; x re-draws an expanded value in the other encoding.
 */
const PASSING: Record<Exclude<KeyFocus, 'panes'>, Partial<Record<Command, Passing>>> = {
  typing: {
    quit: { effect: 'quit', keys: ['C-c'] },
    redraw: { effect: 'redraw' },
    typist: { effect: 'switch-typist', keys: ['f2'] },
  },
  help: {
    quit: { effect: 'quit', keys: ['C-c'] },
    redraw: { effect: 'redraw' },
    close: { effect: 'close-overlay' },
    help: { effect: 'close-overlay' },
  },
  expanded: {
    quit: { effect: 'quit', keys: ['C-c'] },
    redraw: { effect: 'redraw' },
    close: { effect: 'close-overlay' },
    help: { effect: 'close-overlay' },
    encoding: { effect: 're-expand' },
  },
};

/** In the panes, commands that are effects rather than changes of the UI state. */
const PANE_EFFECTS: Partial<Record<Command, KeyEffect>> = {
  quit: 'quit',
  redraw: 'redraw',
  close: 'none',
  help: 'open-help',
  typist: 'switch-typist',
  type: 'start-typing',
  expand: 'expand',
  'step-next': 'step-next',
  'step-back': 'step-back',
};

/** What a key bound to `command` does when `focus` has the keys. */
export function keyEffect(command: Command, key: string, focus: KeyFocus): KeyEffect {
  if (focus === 'panes') return PANE_EFFECTS[command] ?? 'state';
  const passing = PASSING[focus][command];
  if (!passing || (passing.keys && !passing.keys.includes(key))) return 'none';
  return passing.effect;
}
