import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { listen } from '../../src/net/listen.ts';
import { startRelay, type RelayHandler, type RelayPair } from '../../src/net/relay.ts';

/** Resolves when the socket closes, reset or not (events.once would reject on the reset). */
function closed(socket: net.Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

/** A client of the relay; errors (the reset that ends a pair) are expected. */
function connect(port: number): net.Socket {
  return net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }).on('error', () => {});
}

/** A target server on loopback; `onSocket` gets each connection the relay makes. */
async function target(onSocket: (socket: net.Socket) => void): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    // The relay ends pairs with a reset: that is what these tests wait for.
    socket.on('error', () => {});
    onSocket(socket);
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  return { port, server };
}

/** Writes `chunk` until the socket says full `times` times in a row without draining; resolves with the bytes written. */
function floodUntilBlocked(socket: net.Socket, chunk: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    const pump = () => {
      while (!socket.destroyed) {
        written += chunk.length;
        if (!socket.write(chunk)) break;
      }
    };
    socket.on('drain', pump);
    pump();
    // Blocked for good: no drain comes within the stall window's first part.
    const check = setInterval(() => {
      if (socket.writableLength > 0 && socket.writableNeedDrain) {
        clearInterval(check);
        resolve(written);
      }
    }, 50);
    socket.once('close', () => (clearInterval(check), resolve(written)));
  });
}

const MiB = 1024 * 1024;

describe('the relay (src/net/relay.ts)', () => {
  for (const stopped of ['client', 'server'] as const) {
    it(`a ${stopped} that stops reading: the other side is paused, memory stays bounded, the pair ends after the stall timeout`, async () => {
      let relayed = 0;
      let pairGone: Promise<void> = Promise.resolve();
      const counting = (pair: RelayPair): RelayHandler => {
        pairGone = pair.gone;
        const forward = (to: 'toClient' | 'toServer') => (chunk: Buffer) => {
          relayed += chunk.length;
          pair[to](chunk);
        };
        return { fromClient: forward('toServer'), fromServer: forward('toClient') };
      };
      let serverSide: net.Socket | null = null;
      const t = await target((socket) => {
        serverSide = socket;
        if (stopped === 'server') socket.pause();
      });
      const relay = await startRelay({
        targetHost: '127.0.0.1',
        targetPort: t.port,
        stallTimeoutMs: 1500,
        handler: counting,
      });
      const client = connect(relay.port);
      await once(client, 'connect');
      if (stopped === 'client') client.pause();
      while (!serverSide) await new Promise((resolve) => setImmediate(resolve));
      const writer = stopped === 'client' ? (serverSide as net.Socket) : client;
      const start = process.memoryUsage().rss;
      const written = await floodUntilBlocked(writer, Buffer.alloc(64 * 1024, 7));
      // The relay read at most what the kernel's buffers hold on each side, not what was written.
      assert.ok(relayed < 16 * MiB, `the relay took ${relayed} bytes`);
      assert.ok(process.memoryUsage().rss - start < 64 * MiB, 'memory stays bounded');
      assert.ok(written >= relayed, `${written} written, ${relayed} relayed`);
      const ended = Date.now();
      await Promise.all([closed(writer), pairGone]);
      assert.ok(Date.now() - ended < 10_000, 'the stall timer ended the pair');
      client.destroy();
      await relay.close();
      t.server.close();
    });
  }

  it('half-close both ways: each side still hears the other after it ended', async () => {
    const t = await target((socket) => {
      socket.resume();
      socket.on('end', () => socket.end('goodbye after your end'));
    });
    const relay = await startRelay({ targetHost: '127.0.0.1', targetPort: t.port, handler: () => ({}) });
    const client = connect(relay.port);
    client.end('bye');
    let heard = '';
    client.on('data', (chunk: Buffer) => (heard += chunk.toString('utf8')));
    await once(client, 'end');
    assert.equal(heard, 'goodbye after your end');

    // The server ends first; the client still writes, and the server reads it.
    const t2 = await target((socket) => {
      socket.end('closing');
      let got = '';
      socket.on('data', (chunk: Buffer) => (got += chunk.toString('utf8')));
      socket.on('end', () => socket.emit('got', got));
    });
    const relay2 = await startRelay({ targetHost: '127.0.0.1', targetPort: t2.port, handler: () => ({}) });
    const gotAtServer = new Promise<string>((resolve) =>
      t2.server.once('connection', (s: net.Socket) => s.once('got', resolve)),
    );
    const client2 = connect(relay2.port);
    client2.on('data', () => {});
    await once(client2, 'end');
    client2.end('still here');
    assert.equal(await gotAtServer, 'still here');
    await Promise.all([relay.close(), relay2.close()]);
    t.server.close();
    t2.server.close();
  });

  it('a handler that writes to a side that does not read is stopped at maxQueuedBytes', async () => {
    const t = await target((socket) => socket.write(Buffer.alloc(1024)));
    let queuedAtMost = 0;
    let paired: (pair: RelayPair) => void = () => {};
    const pairArrived = new Promise<RelayPair>((resolve) => (paired = resolve));
    const relay = await startRelay({
      targetHost: '127.0.0.1',
      targetPort: t.port,
      maxQueuedBytes: MiB,
      handler: (pair) => {
        paired(pair);
        return {
          // A rewrite that repeats each kilobyte 8192 times (8 MiB), into a client that never reads.
          fromServer: (chunk) => {
            for (let i = 0; i < 8192; i++) pair.toClient(chunk);
            queuedAtMost = 8192 * chunk.length;
          },
        };
      },
    });
    const client = connect(relay.port);
    client.pause();
    // The relay ends the pair itself, long before the 30 s stall timer.
    const started = Date.now();
    await (
      await pairArrived
    ).gone;
    assert.ok(Date.now() - started < 10_000);
    client.destroy();
    assert.equal(queuedAtMost, 8 * MiB, 'the handler did try');
    await relay.close();
    t.server.close();
  });

  it('a refused listen is the promise rejection (EADDRINUSE), not an unhandled error', async () => {
    const busy = net.createServer();
    const { port } = await listen(busy, 0, '127.0.0.1');
    await assert.rejects(
      startRelay({ listenPort: port, targetHost: '127.0.0.1', targetPort: 9, handler: () => ({}) }),
      (error: NodeJS.ErrnoException) => error.code === 'EADDRINUSE',
    );
    busy.close();
  });
});
