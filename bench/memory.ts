import type { ChatClient } from '../src/client/chat-client.ts';
import { pool } from '../test/support/helpers.ts';
import { sleep } from '../test/support/timing.ts';
import { BenchServer, connect } from './bench-server.ts';

/** Idle connections: the server's RSS per client, and whether a newcomer still joins and hears itself. */
export async function benchMemory(clients: number) {
  const server = await BenchServer.start({ engine: 'native' });
  const baseline = await server.stats();
  const members: ChatClient[] = [];
  let failed = 0;
  const why = new Map<string, number>();
  let firstFailure = '';
  await server.stats(); // resets the server's event-loop delay monitor
  await pool(clients, 100, async (i) => {
    try {
      members.push(await connect(server.port, `idle${i}`));
    } catch (error) {
      failed++;
      const code = (error as { code?: string }).code ?? 'unknown';
      firstFailure ||= (error as Error).message;
      why.set(code, (why.get(code) ?? 0) + 1);
    }
  });
  if (failed > 0)
    console.log(
      `  ${failed} of ${clients} could not connect: ${[...why].map(([code, n]) => `${code} ${n}`).join(', ')} (${firstFailure})`,
    );
  const joined = await server.stats();
  console.log(`  ${clients} joins: the server's event loop stalled at most ${joined.loopMaxMs.toFixed(0)} ms`);
  await sleep(500);
  const loaded = await server.stats();
  // Still responsive? A newcomer joins and hears its own message back.
  const started = performance.now();
  const probe = await connect(server.port, 'probe');
  const heard = new Promise<void>((resolve) =>
    probe.on('event', (e) => e.type === 'message' && e.from === 'probe' && resolve()),
  );
  probe.say('still there?');
  await heard;
  const probeMs = performance.now() - started;
  probe.destroy();
  for (const member of members) member.destroy();
  await server.stop();
  return {
    clients,
    failed,
    failedWith: Object.fromEntries(why),
    serverLoopMaxMs: joined.loopMaxMs,
    connections: loaded.connections,
    rssBaselineMiB: baseline.rss / 2 ** 20,
    rssLoadedMiB: loaded.rss / 2 ** 20,
    bytesPerClient: (loaded.rss - baseline.rss) / clients,
    joinAndEchoMs: probeMs,
  };
}
