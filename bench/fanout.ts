// Bytes, not lines: members that send long lines under the line rate limit, fanned out to a
// room of 200, against honest members' latency. The server runs in
// its own process with its default limits; every member connects from its own 127.x address.
import type net from 'node:net';
import { ChatClient } from '../src/client/chat-client.ts';
import { ENGINES } from '../src/crypto/engines.ts';
import { pool } from '../test/support/helpers.ts';
import { ServerProcess } from '../test/support/server-process.ts';
import { percentile, sleep } from '../test/support/timing.ts';

export interface FanoutRow {
  heavy: number;
  members: number;
  honestLinesPerSecond: number;
  honestP50Ms: number;
  honestP99Ms: number;
  honestLost: number;
  honestDropped: number;
  /** The longest the server's event loop was blocked during the run. */
  serverStallMs: number;
  /** What the heavy members got through, in 4,096-byte lines a second each. */
  heavyLinesPerSecond: number;
  serverCpuPercent: number;
}

export const socketOf = (client: ChatClient) => (client as unknown as { socket: net.Socket }).socket;

/** The member still reads every byte at once but drops it unopened (the server's work is the same). */
export function drainUnopened(member: ChatClient): void {
  const socket = socketOf(member);
  socket.removeAllListeners('data');
  socket.on('data', () => {});
}

/**
 * 200 members (20 of them time every line), 200 short honest lines a second in all, and `heavy`
 * members each sending 4,096-byte lines at 190 a second (under the default 200/s request limit).
 */
export async function benchFanout(
  heavy: number,
  seconds: number,
  members = 200,
  measured = 20,
  fanoutLimit?: number,
): Promise<FanoutRow> {
  const server = await ServerProcess.start({ engine: 'native', fanoutLimit });
  const connect = (name: string, address: string) =>
    ChatClient.connect({ name, host: '127.0.0.1', port: server.port, localAddress: address, engine: ENGINES.native });
  const room: ChatClient[] = [];
  await pool(members, 4, async (i) => void room.push(await connect(`m${i}`, `127.0.1.${(i % 250) + 1}`)));
  const heavies = await Promise.all(Array.from({ length: heavy }, (_, i) => connect(`heavy${i}`, `127.0.2.${i + 1}`)));
  for (const h of heavies) drainUnopened(h);
  const timers = room.slice(0, measured);
  for (const member of room.slice(measured)) drainUnopened(member);
  let honestDropped = 0;
  const sentAt = new Map<string, number>();
  const remaining = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  for (const member of timers) {
    member.on('event', (event) => {
      if (event.type === 'leave' && event.reason === 'ERR_SLOW_CONSUMER' && event.name.startsWith('m')) honestDropped++;
      if (event.type !== 'message' || !event.text.startsWith('h')) return;
      delivered++;
      const left = (remaining.get(event.text) ?? 0) - 1;
      remaining.set(event.text, left);
      if (left === 0) {
        latencies.push(performance.now() - (sentAt.get(event.text) as number));
        remaining.delete(event.text);
      }
    });
  }
  await sleep(300);
  await server.stats(); // resets the stall monitor
  const before = await server.stats();
  const heavyText = (i: number) => `x${i} ${'y'.repeat(4096 - 2 - String(i).length)}`;
  let heavySent = 0;
  let heavyHeard = 0;
  timers[0]?.on('event', (event) => void (event.type === 'message' && event.from.startsWith('heavy') && heavyHeard++));
  const started = performance.now();
  const heavyLoop = setInterval(() => {
    // 190 lines a second each, in ticks of 10 ms (about 2 lines a tick).
    const due = Math.floor(((performance.now() - started) / 1000) * 190);
    for (; heavySent < due; heavySent++) for (const h of heavies) if (!h.closed) h.say(heavyText(heavySent));
  }, 10);
  let honestSent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * 200);
    for (; honestSent < due; honestSent++) {
      const text = `h${honestSent}`;
      sentAt.set(text, performance.now());
      remaining.set(text, measured);
      (timers[honestSent % timers.length] as ChatClient).say(text);
    }
    await sleep(5);
  }
  clearInterval(heavyLoop);
  const elapsed = (performance.now() - started) / 1000;
  const deadline = performance.now() + 20_000;
  while (remaining.size > 0 && performance.now() < deadline) await sleep(20);
  const after = await server.stats();
  for (const member of [...room, ...heavies]) member.destroy();
  await server.stop();
  latencies.sort((a, b) => a - b);
  return {
    heavy,
    members,
    honestLinesPerSecond: honestSent / elapsed,
    honestP50Ms: percentile(latencies, 50),
    honestP99Ms: percentile(latencies, 99),
    honestLost: honestSent * measured - delivered,
    honestDropped,
    serverStallMs: after.loopMaxMs,
    heavyLinesPerSecond: heavy === 0 ? 0 : heavyHeard / heavy / elapsed,
    serverCpuPercent: ((after.cpuMs - before.cpuMs) / (elapsed * 1000)) * 100,
  };
}

if (process.argv[1]?.endsWith('fanout.ts')) {
  const limit = process.env.FANOUT_LIMIT === undefined ? undefined : Number(process.env.FANOUT_LIMIT);
  for (const heavy of [0, 1, 3])
    console.log(JSON.stringify(await benchFanout(heavy, Number(process.env.BENCH_SECONDS ?? 5), 200, 20, limit)));
}
