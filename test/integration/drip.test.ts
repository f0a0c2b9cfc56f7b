import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { ClientSession } from '../../src/protocol/client-session.ts';
import { encodeFrame } from '../../src/protocol/frame.ts';
import { ServerProcess } from '../support/server-process.ts';
import { join, RawPeer, startServer, waitFor } from '../support/helpers.ts';
import { sleep } from '../support/timing.ts';

const MiB = 1024 * 1024;

/** A member past its handshake, with the raw socket, so the test can write anything after it. */
async function established(port: number, name: string): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let done = false;
  const session = new ClientSession(
    { engine: ENGINES.native, name },
    {
      send: (bytes) => socket.write(bytes),
      event: (e) => void (e.type === 'established' && (done = true)),
      close: () => {},
    },
  );
  socket.on('connect', () => session.start());
  socket.on('data', (chunk) => session.feed(chunk));
  await waitFor(() => done, `${name}'s handshake`, 30_000);
  socket.removeAllListeners('data');
  return socket;
}

describe('a frame dripped one byte at a time (hardening item 1)', () => {
  let server: ServerProcess | undefined;
  after(() => server?.stop());

  it('50 drip connections cost the server about one frame each, and the room keeps chatting', async () => {
    server = await ServerProcess.start({ frameTimeoutMs: 120_000 });
    const port = server.port;
    const alice = await join(port, 'alice');
    const bob = await join(port, 'bob');
    const CONNECTIONS = 50;
    const BYTES = 2500;
    const drips = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => established(port, `drip${i}`)));
    // Measured from here: what the drip costs, not what 50 members cost.
    const baseline = await server.stats();
    // Each declares a 65,536-byte frame, then sends its bytes one write at a time.
    for (const socket of drips) socket.write(Buffer.from([0, 1, 0, 0]));
    const latencies: number[] = [];
    let said = 0;
    for (let i = 0; i < BYTES; i++) {
      for (const socket of drips) socket.write(Buffer.of(0x20));
      if (i % 250 === 0) {
        const started = performance.now();
        alice.client.say(`during the drip ${said}`);
        const expected = ++said;
        await waitFor(() => bob.messages().length >= expected, 'a line during the drip');
        latencies.push(performance.now() - started);
      }
      await sleep(1);
    }
    await sleep(200);
    const during = await server.stats();
    const growth = during.rss - baseline.rss;
    const bound = CONNECTIONS * 2 * 64 * 1024 + 8 * MiB;
    assert.equal(
      during.connections,
      CONNECTIONS + 2,
      'the drip connections are still open (they are within the frame timeout)',
    );
    assert.ok(
      growth < bound,
      `server RSS grew ${(growth / MiB).toFixed(1)} MiB for ${CONNECTIONS} x ${BYTES} one-byte writes (bound ${(bound / MiB).toFixed(1)} MiB)`,
    );
    assert.equal(bob.messages().length, said, 'every honest line arrived');
    latencies.sort((a, b) => a - b);
    console.log(
      `drip: ${CONNECTIONS} connections x ${BYTES} one-byte writes; server RSS +${(growth / MiB).toFixed(1)} MiB; honest line latency max ${latencies.at(-1)?.toFixed(1)} ms`,
    );
    for (const socket of drips) socket.destroy();
    await alice.client.quit();
    await bob.client.quit();
  });
});

describe('ERR_FRAME_TIMEOUT', () => {
  it('a started frame that does not finish in time is cut off, however it drips', async () => {
    const { server, port, logs } = await startServer({ frameTimeoutMs: 400 });
    const carol = await join(port, 'carol');
    const peer = await RawPeer.connect(port);
    const hello = encodeFrame({ type: 'hello', version: 1, name: 'slowpoke' });
    const started = performance.now();
    // One byte every 100 ms: each arrives within the timeout of the last, but not of the first.
    for (let i = 0; i < hello.length - 1 && !peer.socket.destroyed; i++) {
      peer.write(hello.subarray(i, i + 1));
      await sleep(100);
      if (peer.frames.length > 0) break;
    }
    assert.equal(await peer.closedWith(), 'ERR_FRAME_TIMEOUT');
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 350 && elapsed < 3000, `${elapsed} ms`);
    assert.ok(
      logs.some((l) => l.includes('ERR_FRAME_TIMEOUT')),
      logs.join('\n'),
    );
    await carol.client.quit();
    await server.close();
  });

  it('whole frames that keep coming never trip it, even when every read ends mid-frame', async () => {
    const { server, port } = await startServer({ frameTimeoutMs: 300 });
    const peer = await RawPeer.connect(port);
    // A hello split so that each write ends in the middle of the next frame, for a second.
    const frames = Buffer.concat(
      Array.from({ length: 3 }, () => encodeFrame({ type: 'hello', version: 1, name: 'x' })),
    );
    peer.write(frames.subarray(0, 10));
    await sleep(200);
    peer.write(frames.subarray(10, 60)); // completes frame 1, starts frame 2
    await sleep(200);
    // 400 ms after the first byte, but frame 2 started only 200 ms ago: no timeout. (Frame 2 is a
    // second hello, so the server answers it with ERR_UNEXPECTED_FRAME: proof the timer did not fire.)
    peer.write(frames.subarray(60));
    assert.equal(await peer.closedWith(), 'ERR_UNEXPECTED_FRAME');
    await server.close();
  });
});
