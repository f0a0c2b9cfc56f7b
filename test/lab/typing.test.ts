// The lab's typing line: a prompt and its keys, peer-safe display, every letter is text.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import type { LabView } from '../../lab/view/view.ts';
import { TypingLine } from '../../lab/view/typing-line.ts';
import { waitFor } from '../support/helpers.ts';
import { screenText } from '../support/headless.ts';
import { openLabScreen } from '../support/lab-screen.ts';

describe('TypingLine', () => {
  it('edits, sends and cancels; control characters are not text', () => {
    const line = new TypingLine();
    for (const ch of 'hi there') line.key(ch, ch === ' ' ? 'space' : ch);
    line.key(undefined, 'backspace');
    assert.deepEqual(line.key('\r', 'enter'), { kind: 'send', text: 'hi ther' });
    line.start();
    assert.deepEqual(line.key('\x07', undefined), { kind: 'ignored' });
    line.key('a', 'a');
    line.key('u', 'u', true);
    assert.deepEqual(line.key('\r', 'enter'), { kind: 'cancel' }, 'Ctrl-U cleared it: Enter on nothing sends nothing');
  });

  it('shows the end of a long line after the prompt, within the width', () => {
    const line = new TypingLine();
    for (const ch of 'x'.repeat(200)) line.key(ch, 'x');
    const shown = line.render(80);
    assert.ok(shown.startsWith('> x') && shown.endsWith('█  Enter send · Esc cancel'), shown);
    assert.ok(shown.length <= 80, `${shown.length} columns`);
  });
});

describe('typing in the lab (headless, 80x24)', () => {
  let lab: LabWorld;
  let view: LabView;
  let ui: ReturnType<typeof openLabScreen>;
  const sent: string[] = [];
  const press = (keys: string) => ui.press(keys);
  const inputLine = () => (view.render(true), screenText(view.screen).at(-3) ?? '');

  before(async () => {
    lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14 });
    await waitFor(() => (lab.perspectives[0]?.ladders.get('server')?.length ?? 0) >= 11, "alice's ladder");
    ui = openLabScreen(
      {
        perspectives: lab.perspectives,
        typists: ['alice', 'bob'],
        onQuit: () => sent.push('QUIT'),
        send: (who, text) => (sent.push(`${who}: ${text}`), null),
      },
      80,
      24,
    );
    view = ui.view;
  });
  after(async () => {
    view.destroy();
    await lab.close();
  });

  it('a prompt, the keys that end it, and an emoji shown as the chat pane shows it', async () => {
    await press('i');
    assert.match(inputLine(), /^> █ {2}Enter send · Esc cancel/);
    await press('lock 🔒 café');
    assert.match(inputLine(), /^> lock \\u\{1f512\} café█ {2}Enter send · Esc cancel/);
    await press('\r');
    assert.deepEqual(sent, ['alice: lock 🔒 café'], 'the text as typed is what is sent');
    assert.match(inputLine(), /press i to type as alice/);
  });

  it('t, q, ? and d are letters while typing; Esc cancels and sends nothing', async () => {
    sent.length = 0;
    await press('itq?d');
    assert.match(inputLine(), /^> tq\?d█/);
    assert.match(screenText(view.screen)[0] as string, /typing as: alice/, 't did not switch the typist');
    await press('\x1b');
    assert.deepEqual(sent, []);
    assert.match(inputLine(), /press i to type as alice/);
  });

  it('x in an expanded value draws it again in the other encoding; Esc closes it', async () => {
    await press('\x1b[A\x1b[A\r'); // up selects the newest step, up again the host key; expand it
    const screen = () => (view.render(true), screenText(view.screen).join('\n'));
    assert.match(screen(), /bytes, hex:/);
    assert.match(screen(), /↑\/↓ PgUp\/PgDn scroll · Esc close/);
    await press('x');
    assert.match(screen(), /bytes, base64:/);
    await press('x\x1b');
    assert.doesNotMatch(screen(), /PgUp\/PgDn scroll/);
    assert.match(screen(), /detail: basic · hex/);
  });
});
