import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEYMAP } from '../../lab/keys/keymap.ts';
import { keyEffect, type KeyFocus } from '../../lab/keys/key-focus.ts';
import { isStateCommand } from '../../lab/keys/ui-state.ts';

/** Every (command, key) pair the keymap binds. */
const PAIRS = KEYMAP.flatMap((binding) => binding.keys.map((key) => ({ command: binding.command, key })));

function effects(focus: KeyFocus): Map<string, string> {
  const done = new Map<string, string>();
  for (const { command, key } of PAIRS) {
    const effect = keyEffect(command, key, focus);
    if (effect !== 'none') done.set(key, effect);
  }
  return done;
}

describe('key focus: who has the keys decides what a key does', () => {
  it('while typing, only Ctrl-C, Ctrl-L and F2 act: every other key is text', () => {
    assert.deepEqual(
      effects('typing'),
      new Map([
        ['C-l', 'redraw'],
        ['f2', 'switch-typist'],
        ['C-c', 'quit'],
      ]),
    );
  });

  it('in the help, ? and Esc close it; q is not quit there, Ctrl-C is', () => {
    assert.deepEqual(
      effects('help'),
      new Map([
        ['?', 'close-overlay'],
        ['escape', 'close-overlay'],
        ['C-l', 'redraw'],
        ['C-c', 'quit'],
      ]),
    );
  });

  it('in an expanded value, x also re-draws it in the other encoding', () => {
    const expanded = effects('expanded');
    assert.equal(expanded.get('x'), 're-expand');
    assert.equal(expanded.size, effects('help').size + 1);
  });

  it('in the panes every bound key acts; state commands change the state, the rest are effects', () => {
    for (const { command, key } of PAIRS) {
      const effect = keyEffect(command, key, 'panes');
      if (command === 'close') assert.equal(effect, 'none', 'Esc with nothing open does nothing');
      else if (isStateCommand(command) && command !== 'typist') assert.equal(effect, 'state', `${key}: ${command}`);
      else assert.notEqual(effect, 'state', `${key}: ${command} is an effect`);
    }
    assert.equal(keyEffect('quit', 'q', 'panes'), 'quit');
    assert.equal(keyEffect('typist', 't', 'panes'), 'switch-typist');
  });
});
