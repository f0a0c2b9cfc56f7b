import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { run, type Running } from '../support/cli-run.ts';
import { waitFor, unlessInstalled } from '../support/helpers.ts';
import { Tmux } from './tmux.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe(
  'dhlab inspect in a real terminal (tmux), against a toy-group server',
  { skip: unlessInstalled(Tmux.available(), 'tmux is not installed') },
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-inspect-'));
    let server: Running | undefined;
    let term: Tmux | undefined;
    after(() => {
      term?.kill();
      server?.proc.kill('SIGTERM');
    });

    it('--insecure-toy-groups joins a toy23 room, says so in the title, and shows the values in decimal', async () => {
      server = run(['server', '--port', '0', '--insecure-group', 'toy23', '--host-key', path.join(dir, 'host_key')]);
      await waitFor(() => server?.stdout.some((l) => l.startsWith('dhlab server listening on')) === true, 'the server');
      const port = /:(\d+)$/.exec(server.stdout[0] as string)?.[1] as string;
      const known = path.join(dir, 'known_servers');
      term = Tmux.start(
        `sh -c 'cd ${ROOT} && node bin/dhlab.js inspect --name ann --port ${port} --insecure-toy-groups --known-servers ${known} --accept-new-host-key 2>/dev/null; echo "exit status $?"'`,
        { width: 140, height: 40 },
      );
      let screen = await term.waitForScreen((s) => s.includes('established'), 'the handshake');
      assert.match(screen, /INSECURE \(teaching only\): toy groups/);
      assert.match(screen, /group toy23/);
      await term.waitForInput();
      term.keys('i');
      await term.waitForScreen((s) => !s.includes('press i to type as ann'), 'the input line');
      term.type('two plus two');
      term.keys('Enter');
      screen = await term.waitForScreen((s) => s.includes('<ann> two plus two'), 'the line relayed back');
      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'a clean exit');
    });

    it('without an insecure flag the inspector refuses the announced toy-group server (ERR_INSECURE_SERVER)', async () => {
      const port = /:(\d+)$/.exec(server?.stdout[0] as string)?.[1] as string;
      const plain = Tmux.start(
        `sh -c 'cd ${ROOT} && node bin/dhlab.js inspect --name bea --port ${port} --known-servers ${path.join(dir, 'known_servers')}; echo "exit status $?"'`,
        { width: 140, height: 20 },
      );
      try {
        const screen = await plain.waitForScreen((s) => s.includes('exit status'), 'the refusal');
        assert.match(screen, /ERR_INSECURE_SERVER: the server announces teaching-only weakenings \(toy23\)/);
        assert.match(screen, /exit status [12]/);
      } finally {
        plain.kill();
      }
    });

    it('after the server shuts down: said once, named dhlab inspect, no typing offered, q quits', async () => {
      const room = run(['server', '--port', '0', '--host-key', path.join(dir, 'host_key_2')]);
      await waitFor(() => room.stdout.some((l) => l.startsWith('dhlab server listening on')), 'the server');
      const port = /:(\d+)$/.exec(room.stdout[0] as string)?.[1] as string;
      const watching = Tmux.start(
        `sh -c 'cd ${ROOT} && node bin/dhlab.js inspect --name cy --port ${port} --known-servers ${path.join(dir, 'known_servers_2')} --accept-new-host-key; echo "exit status $?"'`,
        { width: 120, height: 40 },
      );
      try {
        await watching.waitForScreen((s) => s.includes('press i to type as cy'), 'the lab');
        room.proc.kill('SIGTERM');
        const screen = await watching.waitForScreen(
          (s) => s.includes('disconnected (ERR_SERVER_SHUTDOWN); q quits'),
          'the end said',
        );
        assert.match(screen.split('\n')[0] as string, /^ dhlab inspect · view: cy/);
        const chat = screen.split('\n').filter((l) => /^│[*!]/.test(l));
        const endings = chat.filter((l) => /ERR_SERVER_SHUTDOWN|shutting down/.test(l));
        assert.equal(endings.length, 1, `the shutdown is said once:\n${chat.join('\n')}`);
        assert.match(
          endings[0] as string,
          /\* the server closed the session: server shutting down \(SIGTERM\) \(ERR_SERVER_SHUTDOWN\)/,
        );
        assert.doesNotMatch(screen.split('\n').at(-2) ?? '', / i type /, 'the footer offers no typing');
        await watching.waitForInput();
        watching.keys('i');
        watching.keys('q');
        await watching.waitForScreen((s) => s.includes('exit status 0'), 'q quits');
      } finally {
        watching.kill();
        room.proc.kill('SIGKILL');
      }
    });
  },
);
