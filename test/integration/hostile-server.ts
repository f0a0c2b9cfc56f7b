import net from 'node:net';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { ephemeralHostKey } from '../../src/server/host-key-file.ts';
import type { ServerEvent } from '../../src/protocol/messages.ts';
import { ServerSession } from '../../src/protocol/server-session.ts';

/**
 * A malicious server built on the real ServerSession: it completes an honest handshake, then
 * sends whatever events `script` returns, unchecked, sealed with the real keys. It shows what a
 * client prints when the peer is hostile (a server, or a member whose text the server relays).
 */
export async function startHostileServer(
  script: (name: string) => ServerEvent[],
  options: { closeAfter?: boolean } = {},
) {
  const engine = ENGINES.native;
  const identity = ephemeralHostKey(engine);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let name = '';
    const session: ServerSession = new ServerSession(
      { engine, group: GROUPS.modp14, host: identity, admitName: (n) => (name = n) },
      {
        send: (bytes) => socket.write(bytes),
        event: (event) => {
          if (event.type !== 'established') return;
          for (const e of script(name)) session.send(e);
          if (options.closeAfter) session.close();
        },
        close: () => socket.end(),
      },
    );
    socket.on('data', (chunk) => session.feed(chunk));
    socket.on('close', () => session.end());
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
