import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KEYMAP, bindingsFor, boundKeys, commandFor, footer, helpLines } from '../../lab/keys/keymap.ts';
import {
  applyCommand,
  initialUiState,
  isStateCommand,
  stepState,
  type Command,
  type StateCommand,
  type UiContext,
  type UiState,
} from '../../lab/keys/ui-state.ts';
import { displayWidth } from '../../src/terminal/width.ts';

const CONTEXTS = ['lab', 'scenario'] as const;

describe('the keymap: one table for keys, help and footer', () => {
  for (const context of CONTEXTS) {
    it(`${context}: no key runs two commands`, () => {
      const seen = new Map<string, Command>();
      for (const binding of bindingsFor(context))
        for (const key of binding.keys) {
          assert.equal(
            seen.get(key) ?? binding.command,
            binding.command,
            `${key} is bound to ${seen.get(key)} and ${binding.command}`,
          );
          seen.set(key, binding.command);
        }
      assert.deepEqual(new Set(boundKeys(context)), new Set(seen.keys()));
    });

    it(`${context}: the help has one line per binding, with its keys and its words`, () => {
      const lines = helpLines(context);
      assert.equal(lines[0], `dhlab ${context}: keys`);
      for (const binding of bindingsFor(context)) {
        const at = lines.findIndex((l) => l.trimStart().startsWith(`${binding.shown} `));
        assert.ok(at > 0, `help lists ${binding.shown}`);
        // Its words follow, wrapped at 70 columns with the continuation under the first word.
        const column =
          (lines[at] as string).length -
          (lines[at] as string).trimStart().slice(binding.shown.length).trimStart().length;
        let text = (lines[at] as string).slice(column);
        for (let i = at + 1; lines[i]?.startsWith(' '.repeat(column)); i++)
          text += ` ${(lines[i] as string).slice(column)}`;
        assert.equal(text, binding.help);
      }
      const other = context === 'lab' ? 'scenario' : 'lab';
      for (const binding of KEYMAP.filter((b) => b.context === other))
        assert.ok(!lines.join(' ').includes(binding.help), `${binding.help} is not a ${context} key`);
      assert.ok(
        lines.every((l) => displayWidth(l) <= 70),
        'every line fits the overlay at 80 columns',
      );
    });

    it(`${context}: the footer fits every width, ends with "? help" and names only bound keys`, () => {
      for (let width = 10; width <= 220; width++) {
        const line = footer(context, width, 6);
        assert.ok(displayWidth(line) <= Math.max(width, 8), `${width}: ${line}`);
        assert.ok(line.endsWith('  ? help'));
      }
      const wide = footer(context, 220, 6);
      for (const binding of bindingsFor(context).filter((b) => b.footer))
        assert.ok(wide.includes(` ${binding.footer} `), `${binding.footer} in ${wide}`);
      assert.match(wide, / 1-6 view /);
    });
  }

  it('Tab moves between panes everywhere; the arrows differ where the contexts differ, as documented', () => {
    assert.equal(commandFor('tab', 'lab'), 'focus-toggle');
    assert.equal(commandFor('tab', 'scenario'), 'focus-toggle');
    assert.equal(commandFor('t', 'lab'), 'typist');
    assert.equal(commandFor('right', 'scenario'), 'step-next');
    assert.equal(commandFor('right', 'lab'), 'focus-frames');
    assert.equal(commandFor('i', 'scenario'), undefined, 'nobody types in a scenario');
  });

  it('every command has a key', () => {
    const commands = new Set(KEYMAP.map((b) => b.command));
    for (const context of CONTEXTS)
      for (const key of boundKeys(context)) assert.ok(commands.has(commandFor(key, context) as Command));
    assert.equal(commands.size, 23);
  });

  it('the help names whose view each digit shows', () => {
    const lines = helpLines('lab', 100, [], ['alice', 'bob', 'carol', 'server', 'Eve (wiretap)']).join('\n');
    assert.match(lines, /1-5 +whose view: 1 alice · 2 bob · 3 carol · 4 server · 5 Eve \(wiretap\)/);
  });
});

describe('the UI state: commands without a screen', () => {
  const context: UiContext = { perspectives: 5, typists: 3, steps: 12, frames: 40 };

  it('a perspective key switches the view and forgets the cursors; one past the last does nothing', () => {
    let state: UiState = { ...initialUiState(), stepCursor: 3, connection: 2 };
    state = applyCommand(state, 'perspective', context, 4);
    assert.deepEqual([state.perspective, state.connection, state.stepCursor], [3, 0, null]);
    assert.equal(applyCommand(state, 'perspective', context, 6), state);
  });

  it('up from following selects the newest; cursors stay inside the list; End follows again', () => {
    let state = applyCommand(initialUiState(), 'select-up', context);
    assert.equal(state.stepCursor, 11);
    state = applyCommand(state, 'page-up', context);
    state = applyCommand(state, 'page-up', context);
    assert.equal(state.stepCursor, 0);
    state = applyCommand(applyCommand(state, 'focus-frames', context), 'select-down', context);
    assert.deepEqual([state.stepCursor, state.frameCursor], [0, 39]);
    state = applyCommand(state, 'follow', context);
    assert.deepEqual([state.stepCursor, state.frameCursor], [null, null]);
  });

  it('t cycles typists; d, x toggle and come back', () => {
    let state = initialUiState();
    for (let i = 0; i < 3; i++) state = applyCommand(state, 'typist', context);
    assert.equal(state.typist, 0);
    const twice = (command: StateCommand) => applyCommand(applyCommand(state, command, context), command, context);
    assert.equal(applyCommand(state, 'detail', context).detail, 'full');
    assert.equal(twice('detail').detail, 'basic');
    assert.equal(applyCommand(state, 'encoding', context).encoding, 'base64');
    assert.equal(twice('encoding').encoding, 'hex');
  });

  it('a scenario step restores one whole state whatever came before', () => {
    let state = initialUiState();
    for (const command of ['focus-toggle', 'select-up', 'narration-down', 'connection'] as const)
      state = applyCommand(state, command, context);
    assert.deepEqual(stepState(state, 2), {
      ...initialUiState(2),
      detail: state.detail,
      encoding: state.encoding,
      typist: state.typist,
    });
  });

  it('property: any sequence of commands keeps every index inside its list', () => {
    const stateCommands = KEYMAP.map((b) => b.command).filter(isStateCommand);
    fc.assert(
      fc.property(
        fc.record({
          perspectives: fc.integer({ min: 1, max: 9 }),
          typists: fc.integer({ min: 0, max: 4 }),
          steps: fc.integer({ min: 0, max: 30 }),
          frames: fc.integer({ min: 0, max: 100 }),
        }),
        fc.array(fc.tuple(fc.constantFrom(...stateCommands), fc.integer({ min: 1, max: 9 })), { maxLength: 60 }),
        (counts, commands) => {
          let state = initialUiState();
          for (const [command, argument] of commands) state = applyCommand(state, command, counts, argument);
          assert.ok(state.perspective >= 0 && state.perspective < counts.perspectives);
          assert.ok(state.typist === 0 || state.typist < counts.typists);
          if (state.stepCursor !== null) assert.ok(state.stepCursor >= 0 && state.stepCursor < counts.steps);
          if (state.frameCursor !== null) assert.ok(state.frameCursor >= 0 && state.frameCursor < counts.frames);
          assert.ok(state.narrationScroll >= 0);
        },
      ),
    );
  });
});
