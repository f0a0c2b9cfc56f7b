import { wrapLine } from '../../src/terminal/narrate.ts';
import { displayWidth } from '../../src/terminal/width.ts';
import type { Command } from './ui-state.ts';

/** Where a binding applies: the live lab (and `eve`, `inspect`), a step-through scenario, or both. */
export type KeyContext = 'lab' | 'scenario' | 'all';

/**
 * One key binding (mitmproxy's console keymap: key, context, command, help). The help overlay,
 * the footer and blessed's bindings are all generated from this table, so they cannot disagree.
 */
export interface KeyBinding {
  /** blessed's key names. */
  keys: readonly string[];
  /** How the keys are written for people ("space, →, n"). */
  shown: string;
  context: KeyContext;
  command: Command;
  /** One line in the help overlay. */
  help: string;
  /** Short words for the footer; bindings without one only appear in the help. Order = priority. */
  footer?: string;
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** In the order the help lists them; the footer takes them in its own order (FOOTER_ORDER). */
export const KEYMAP: readonly KeyBinding[] = [
  {
    keys: ['space', 'right', 'n'],
    shown: 'space, →, n',
    context: 'scenario',
    command: 'step-next',
    help: 'run the next step',
    footer: 'next step',
  },
  {
    keys: ['left', 'p', 'backspace'],
    shown: '←, p, Backspace',
    context: 'scenario',
    command: 'step-back',
    help: 'back one step (replayed: the same bytes)',
    footer: 'back',
  },
  { keys: [']'], shown: ']', context: 'scenario', command: 'narration-down', help: 'scroll the narration down' },
  { keys: ['['], shown: '[', context: 'scenario', command: 'narration-up', help: 'scroll the narration up' },
  {
    keys: DIGITS,
    shown: '1 2 3 ...',
    context: 'all',
    command: 'perspective',
    help: 'switch perspective (whose view: a client, the server, Eve, Mallory)',
    footer: 'view',
  },
  {
    keys: ['i'],
    shown: 'i',
    context: 'lab',
    command: 'type',
    help: 'type a message (Enter sends it, Esc cancels)',
    footer: 'type',
  },
  {
    keys: ['t', 'f2'],
    shown: 't, F2',
    context: 'lab',
    command: 'typist',
    help: 'switch who is typing (separate from whose view is shown)',
    footer: 'typist',
  },
  // Tab moves between the panes wherever the lab runs; the arrows differ (panes live, steps in a scenario).
  {
    keys: ['tab'],
    shown: 'Tab',
    context: 'all',
    command: 'focus-toggle',
    help: 'focus the inspector or the frames pane',
    footer: 'pane',
  },
  {
    keys: ['left', 'h'],
    shown: '←, h',
    context: 'lab',
    command: 'focus-inspector',
    help: 'focus the inspector (handshake steps)',
  },
  { keys: ['right', 'l'], shown: '→, l', context: 'lab', command: 'focus-frames', help: 'focus the frames pane' },
  {
    keys: ['up', 'k'],
    shown: '↑, k',
    context: 'all',
    command: 'select-up',
    help: 'select the previous handshake step or frame',
    footer: 'select',
  },
  {
    keys: ['down', 'j'],
    shown: '↓, j',
    context: 'all',
    command: 'select-down',
    help: 'select the next handshake step or frame',
  },
  { keys: ['pageup'], shown: 'PgUp', context: 'all', command: 'page-up', help: 'ten steps or frames up' },
  { keys: ['pagedown'], shown: 'PgDn', context: 'all', command: 'page-down', help: 'ten steps or frames down' },
  { keys: ['end'], shown: 'End', context: 'all', command: 'follow', help: 'follow the newest (no selection)' },
  {
    keys: ['enter'],
    shown: 'Enter',
    context: 'all',
    command: 'expand',
    help: 'show the selected value or frame in full (s saves it to a file)',
    footer: 'expand',
  },
  {
    keys: ['c'],
    shown: 'c',
    context: 'all',
    command: 'connection',
    help: 'next connection (server, Eve and Mallory have one ladder per client)',
    footer: 'connection',
  },
  {
    keys: ['d'],
    shown: 'd',
    context: 'all',
    command: 'detail',
    help: 'basic detail (p, g, x, y, Z, K, plaintext, ciphertext) or full (adds q, H, the HKDF keys, tag, nonce, AAD, signature)',
    footer: 'detail',
  },
  {
    keys: ['x'],
    shown: 'x',
    context: 'all',
    command: 'encoding',
    help: 'show bytes as hex or base64',
    footer: 'hex/b64',
  },
  { keys: ['?'], shown: '?', context: 'all', command: 'help', help: 'this help (? or Esc closes it)' },
  { keys: ['escape'], shown: 'Esc', context: 'all', command: 'close', help: 'close the help or an expanded value' },
  { keys: ['C-l'], shown: 'Ctrl-L', context: 'all', command: 'redraw', help: 'redraw the whole screen' },
  { keys: ['q', 'C-c'], shown: 'q, Ctrl-C', context: 'all', command: 'quit', help: 'quit', footer: 'quit' },
];

/** The footer's priority per context: as many as fit are shown, then "? help". */
const FOOTER_ORDER: Record<'lab' | 'scenario', readonly Command[]> = {
  lab: [
    'perspective',
    'type',
    'typist',
    'quit',
    'detail',
    'focus-toggle',
    'select-up',
    'expand',
    'connection',
    'encoding',
  ],
  scenario: [
    'step-next',
    'step-back',
    'perspective',
    'quit',
    'focus-toggle',
    'detail',
    'select-up',
    'expand',
    'connection',
    'encoding',
  ],
};

/** The bindings of one context, in help order, less the commands this lab does not offer. */
export function bindingsFor(context: 'lab' | 'scenario', without: readonly Command[] = []): KeyBinding[] {
  return KEYMAP.filter(
    (binding) => (binding.context === 'all' || binding.context === context) && !without.includes(binding.command),
  );
}

/** The footer's short key names: "1-5" rather than "1 2 3 ...", arrows rather than words. */
function footerKeys(binding: KeyBinding, perspectives: number): string {
  switch (binding.command) {
    case 'perspective':
      return perspectives > 1 ? `1-${Math.min(9, perspectives)}` : '1';
    case 'step-next':
      return 'space/→';
    case 'step-back':
      return '←';
    case 'focus-inspector':
      return '←/→';
    case 'select-up':
      return '↑/↓';
    case 'quit':
      return 'q';
    case 'typist':
      return 't';
    default:
      return binding.shown;
  }
}

/** The footer at this width: keys by priority while they fit, then "? help" (what is cut is one ? away). */
export function footer(
  context: 'lab' | 'scenario',
  width: number,
  perspectives = 5,
  without: readonly Command[] = [],
): string {
  const help = '  ? help';
  let line = '';
  for (const command of FOOTER_ORDER[context]) {
    const binding = bindingsFor(context, without).find((b) => b.command === command);
    if (!binding?.footer) continue;
    const item = ` ${footerKeys(binding, perspectives)} ${binding.footer} `;
    if (displayWidth(line + item + help) > width) break;
    line += item;
  }
  return `${line}${help}`;
}

const HELP_NOTES: Record<'lab' | 'scenario', string[]> = {
  lab: [
    'Colours: public values / secrets known to this side only / bytes on the wire / errors.',
    "Eve's view is built only from what a wiretap sees: she never has a key or a plaintext.",
  ],
  scenario: [
    '★ marks the handshake values the narration names. Values below 2^64 are shown in decimal.',
    "The run's randomness comes from a seed: reproducible, and therefore INSECURE.",
  ],
};

/** The help overlay's lines, generated from the keymap: one binding per entry, its words wrapped beside its keys. */
export function helpLines(
  context: 'lab' | 'scenario',
  width = 70,
  without: readonly Command[] = [],
  perspectives: readonly string[] = [],
): string[] {
  // The digits say whose view each one is: "1 alice · 2 bob · ... · 5 Eve".
  const views = perspectives.slice(0, DIGITS.length).map((name, i) => `${i + 1} ${name}`);
  const bindings = bindingsFor(context, without).map((b) =>
    b.command === 'perspective' && views.length > 0
      ? { ...b, shown: views.length > 1 ? `1-${views.length}` : '1', help: `whose view: ${views.join(' · ')}` }
      : b,
  );
  const column = 2 + Math.max(...bindings.map((b) => displayWidth(b.shown))) + 3;
  const rows = bindings.flatMap((b) =>
    wrapLine(b.help, Math.max(20, width - column), '').map(
      (words, i) =>
        (i === 0 ? `  ${b.shown}${' '.repeat(column - 2 - displayWidth(b.shown))}` : ' '.repeat(column)) + words,
    ),
  );
  const notes = HELP_NOTES[context].flatMap((note) => wrapLine(note, width, ''));
  return [`dhlab ${context}: keys`, '', ...rows, '', ...notes];
}

/** The command a blessed key name runs in this context, if any. */
export function commandFor(key: string, context: 'lab' | 'scenario'): Command | undefined {
  return bindingsFor(context).find((b) => b.keys.includes(key))?.command;
}

/** Every blessed key name bound in this context (each bound once). */
export function boundKeys(context: 'lab' | 'scenario'): string[] {
  return [...new Set(bindingsFor(context).flatMap((b) => b.keys))];
}
