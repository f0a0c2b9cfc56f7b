import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, type Running } from '../support/cli-run.ts';
import { QUIT_TIMEOUT_MS } from '../../src/client/chat-client.ts';
import { waitFor } from '../support/helpers.ts';
import { startHostileServer } from './hostile-server.ts';

async function listen(
  onConnection: (socket: net.Socket) => void,
): Promise<{ port: number; server: net.Server; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, server, sockets };
}

async function stop(l: { server: net.Server; sockets: Set<net.Socket> }): Promise<void> {
  for (const socket of l.sockets) socket.destroy();
  await new Promise((resolve) => l.server.close(resolve));
}

const errorsOf = (client: Running) => client.json().filter((e) => e.type === 'error');

describe('the client never hangs and always says why it stopped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-robust-'));
  const known = path.join(dir, 'known_servers');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a listener that accepts and stays silent: ERR_CONNECT_TIMEOUT after --handshake-timeout', async () => {
    const silent = await listen(() => {});
    try {
      const client = run([
        'client',
        '--json',
        '--name',
        'alice',
        '--port',
        String(silent.port),
        '--known-servers',
        known,
        '--handshake-timeout',
        '0.3',
      ]);
      assert.equal(await client.exit, 1);
      const [error] = errorsOf(client);
      assert.equal(error?.code, 'ERR_CONNECT_TIMEOUT');
      assert.match(String(error?.message), /did not complete the dhlab handshake within 0\.3 s/);
    } finally {
      await stop(silent);
    }
  });

  it('an HTTP server: "does not speak dhlab" with what it sent', async () => {
    const http = await listen((socket) =>
      socket.once('data', () => socket.end('HTTP/1.0 400 Bad request\r\nServer: x\r\n\r\n')),
    );
    try {
      const client = run(['client', '--name', 'alice', '--port', String(http.port), '--known-servers', known]);
      assert.equal(await client.exit, 1);
      const text = client.stdout.join('\n');
      assert.match(
        text,
        new RegExp(
          `! ERR_NOT_DHLAB: 127\\.0\\.0\\.1:${http.port} does not speak dhlab \\(it sent "HTTP/1\\.0 400 Bad request\\\\r\\\\nServer: x\\\\r\\\\n\\\\r\\\\n"\\)`,
        ),
      );
      assert.match(text, /^connecting to 127\.0\.0\.1:\d+\.\.\.$/m);
    } finally {
      await stop(http);
    }
  });

  it('/quit against a server that never answers it: the client closes after a short wait and exits', async () => {
    const deaf = await startHostileServer((name) => [{ type: 'welcome', name, members: [name], count: 1 }]);
    try {
      const client = run(['client', '--name', 'alice', '--port', String(deaf.port), '--known-servers', '/dev/null']);
      await waitFor(() => client.stdout.some((l) => l.startsWith('* connected')), 'the welcome');
      const started = performance.now();
      client.proc.stdin?.write('/quit\n'); // stdin stays open: the quit alone must end it
      const code = await client.exit;
      assert.ok(performance.now() - started < QUIT_TIMEOUT_MS + 3000, `exited after ${performance.now() - started} ms`);
      assert.equal(code, 1, 'no goodbye from the server: not a clean exit');
    } finally {
      await deaf.close();
    }
  });

  describe('against a real server process', () => {
    let server: Running;
    let port = 0;
    before(async () => {
      server = run(['server', '--port', '0', '--host-key', path.join(dir, 'host_key')]);
      await waitFor(() => server.stdout.length >= 2, 'server banner', 20_000);
      port = Number(/:(\d+)$/.exec(server.stdout[0] ?? '')?.[1]);
    });
    after(() => server.proc.kill('SIGKILL'));
    const client = (name: string) =>
      run(['client', '--json', '--name', name, '--port', String(port), '--known-servers', known]);

    it('Ctrl-C (SIGINT) leaves like /quit: the room sees a normal leave', async () => {
      const alice = client('alice');
      await waitFor(() => alice.json().some((e) => e.type === 'connected'), 'alice in', 20_000);
      const bob = client('bob');
      await waitFor(() => alice.json().some((e) => e.type === 'join' && e.name === 'bob'), 'bob in', 20_000);
      bob.proc.kill('SIGINT');
      assert.equal(await bob.exit, 0);
      await waitFor(() => alice.json().some((e) => e.type === 'leave'), 'bob left', 20_000);
      assert.deepEqual(
        alice.json().find((e) => e.type === 'leave'),
        { type: 'leave', name: 'bob', reason: 'quit' },
      );
      alice.proc.stdin?.end();
      assert.equal(await alice.exit, 0);
    });

    it('`dhlab client --json | head -1` exits quietly when the reader goes away', async () => {
      const carol = client('carol');
      await waitFor(() => carol.stdout.length >= 1, 'first line', 20_000);
      carol.proc.stdout?.destroy();
      carol.proc.stdin?.write('one\ntwo\nthree\n');
      assert.equal(await carol.exit, 0);
      assert.doesNotMatch(carol.stderr.join('\n'), /EPIPE|Error|at /);
    });

    it('a second server on a taken port names the address and suggests --port 0', async () => {
      const second = run(['server', '--port', String(port), '--host-key', path.join(dir, 'host_key')]);
      assert.equal(await second.exit, 1);
      assert.match(
        second.stderr.join('\n'),
        new RegExp(
          `ERR_LISTEN: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use; pick another port, or port 0`,
        ),
      );
    });

    it("--trace narrates this client's own handshake and messages on stderr, within 80 columns", async () => {
      const erin = run([
        'client',
        '--json',
        '--trace',
        '--name',
        'erin',
        '--port',
        String(port),
        '--known-servers',
        known,
      ]);
      erin.proc.stdin?.end('traced line\n');
      assert.equal(await erin.exit, 0);
      const narration = erin.stderr.join('\n');
      assert.match(narration, /erin: hashed shared secret K = SHA-256\(Z\) = [0-9a-f]{8}…[0-9a-f]{8}/);
      assert.match(narration, /erin seals #0 for server: \{"type":"chat","text":"traced line"\}/);
      for (const line of erin.stderr) assert.ok([...line].length <= 80, line);
    });

    it('the server killed (-9): "connection to the server lost" as an ERR_CONNECTION event', async () => {
      const dave = client('dave');
      await waitFor(() => dave.json().some((e) => e.type === 'connected'), 'dave in', 20_000);
      server.proc.kill('SIGKILL');
      assert.equal(await dave.exit, 1);
      assert.deepEqual(errorsOf(dave), [
        { type: 'error', code: 'ERR_CONNECTION', message: 'connection to the server lost' },
      ]);
    });
  });
});
