// The wiretap relay and `eve --json` hold bounded memory whatever their
// readers do.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { JsonObservationWriter } from '../../src/tap/json-writer.ts';
import { startTapProxy, type TapObservation } from '../../src/tap/tap-proxy.ts';
import { waitFor } from '../support/helpers.ts';

describe('the tap relay ends pairs that cannot move', () => {
  it('a client that stops reading is cut after the stall timeout; a reading one is not', async () => {
    const upstreamClosed: string[] = [];
    const upstream = net.createServer((socket) => {
      socket.on('error', () => {});
      let who = '';
      socket.once('data', (chunk) => {
        who = chunk.toString();
        const flood = () => {
          while (socket.writable && socket.write(Buffer.alloc(64 * 1024))) {
            // fill until the relay pushes back
          }
        };
        socket.on('drain', flood);
        flood();
      });
      socket.on('close', () => upstreamClosed.push(who));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const tap = await startTapProxy({
      listenPort: 0,
      targetHost: '127.0.0.1',
      targetPort: (upstream.address() as net.AddressInfo).port,
      onObservation: () => {},
      stallTimeoutMs: 300,
    });
    const stalled = net.connect(tap.port, '127.0.0.1');
    const reader = net.connect(tap.port, '127.0.0.1');
    try {
      stalled.on('error', () => {});
      stalled.write('stalled');
      stalled.pause();
      let read = 0;
      reader.on('data', (chunk) => (read += chunk.length));
      reader.write('reader');
      await waitFor(() => upstreamClosed.includes('stalled'), 'the stalled pair to be ended', 10_000);
      const readThen = read;
      await waitFor(() => read > readThen + 10 * 2 ** 20, 'the reading pair to keep flowing', 10_000);
      assert.ok(!upstreamClosed.includes('reader'));
    } finally {
      stalled.destroy();
      reader.destroy();
      await tap.close();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});

describe('eve --json when its reader stalls', () => {
  it('drops observations and counts them instead of buffering, and says how many after the drain', () => {
    const lines: unknown[] = [];
    let full = false;
    let drain: () => void = () => {};
    const writer = new JsonObservationWriter({
      writeJson: (value) => (lines.push(value), !full),
      onceDrain: (listener) => (drain = listener),
    });
    const o: TapObservation = {
      connection: 1,
      dir: 'client->server',
      bytes: new Uint8Array(8),
      frame: { type: 'data', seq: 0, box: '' },
    };
    writer.write(o);
    full = true;
    writer.write(o); // accepted, but the buffer is now full
    for (let i = 0; i < 1000; i++) writer.write(o);
    assert.equal(lines.length, 2);
    assert.equal(writer.dropped, 1000);
    full = false;
    drain();
    assert.deepEqual(lines[2], { dropped: 1000 });
    writer.write(o);
    assert.equal(lines.length, 4);
  });
});
