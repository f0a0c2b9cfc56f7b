// Second review, item 3: `dhlab server --trace` narrates inside the server's event loop, so what a
// peer sends must cost the narration no more than its length: honest members keep chatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverTraceNarrator } from '../../src/cli/main.ts';
import { join, RawPeer, startServer, waitFor } from '../support/helpers.ts';

describe('--trace under long names and long lines', () => {
  it('honest chat latency stays low while hellos with 60,000-character names and 4,000-character words are traced', async () => {
    let narrated = 0;
    let longest = 0;
    const narrator = serverTraceNarrator((line) => {
      narrated++;
      longest = Math.max(longest, line.length);
    }, 80);
    const { server, port } = await startServer({ trace: narrator, revealSecrets: true });
    const alice = await join(port, 'alice');
    const bob = await join(port, 'bob');
    const mallory = await join(port, 'mallory');
    try {
      const latencies: number[] = [];
      const sentAt = new Map<string, number>();
      bob.client.on('event', (event) => {
        const at = event.type === 'message' ? sentAt.get(event.text) : undefined;
        if (at !== undefined) latencies.push(performance.now() - at);
      });
      let n = 0;
      const ticker = setInterval(() => {
        const text = `honest ${n++}`;
        sentAt.set(text, performance.now());
        alice.client.say(text);
      }, 20);
      const started = performance.now();
      // The attack: hellos whose name is one 60,000-character word, and chat lines that are one
      // 4,000-character word (a batch's JSON has no spaces either).
      const hellos = await Promise.all(Array.from({ length: 8 }, () => RawPeer.connect(port)));
      for (const peer of hellos) peer.sendFrame({ type: 'hello', version: 1, name: 'n'.repeat(60_000) });
      for (let i = 0; i < 8; i++) mallory.client.say('w'.repeat(4000));
      await Promise.all(hellos.map((peer) => peer.closedWith()));
      await waitFor(() => bob.messages().filter((m) => m.from === 'mallory').length === 8, "mallory's lines");
      await waitFor(() => latencies.length >= 20 && performance.now() - started > 500, 'honest traffic meanwhile');
      clearInterval(ticker);
      const worst = Math.max(...latencies);
      // Before the fix one such hello stalled every member for about 6 s.
      assert.ok(worst < 1000, `worst honest latency ${worst.toFixed(0)} ms`);
      assert.ok(narrated > 0 && longest <= 200, `narration lines stay within the width (longest ${longest})`);
      console.log(`# trace-load: ${latencies.length} honest lines, worst latency ${worst.toFixed(1)} ms while 8 long hellos and 8 long lines were traced`);
    } finally {
      for (const m of [alice, bob, mallory]) m.client.destroy();
      await server.close();
    }
  });
});
