// The fan-out pacer (src/server/fanout-pacer.ts): a member past its budget of fanned-out bytes is
// paced, not dropped. Unit: order, pause and resume, a held request that throws. Real server: a
// member sending long lines faster than its budget gets every line through, in order and spread
// over the time its budget allows, while an honest member's line goes out at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FanoutPacer } from '../../src/server/fanout-pacer.ts';
import { TokenBucket } from '../../src/server/token-bucket.ts';
import { join, startServer, waitFor } from '../support/helpers.ts';

function fakeSocket() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('fan-out pacing', () => {
  it('charge() allows one overdraft and says how long until it is paid', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, () => now, 1);
    assert.equal(bucket.charge(600), 0);
    assert.equal(bucket.charge(900), 500); // 1000 - 1500 = -500 tokens at 1000/s
    now += 500;
    assert.equal(bucket.charge(0), 0);
  });

  it('past its budget the socket is paused, held requests run in order once it refills, then it resumes', async () => {
    const socket = fakeSocket();
    const handled: number[] = [];
    const pacer = new FanoutPacer<number>(
      10_000,
      socket,
      (n) => (handled.push(n), 6_000),
      () => assert.fail('nothing fails'),
    );
    for (let n = 1; n <= 4; n++) pacer.offer(n);
    // 10,000 in the bucket: 1 fits, 2 overdraws it (-2,000): paused, 3 and 4 held.
    assert.deepEqual(handled, [1, 2]);
    assert.deepEqual(socket.calls, ['pause']);
    assert.equal(pacer.heldCount, 2);
    await waitFor(() => handled.length === 4, 'the held requests');
    assert.deepEqual(handled, [1, 2, 3, 4]);
    await waitFor(() => socket.calls.at(-1) === 'resume', 'resumed');
    pacer.stop();
  });

  it('a held request that throws ends the connection; nothing after it runs', async () => {
    const failed: unknown[] = [];
    const handled: number[] = [];
    const pacer = new FanoutPacer<number>(
      1000,
      fakeSocket(),
      (n) => {
        if (n === 2) throw new Error('bad text');
        handled.push(n);
        return 5000;
      },
      (error) => failed.push(error),
    );
    pacer.offer(1);
    pacer.offer(2);
    pacer.offer(3);
    await waitFor(() => failed.length === 1, 'the failure', 15_000);
    assert.deepEqual(handled, [1]);
  });

  it('a real room: a heavy sender is paced, loses nothing, and an honest line is not held behind it', async () => {
    // 3 members; each 4,000-byte line costs (4000 + 64) * 3 bytes: the budget takes about 4 a second.
    const { server, port } = await startServer({ fanoutLimit: 50_000 });
    const heavy = await join(port, 'heavy');
    const honest = await join(port, 'honest');
    const bob = await join(port, 'bob');
    const lines = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')} ${'w'.repeat(3997)}`);
    const started = performance.now();
    for (const line of lines) heavy.client.say(line);
    await waitFor(() => bob.messages().some((m) => m.from === 'heavy'), "heavy's first line");
    const sentAt = performance.now();
    honest.client.say('hello bob');
    await waitFor(() => bob.messages().some((m) => m.text === 'hello bob'), 'the honest line');
    const honestMs = performance.now() - sentAt;
    await waitFor(
      () => bob.messages().filter((m) => m.from === 'heavy').length === lines.length,
      'every heavy line',
      20_000,
    );
    const spreadMs = performance.now() - started;
    assert.deepEqual(
      bob
        .messages()
        .filter((m) => m.from === 'heavy')
        .map((m) => m.text),
      lines,
    );
    // 12 lines of 12,192 bytes at 50,000 a second, 50,000 up front: the debt of the first 11 is
    // paid before the 12th runs, (11 * 12,192 - 50,000) / 50,000 = 1.68 s at least.
    assert.ok(spreadMs > 1600, `the heavy lines took ${spreadMs.toFixed(0)} ms: not paced`);
    assert.ok(honestMs < spreadMs / 2, `the honest line took ${honestMs.toFixed(0)} ms, behind the heavy ones`);
    assert.deepEqual(server.memberNames.sort(), ['bob', 'heavy', 'honest']);
    for (const m of [heavy, honest, bob]) m.client.destroy();
    await server.close();
  });
});
