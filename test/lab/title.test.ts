// The title bar when cut: the view, the group and INSECURE stay; free words go first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { titleLine } from '../../lab/view/panes.ts';
import { Perspective } from '../../lab/model/model.ts';
import { displayWidth } from '../../src/terminal/width.ts';

const alice = new Perspective('alice', 'client');
const words = fc.stringMatching(/^[a-z0-9-]{1,40}$/);

describe('the title bar', () => {
  it('a scenario at any width from 60: view, group and INSECURE shown, never wider than the screen', () => {
    fc.assert(
      fc.property(
        words,
        fc.constantFrom('toy-48', 'modp14', 'textbook23'),
        words,
        fc.integer({ min: 60, max: 220 }),
        (name, group, seed, width) => {
          const line = titleLine(
            alice,
            undefined,
            `scenario ${name} · ${group} · seed ${seed} (INSECURE)`,
            width,
            'dhlab scenario',
          );
          assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
          assert.match(line, /view: alice/);
          assert.ok(line.includes(` ${group} `) || line.includes(` ${group}`), `the group in ${line}`);
          assert.match(line, /INSECURE/);
          assert.ok(line.endsWith('?=help'));
        },
      ),
    );
  });

  it('the live lab with weakenings: who types is kept, the warning shrinks to its word first', () => {
    const subtitle = 'INSECURE: no validation, toy group · toy23 (5-bit) · native';
    assert.equal(
      titleLine(alice, 'alice', subtitle, 140),
      ` dhlab lab · view: alice · typing as: alice · ${subtitle}   ?=help`,
      'all of it when it fits',
    );
    assert.equal(
      titleLine(alice, 'alice', subtitle, 80),
      ' view: alice · typing as: alice · INSECURE · toy23 (5-bit)   ?=help',
    );
  });

  it('a name a file chose goes through the sanitizer before it is measured', () => {
    const line = titleLine(
      alice,
      undefined,
      'scenario \x1b[2Jevil · toy-48 · seed 1 (INSECURE)',
      200,
      'dhlab scenario',
    );
    assert.ok(!line.includes('\x1b'));
    assert.match(line, /scenario \\x1b\[2Jevil · toy-48/);
  });
});
