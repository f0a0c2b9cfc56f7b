// `dhlab eve --read` on a terminal: Eve's screen of a capture, and with the key log the teacher's
// view, each opened line marked as the key log's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../support/cli-run.ts';
import { unlessInstalled } from '../support/helpers.ts';
import { Tmux } from './tmux.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe(
  'dhlab eve --read in a real terminal (tmux)',
  { skip: unlessInstalled(Tmux.available(), 'tmux is not installed') },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-eve-read-'));
    const capture = path.join(dir, 'class.pcapng');
    const keys = path.join(dir, 'class.keys');
    let term: Tmux | undefined;
    after(() => {
      term?.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    before(async () => {
      const lesson = run(['scenario', '03-eve-passive', '--headless', '--pcap', capture, '--keylog', keys]);
      assert.equal(await lesson.exit, 0, lesson.stderr.join('\n'));
    });

    const open = (extra: string) =>
      Tmux.start(
        `sh -c 'cd ${ROOT} && node bin/dhlab.js eve --read ${capture} ${extra} 2>/dev/null; echo "exit status $?"'`,
        {
          width: 140,
          height: 40,
        },
      );

    it('without the key log: the names and public values, and only sealed frames after', async () => {
      term = open('');
      const screen = await term.waitForScreen(
        (s) => s.includes('data #') && s.includes('Eve cannot open it'),
        "Eve's frames and chat",
      );
      assert.match(screen, /dhlab eve · view: Eve \(wiretap\) · read from .*class\.pcapng/);
      assert.match(screen, /name "alice"/);
      assert.match(screen, /Eve cannot open it/);
      assert.doesNotMatch(screen, /hunter2|opened with the key log/);
      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'q to quit');
      term.kill();
    });

    it('with the key log: each sealed frame opened, marked as the key log gave it', async () => {
      term = open(`--keylog ${keys}`);
      const screen = await term.waitForScreen(
        (s) => s.includes('opened with the key log: ') && s.includes('password is hunter2"}'),
        'the opened lines',
      );
      assert.match(screen, /view: Eve \(wiretap\) · sealed frames opened with the key log · read from /);
      assert.match(
        screen,
        /opened with the key log: #\d alice⇄server → \{"type":"chat","text":"the wifi password is hunter2"\}/,
      );
      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'q to quit');
    });
  },
);
