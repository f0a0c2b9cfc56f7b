// Every field of a frame is peer text (escaped before any widget),
// and what Eve and the inspector keep is bounded by bytes, not only by count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { palette } from '../../src/terminal/colors.ts';
import type { TapObservation } from '../../src/tap/tap-proxy.ts';
import { EvePerspective } from '../../lab/model/eve.ts';
import { LIMITS, TracePerspective } from '../../lab/model/model.ts';
import { frameLines } from '../../lab/view/render.ts';
import { Ring } from '../../lab/model/ring.ts';
import { FORBIDDEN_ON_SCREEN } from '../support/hostile-corpus.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const FAKE_ROW = 'hello\n→ #9 bob⇄server hello 40 B\x1b[31m\u202e';
const options = { colors: palette(0), detail: 'full', encoding: 'hex' } as const;

function observation(
  connection: number,
  dir: TapObservation['dir'],
  frame: Record<string, unknown>,
  size = 100,
): TapObservation {
  return { connection, dir, bytes: new Uint8Array(size), frame: frame as TapObservation['frame'] };
}

describe('a frame type is peer text in the lab', () => {
  it("Eve's frames pane escapes it: one line, no control, no bidi", () => {
    const eve = new EvePerspective();
    eve.onObservation(observation(1, 'client->server', { type: FAKE_ROW, name: 'x' }));
    const lines = frameLines(eve.frames.at(0) as never, options, 200);
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines.join(''), FORBIDDEN_ON_SCREEN);
    assert.match(lines[0] as string, /hello\\n→ #9 bob⇄server hello 40 B\\x1b\[31m\\u202e/);
  });

  it("the server's trace (the wire event comes before validation) is escaped too", () => {
    const server = new TracePerspective('server', 'server');
    server.onTrace('alice', {
      kind: 'wire',
      role: 'server',
      secret: false,
      dir: 'recv',
      bytes: new Uint8Array(10),
      frame: { type: FAKE_ROW },
    });
    const lines = frameLines(server.frames.at(0) as never, options, 200);
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines.join(''), FORBIDDEN_ON_SCREEN);
  });
});

describe('what Eve keeps is bounded', () => {
  it('repeated handshake frames on one connection add nothing after the first of each kind', () => {
    const eve = new EvePerspective();
    for (let i = 0; i < 10_000; i++) {
      eve.onObservation(observation(1, 'client->server', { type: 'hello', name: `n${i}`.repeat(1000), version: 1 }));
      eve.onObservation(
        observation(1, 'server->client', { type: 'server_key', group: 'modp14', y: '02', host_key: '00' }),
      );
      eve.onObservation(observation(1, 'server->client', { type: 'client_key', y: '02' })); // wrong direction
    }
    const [ladder] = [...eve.ladders.values()];
    assert.ok((ladder?.length ?? 0) <= 8, `${ladder?.length} steps`);
    assert.ok(ladder?.every((step) => step.label.length < 100));
  });

  it('a flood of connections keeps the newest ladders only', () => {
    const eve = new EvePerspective();
    for (let c = 0; c < 5_000; c++)
      eve.onObservation(observation(c, 'client->server', { type: 'hello', name: `c${c}`, version: 1 }));
    assert.equal(eve.ladders.size, LIMITS.ladders);
    assert.ok([...eve.ladders.keys()].at(-1)?.includes('c4999'));
  });

  it('64 KiB frames: the frames pane holds at most its byte budget, and the heap stays near it', async () => {
    const eve = new EvePerspective();
    const box = Buffer.alloc(48 * 1024, 7).toString('base64');
    gc();
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 3_000; i++)
      eve.onObservation(observation(1, 'client->server', { type: 'data', seq: i, box }, 65_000));
    // Array buffers are released after a collection finishes, off the main thread: collect until
    // the measure stops falling (at most 20 rounds), then read it.
    for (let round = 0, last = Infinity; round < 20; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const now = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      if (now >= last) break;
      last = now;
    }
    const grown = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before;
    assert.ok(eve.frames.bytes <= LIMITS.frameBytes, `${eve.frames.bytes} bytes kept`);
    assert.ok(eve.frames.length < 3_000 && eve.frames.length > 100, `${eve.frames.length} rows kept`);
    assert.ok(eve.chat.bytes <= LIMITS.chatBytes);
    // 3,000 frames of 48 KiB would be 140 MiB; the budget is 16 MiB (plus the chat's 2 MiB). A ring
    // that kept dropped rows until its next compaction grew 70-78 MiB here (GC noise: up to ~33).
    assert.ok(grown < 48 * 2 ** 20, `heap grew ${(grown / 2 ** 20).toFixed(0)} MiB`);
    assert.equal(eve.frames.total, 3_000);
  });
});

describe('Ring', () => {
  it('drops the oldest by count and by bytes, keeps the newest even when it alone is too big', () => {
    const ring = new Ring<number>(5, 100, (n) => n);
    for (const n of [10, 20, 30, 40]) ring.push(n);
    assert.deepEqual(ring.tail(10), [10, 20, 30, 40]);
    ring.push(50); // 150 > 100: drop 10, 20, 30 -> 90
    assert.deepEqual(ring.tail(10), [40, 50]);
    assert.equal(ring.bytes, 90);
    ring.push(500);
    assert.deepEqual(ring.tail(10), [500]);
    for (let i = 0; i < 10; i++) ring.push(1);
    assert.deepEqual(ring.tail(10), [1, 1, 1, 1, 1]);
    assert.equal(ring.at(0), 1);
    assert.equal(ring.total, 16);
  });
});
