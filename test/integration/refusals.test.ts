// Connections refused by admission control count against nothing but
// their own address, and a flood of refusals is summarized in the log.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { join, startServer, waitFor } from '../support/helpers.ts';

/** Opens `n` connections from `localAddress` and never closes or reads them. */
async function hold(port: number, localAddress: string, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    socket.on('error', () => {});
    socket.pause();
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()).once('error', () => resolve()));
  }
  return sockets;
}

describe('refused connections fill nothing', () => {
  it('an address that opens connections in a loop and never closes them cannot fill the room', async () => {
    const { server, port, logs } = await startServer({
      maxClients: 20,
      maxPerAddress: 16,
      maxHandshakesPerAddress: 4,
      connectRatePerAddress: 10,
    });
    const held = await hold(port, '127.0.0.2', 300);
    try {
      // Most were refused (ERR_TOO_MANY_CONNECTIONS) and linger for the close grace period.
      assert.ok(server.connectionCount <= 16, `${server.connectionCount} connections counted`);
      const joined: string[] = [];
      for (let i = 0; i < 4; i++) joined.push((await join(port, `honest${i}`)).client.name);
      assert.equal(joined.length, 4, 'every honest join succeeds');
      const refusalLines = logs.filter((l) => l.includes('ERR_TOO_MANY_CONNECTIONS'));
      assert.ok(refusalLines.length >= 1 && refusalLines.length < 10, `${refusalLines.length} refusal lines`);
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });

  it('a full room refuses newcomers with ERR_SERVER_FULL, summarized in the log', async () => {
    const { server, port, logs } = await startServer({ maxClients: 3 });
    const members = await Promise.all(['a', 'b', 'c'].map((name) => join(port, name)));
    const held = await hold(port, '127.0.0.3', 200);
    try {
      await waitFor(() => logs.some((l) => l.includes('(ERR_SERVER_FULL)')), 'the summary line');
      assert.ok(logs.filter((l) => l.includes('ERR_SERVER_FULL')).length < 10, logs.join('\n'));
      assert.equal(server.connectionCount, 3);
      await members[0]?.client.quit();
      await waitFor(() => server.connectionCount === 2, 'a place freed');
      await join(port, 'd'); // the freed place is taken by the next honest member
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });
});
