import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../support/helpers.ts';

/**
 * A real terminal for UI tests: a detached tmux session of a given size. blessed cannot read
 * Debian's *-256color terminfo, hence TERM=xterm-256color and NCURSES_NO_UTF8_ACS=1.
 */
export class Tmux {
  private constructor(readonly session: string) {}

  /** `options`: tmux server options set before the command starts (say, set-clipboard on). */
  static start(
    command: string,
    { width = 80, height = 24, env = {} as Record<string, string>, options = [] as string[] } = {},
  ): Tmux {
    const session = `dhlab-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    let conf = '/dev/null';
    if (options.length > 0) {
      conf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-tmux-')), 'tmux.conf');
      fs.writeFileSync(conf, options.map((o) => `set-option -g ${o}\n`).join(''));
    }
    const vars = { TERM: 'xterm-256color', NCURSES_NO_UTF8_ACS: '1', LANG: 'C.UTF-8', ...env };
    const exports = Object.entries(vars)
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    // Each terminal gets its own tmux server (-L): parallel test files never race one server's exit.
    execFileSync(
      'tmux',
      [
        '-L',
        session,
        '-f',
        conf,
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        String(width),
        '-y',
        String(height),
        `env ${exports} ${command}; sleep 600`,
      ],
      {
        env: { ...process.env, TERM: 'xterm-256color' },
      },
    );
    // Keep the size fixed whatever clients attach, so captures are reproducible.
    execFileSync('tmux', ['-L', session, 'set-option', '-t', session, 'window-size', 'manual']);
    return new Tmux(session);
  }

  static available(): boolean {
    try {
      execFileSync('tmux', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  capture(): string {
    return execFileSync('tmux', ['-L', this.session, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
  }

  /** The screen and its scrollback with their colours, as SGR escapes (capture-pane -e -S -). */
  captureStyled(): string {
    return execFileSync('tmux', ['-L', this.session, 'capture-pane', '-p', '-e', '-S', '-', '-t', this.session], {
      encoding: 'utf8',
    });
  }

  title(): string {
    return execFileSync('tmux', ['-L', this.session, 'display-message', '-p', '-t', this.session, '#{pane_title}'], {
      encoding: 'utf8',
    }).trim();
  }

  /** The paste buffers (an OSC 52 clipboard write creates one when set-clipboard is on). */
  buffers(): string {
    return execFileSync('tmux', ['-L', this.session, 'list-buffers'], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['-L', this.session, 'send-keys', '-t', this.session, ...keys]);
  }

  /** Types text literally (no key-name interpretation). */
  type(text: string): void {
    execFileSync('tmux', ['-L', this.session, 'send-keys', '-t', this.session, '-l', text]);
  }

  resize(width: number, height: number): void {
    execFileSync('tmux', [
      '-L',
      this.session,
      'resize-window',
      '-t',
      this.session,
      '-x',
      String(width),
      '-y',
      String(height),
    ]);
  }

  async waitForScreen(test: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    let screen = '';
    try {
      await waitFor(() => test((screen = this.capture())), what, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}; the screen was:\n${screen}`);
    }
    return screen;
  }

  /**
   * Blessed can draw its first screen before it reads keys, and a key sent then is lost. Press ?
   * until the help overlay opens (so keys are read), then close it again.
   */
  async waitForInput(): Promise<void> {
    for (let tries = 0; tries < 10; tries++) {
      this.keys('?');
      const opened = await this.waitForScreen(
        (s) => /dhlab (lab|scenario): keys/.test(s),
        'the help overlay',
        3000,
      ).then(
        () => true,
        () => false,
      );
      if (!opened) continue;
      this.keys('Escape');
      await this.waitForScreen((s) => !/dhlab (lab|scenario): keys/.test(s), 'the help overlay to close');
      return;
    }
    throw new Error('the terminal never answered a key');
  }

  kill(): void {
    try {
      execFileSync('tmux', ['-L', this.session, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
