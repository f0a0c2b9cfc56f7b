// Lesson 12's parts: the relay that re-cuts a byte stream (real TCP) keeps every byte in order,
// writes the sizes it is told, and never writes an empty segment; the original's recv(1024) reader.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { naiveMessages, startResegmenter, type Segment } from '../../src/insecure/resegment.ts';
import { waitFor } from '../support/helpers.ts';

describe('the resegmenter and the naive reader (lesson 12)', () => {
  it('naiveMessages: one message per recv(1024), so 3000 bytes are three', () => {
    assert.deepEqual(
      naiveMessages(new Uint8Array(3000)).map((m) => m.length),
      [1024, 1024, 952],
    );
    assert.deepEqual(
      naiveMessages(Buffer.from('hellohow are you')).map((m) => Buffer.from(m).toString()),
      ['hellohow are you'],
    );
  });

  it('re-cuts a stream into the sizes asked for, every byte in order, and flushes what is left when idle', async () => {
    let received = Buffer.alloc(0);
    const target = net.createServer((socket) =>
      socket.on('data', (chunk) => (received = Buffer.concat([received, chunk]))),
    );
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const segments: Segment[] = [];
    const relay = await startResegmenter({
      targetPort: (target.address() as net.AddressInfo).port,
      nextSize: (_connection, offset) => (offset % 7) + 1 + (offset === 0 ? -10 : 0), // the first asks for < 1: treated as 1
      flushWhenIdle: true,
      onSegment: (segment) => segments.push(segment),
    });
    const sent = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const sender = net.connect({ host: '127.0.0.1', port: relay.port });
    try {
      sender.write(sent);
      await waitFor(() => received.length >= sent.length, 'every byte through the relay');
      assert.ok(received.equals(sent));
      assert.ok(segments.every((s) => s.bytes.length >= 1));
      assert.equal(segments[0]?.bytes.length, 1);
      assert.deepEqual(
        segments.map((s) => s.offset),
        segments.map((_, i) => segments.slice(0, i).reduce((n, s) => n + s.bytes.length, 0)),
      );
    } finally {
      sender.destroy();
      await relay.close();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });
});
