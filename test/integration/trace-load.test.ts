// Second review, item 3: `dhlab server --trace` narrates inside the server's event loop, so what a
// peer sends must cost the narration no more than its length: honest members keep chatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverTraceNarrator } from '../../src/cli/server-command.ts';
import { join, RawPeer, startServer, waitFor, type Member } from '../support/helpers.ts';

/** alice says a line to bob every 20 ms; each latency is its send to bob's receipt. */
function honestChat(alice: Member, bob: Member): { latencies: number[]; ticker: NodeJS.Timeout } {
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
  return { latencies, ticker };
}

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
      const { latencies, ticker } = honestChat(alice, bob);
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
      console.log(
        `trace-load: ${latencies.length} honest lines, worst latency ${worst.toFixed(1)} ms while 8 long hellos and 8 long lines were traced`,
      );
    } finally {
      for (const m of [alice, bob, mallory]) m.client.destroy();
      await server.close();
    }
  });

  it('a long line relayed to ten members is narrated once in full, abbreviated, and honest chat stays fast', async () => {
    let narratedChars = 0;
    const lines: string[] = [];
    const narrator = serverTraceNarrator((line) => {
      narratedChars += line.length;
      lines.push(line);
    }, 80);
    const { server, port } = await startServer({ trace: narrator, revealSecrets: true });
    const alice = await join(port, 'alice');
    const bob = await join(port, 'bob');
    const loud = await Promise.all(Array.from({ length: 8 }, (_, i) => join(port, `loud${i}`)));
    try {
      const { latencies, ticker } = honestChat(alice, bob);
      narratedChars = 0;
      // Eight members each send three 4,000-character lines: 24 lines, each sealed for 10 members.
      for (const [i, member] of loud.entries())
        for (let k = 0; k < 3; k++) member.client.say(`${i}${k} ${'word '.repeat(799)}`);
      await waitFor(() => bob.messages().filter((m) => m.from.startsWith('loud')).length === 24, 'the loud lines');
      const started = performance.now();
      await waitFor(() => latencies.length >= 25 && performance.now() - started > 300, 'honest traffic meanwhile');
      clearInterval(ticker);
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)] as number;
      // Once per recipient, the narration was about 1 MB for these 24 lines; now each is told once.
      assert.ok(narratedChars < 150_000, `${narratedChars} characters narrated`);
      // Wrapping breaks lines at spaces: joined with spaces, the narration reads as written.
      const text = lines.join(' ').replace(/\s+/g, ' ');
      // (assert.ok, not assert.match: a failure need not print 70 KB of narration.)
      assert.ok(/\[\d+ characters; --full shows all\]/.test(text), 'long plaintexts are abbreviated with their length');
      assert.ok(/the same \d+-character plaintext as for /.test(text), 'the other recipients get "the same plaintext"');
      assert.ok(p99 < 500, `honest p99 ${p99.toFixed(1)} ms`);
      console.log(
        `trace-load: 24 long lines to 10 members narrated in ${narratedChars} characters; honest p99 ${p99.toFixed(1)} ms`,
      );
    } finally {
      for (const m of [alice, bob, ...loud]) m.client.destroy();
      await server.close();
    }
  });
});
