import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { GROUPS } from '../../src/crypto/groups.ts';
import { encodeFrame, FrameDecoder, parseFramePayload } from '../../src/protocol/frame.ts';
import { ServerProcess } from '../support/server-process.ts';
import { join, waitFor } from '../support/helpers.ts';

/**
 * The attack of hardening item 2: from one address, hello and a zero-cost client_key (y = 4, a
 * valid value: the attacker does no modular exponentiation) in one write, as fast as it can.
 */
describe('admission control against a real server (hardening item 2)', () => {
  let server: ServerProcess | undefined;
  after(() => server?.stop());

  it('1,000 zero-cost handshakes from 127.0.0.2 get ERR_TOO_MANY_CONNECTIONS; a client from 127.0.0.1 joins and chats meanwhile', async () => {
    server = await ServerProcess.start({
      maxPerAddress: 16,
      maxHandshakesPerAddress: 4,
      connectRatePerAddress: 10,
      log: true,
    });
    const port = server.port;
    const outcomes: string[] = [];
    const attack = (async () => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) {
        const name = `bot${i}`;
        pending.push(
          new Promise<void>((resolve) => {
            const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
            const decoder = new FrameDecoder();
            socket.on('connect', () => {
              const y = (4).toString(16).padStart(GROUPS.modp14.byteLength * 2, '0');
              socket.write(
                Buffer.concat([
                  encodeFrame({ type: 'hello', version: 1, name }),
                  encodeFrame({ type: 'client_key', y }),
                ]),
              );
            });
            let done = false;
            const settle = (what: string) => {
              if (done) return;
              done = true;
              outcomes.push(what);
              resolve();
            };
            socket.on('data', (chunk) => {
              for (const payload of decoder.push(chunk)) {
                const frame = parseFramePayload(payload);
                if (frame.type === 'error') settle(String(frame.code));
                else if (frame.type === 'server_auth') settle('member');
              }
            });
            socket.on('error', () => settle('socket error'));
            socket.on('close', () => settle('closed'));
          }),
        );
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 30)); // ~1,000 in 3 s
      }
      await Promise.all(pending);
    })();

    // Meanwhile, honest members from 127.0.0.1.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const joinStarted = performance.now();
    const alice = await join(port, 'alice');
    const joinMs = performance.now() - joinStarted;
    const bob = await join(port, 'bob');
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      alice.client.say(`honest ${i}`);
      await waitFor(() => bob.messages().length > i, `honest line ${i}`);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await attack;

    const members = outcomes.filter((o) => o === 'member').length;
    const refused = outcomes.filter((o) => o === 'ERR_TOO_MANY_CONNECTIONS').length;
    assert.ok(members <= 16, `${members} attacker connections became members`);
    assert.ok(
      refused >= 900,
      `${refused} refused; outcomes: ${JSON.stringify(Object.fromEntries(outcomes.map((o) => [o, outcomes.filter((x) => x === o).length])))}`,
    );
    assert.ok(!outcomes.includes('ERR_SERVER_FULL'));
    assert.deepEqual(
      bob.messages().map((m) => m.text),
      Array.from({ length: 20 }, (_, i) => `honest ${i}`),
    );
    const stats = await server.stats();
    assert.ok(stats.members <= 16 + 2, `${stats.members} members`);
    assert.ok(
      server.logs.some((l) => /^refused \d+ connections? \(ERR_TOO_MANY_CONNECTIONS\): 127\.0\.0\.2/.test(l)),
      server.logs.slice(0, 5).join('\n'),
    );
    assert.ok(
      server.logs.filter((l) => l.includes('ERR_TOO_MANY_CONNECTIONS')).length < 20,
      'refusals are summarized, not logged one by one',
    );
    latencies.sort((a, b) => a - b);
    console.log(
      `admission: ${outcomes.length} zero-cost handshakes from 127.0.0.2: ${members} members, ${refused} refused; honest join ${joinMs.toFixed(0)} ms, chat p50 ${latencies[10]?.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
    );
    await alice.client.quit();
    await bob.client.quit();
  });
});
