// npm run bench: real servers (in a child process) and real clients over loopback.
// Prints a table and writes bench/results.json. Not a test: numbers, not pass/fail.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChatClient } from '../src/client/chat-client.ts';
import { ENGINES } from '../src/crypto/engines.ts';
import { pool } from '../test/support/helpers.ts';
import { ServerProcess } from '../test/support/server-process.ts';
import { benchStorm, storm, type StormRow } from './storm.ts';
import { benchFanout, drainUnopened, socketOf, type FanoutRow } from './fanout.ts';
import { ADMISSION_DEFAULTS } from '../src/server/admission.ts';
import type net from 'node:net';
import { percentile, sleep } from '../test/support/timing.ts';

const HERE = import.meta.dirname;
const QUICK = process.argv.includes('--quick');
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length); // handshakes | broadcast | memory | storm | slow | fanout
const runs = (section: string) => !ONLY || ONLY === section;

/** The server under test runs in its own process (test/support/server-process.ts) so its CPU and RSS are its own. */
const BenchServer = {
  start: (config: { engine: string; rateLimit?: number } & Record<string, unknown>) =>
    ServerProcess.start(config, process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
};

const connect = (port: number, name: string, localAddress?: string) =>
  ChatClient.connect({ name, host: '127.0.0.1', port, localAddress, engine: ENGINES.native });

function opensslLimit(): { derivesPerSecond: number; handshakesPerSecond: number } | null {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', '3', 'ffdh2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /2048 bits ffdh\s+[\d.]+s\s+([\d.]+)/.exec(out);
    if (!match) return null;
    const derives = Number(match[1]);
    // A handshake costs one key generation plus one derive: two modular exponentiations.
    return { derivesPerSecond: derives, handshakesPerSecond: derives / 2 };
  } catch {
    return null;
  }
}

async function benchHandshakes(engine: string, total: number, concurrency: number) {
  const server = await BenchServer.start({ engine });
  await pool(20, 10, async (i) => (await connect(server.port, `warm${i}`)).destroy()); // JIT warm-up
  await sleep(100);
  const before = await server.stats();
  const started = performance.now();
  await pool(total, concurrency, async (i) => {
    const client = await connect(server.port, `hs${i}`);
    client.destroy();
  });
  const seconds = (performance.now() - started) / 1000;
  const after = await server.stats();
  await server.stop();
  const cpuPerHandshake = (after.cpuMs - before.cpuMs) / total;
  return {
    engine,
    total,
    concurrency,
    handshakesPerSecond: total / seconds,
    serverCpuMsPerHandshake: cpuPerHandshake,
    serverCapacityPerSecond: 1000 / cpuPerHandshake,
  };
}

interface BroadcastResult {
  engine: string;
  clients: number;
  senders: 'one' | 'all';
  messages: number;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  lost: number;
  serverCpuPercent: number;
  /** This process: the clients' decryption and parsing (on 2 cores, often the bottleneck). */
  clientCpuPercent: number;
  offeredRate?: number;
  /** With slowReaders: seconds into the run when each was dropped with ERR_SLOW_CONSUMER. */
  stalledDroppedS?: number;
  slowDroppedS?: number;
  stormHandshakesPerSecond?: number;
  stormRefusedPerSecond?: number;
}

/** Reads from a socket at about `bytesPerSecond`, in tenths of a second (a reader on a slow link). */
function throttle(socket: net.Socket, bytesPerSecond: number): NodeJS.Timeout {
  const tick = bytesPerSecond / 10;
  let budget = tick;
  socket.on('data', (chunk: Buffer) => {
    budget -= chunk.length;
    if (budget <= 0) socket.pause();
  });
  return setInterval(() => {
    budget = Math.min(tick, budget + tick);
    if (budget > 0) socket.resume();
  }, 100);
}

/**
 * Joins `clients` members, then sends `messages` chat lines (from one member or round-robin from
 * all) with at most `window` not yet delivered everywhere, or at a fixed offered rate. Latency is
 * send to the last recipient's receipt; lost = deliveries expected minus seen, after a drain.
 */
async function benchBroadcast(opts: {
  engine: string;
  clients: number;
  senders: 'one' | 'all';
  messages: number;
  window?: number;
  rate?: number;
  rateLimit?: number;
  /** Bytes of padding per chat line (default none: "m123"). */
  textBytes?: number;
  /** Also a member that never reads and one that reads 50 KB/s (hardening item 4). */
  slowReaders?: boolean;
  /** During the run, 8 addresses (127.0.0.2-9) each keep 8 zero-cost handshakes in flight (item 3). */
  storm?: boolean;
  /** Server flags (admission limits); with them each member connects from its own 127.0.1.x. */
  limits?: Record<string, number | null>;
  /**
   * Members that decrypt and time every line (default all). The others still read every byte at
   * once but drop it unopened: the server's work is the same, and the one process that plays 100
   * clients on a 2-core machine stops being what the numbers measure.
   */
  measured?: number;
}): Promise<BroadcastResult> {
  // A row that lifts the request limit measures throughput: the fan-out pacing is lifted with it.
  const fanoutLimit = opts.rateLimit === undefined ? undefined : 1e12;
  const server = await BenchServer.start({ engine: opts.engine, rateLimit: opts.rateLimit, fanoutLimit, ...opts.limits });
  const members: ChatClient[] = [];
  const from = (i: number) => (opts.limits ? `127.0.1.${i + 1}` : undefined); // a class: one address per student
  await pool(opts.clients, opts.limits ? 4 : 50, async (i) => void members.push(await connect(server.port, `m${i}`, from(i))));
  let started = performance.now();
  const dropped = new Map<string, number>();
  const laggards: ChatClient[] = [];
  let slowTimer: NodeJS.Timeout | undefined;
  if (opts.slowReaders) {
    const stalled = await connect(server.port, 'stalled');
    socketOf(stalled).pause();
    const slow = await connect(server.port, 'slow');
    slowTimer = throttle(socketOf(slow), 50_000);
    laggards.push(stalled, slow);
    members[0]?.on('event', (event) => {
      if (event.type === 'leave' && event.reason === 'ERR_SLOW_CONSUMER') dropped.set(event.name, (performance.now() - started) / 1000);
    });
  }
  await sleep(200);
  const sentAt = new Map<string, number>();
  const remaining = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let wake = () => {};
  const measured = Math.min(opts.measured ?? opts.clients, opts.clients);
  for (const member of members.slice(measured)) drainUnopened(member);
  for (const member of members.slice(0, measured)) {
    member.on('event', (event) => {
      if (event.type !== 'message') return;
      delivered++;
      const left = (remaining.get(event.text) ?? 0) - 1;
      remaining.set(event.text, left);
      if (left === 0) {
        latencies.push(performance.now() - (sentAt.get(event.text) as number));
        remaining.delete(event.text);
        wake();
      }
    });
  }
  const tally = { served: 0, refused: 0 };
  const stops = opts.storm ? Array.from({ length: 8 }, (_, i) => storm(server.port, `127.0.0.${i + 2}`, 8, tally)) : [];
  if (opts.storm) await sleep(500);
  const before = await server.stats();
  const cpuBefore = process.cpuUsage();
  started = performance.now();
  const padding = opts.textBytes ? ` ${'x'.repeat(opts.textBytes)}` : '';
  const send = (i: number) => {
    const sender = members[opts.senders === 'one' ? 0 : i % members.length] as ChatClient;
    const text = `m${i}${padding}`;
    sentAt.set(text, performance.now());
    remaining.set(text, measured);
    sender.say(text);
  };
  if (opts.rate) {
    const interval = 1000 / opts.rate;
    for (let i = 0; i < opts.messages; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      send(i);
    }
  } else {
    const window = opts.window ?? 64;
    for (let i = 0; i < opts.messages; i++) {
      while (remaining.size >= window) await new Promise<void>((resolve) => (wake = resolve));
      send(i);
    }
  }
  const deadline = performance.now() + 30_000;
  while (remaining.size > 0 && performance.now() < deadline) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 50)));
  const seconds = (performance.now() - started) / 1000;
  const after = await server.stats();
  const cpu = process.cpuUsage(cpuBefore);
  for (const stop of stops) stop();
  if (slowTimer) clearInterval(slowTimer);
  for (const member of [...members, ...laggards]) member.destroy();
  await server.stop();
  latencies.sort((a, b) => a - b);
  return {
    engine: opts.engine,
    clients: opts.clients,
    senders: opts.senders,
    messages: opts.messages,
    offeredRate: opts.rate,
    messagesPerSecond: opts.messages / seconds,
    deliveriesPerSecond: delivered / seconds,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    lost: opts.messages * measured - delivered,
    serverCpuPercent: ((after.cpuMs - before.cpuMs) / (seconds * 1000)) * 100,
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
    stormHandshakesPerSecond: opts.storm ? tally.served / seconds : undefined,
    stormRefusedPerSecond: opts.storm ? tally.refused / seconds : undefined,
    stalledDroppedS: dropped.get('stalled'),
    slowDroppedS: dropped.get('slow'),
  };
}

/**
 * Idle members: they join, read and decrypt what the room sends (joins, once a second in a room
 * this large), and say nothing. A newcomer then joins and waits for its own echo.
 */
async function benchMemory(clients: number) {
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
  if (failed > 0) console.log(`  ${failed} of ${clients} could not connect: ${[...why].map(([code, n]) => `${code} ${n}`).join(', ')} (${firstFailure})`);
  const joined = await server.stats();
  console.log(`  ${clients} joins: the server's event loop stalled at most ${joined.loopMaxMs.toFixed(0)} ms`);
  await sleep(500);
  const loaded = await server.stats();
  // Still responsive? A newcomer joins and hears its own message back.
  const started = performance.now();
  const probe = await connect(server.port, 'probe');
  const heard = new Promise<void>((resolve) => probe.on('event', (e) => e.type === 'message' && e.from === 'probe' && resolve()));
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

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, node: process.version },
  };
  console.log(`dhlab bench on ${os.cpus().length} cores, ${process.version}${QUICK ? ' (quick)' : ''}`);

  const openssl = opensslLimit();
  results.openssl = openssl;
  const handshakes = [];
  for (const engine of runs('handshakes') ? ['native', 'forge'] : []) {
    handshakes.push(await benchHandshakes(engine, engine === 'native' ? (QUICK ? 300 : 2000) : QUICK ? 30 : 200, 64));
  }
  results.handshakes = handshakes;
  console.log('\nHandshakes (group 14, 256-bit exponents; clients in this process, server in its own)');
  console.log('engine  handshakes/s  server CPU ms/handshake  server capacity/s  vs OpenSSL limit');
  for (const h of handshakes) {
    const ratio = openssl
      ? `${fmt(h.serverCapacityPerSecond / openssl.handshakesPerSecond, 2)} of ${fmt(openssl.handshakesPerSecond)}/s`
      : 'openssl not installed';
    console.log(
      `${h.engine.padEnd(7)} ${fmt(h.handshakesPerSecond).padStart(12)}  ${fmt(h.serverCpuMsPerHandshake, 3).padStart(23)}  ${fmt(h.serverCapacityPerSecond).padStart(17)}  ${ratio}`,
    );
  }

  const broadcast: BroadcastResult[] = [];
  const sizes = !runs('broadcast') ? [] : QUICK ? [10, 100] : [10, 100, 1000];
  for (const clients of sizes) {
    for (const senders of ['one', 'all'] as const) {
      const messages = QUICK ? 500 : clients === 1000 ? 1000 : 5000;
      broadcast.push(await benchBroadcast({ engine: 'native', clients, senders, messages, window: 256, rateLimit: 1_000_000 }));
    }
  }
  if (runs('broadcast')) {
    broadcast.push(await benchBroadcast({ engine: 'native', clients: 100, senders: 'all', messages: QUICK ? 1000 : 5000, rate: 1000 }));
    broadcast.push(await benchBroadcast({ engine: 'forge', clients: 100, senders: 'all', messages: QUICK ? 200 : 1000, window: 256, rateLimit: 1_000_000 }));
  }
  results.broadcast = broadcast;
  console.log('\nBroadcast (every message to every member, the sender included)');
  console.log('engine  clients senders  offered   msgs/s  deliveries/s  p50 ms  p99 ms  lost  server CPU');
  for (const b of broadcast) {
    console.log(
      `${b.engine.padEnd(7)} ${String(b.clients).padStart(7)} ${b.senders.padEnd(7)} ${(b.offeredRate ? `${b.offeredRate}/s` : 'max').padStart(8)} ${fmt(b.messagesPerSecond).padStart(8)}  ${fmt(b.deliveriesPerSecond).padStart(12)}  ${fmt(b.latencyP50Ms, 1).padStart(6)}  ${fmt(b.latencyP99Ms, 1).padStart(6)}  ${String(b.lost).padStart(4)}  ${fmt(b.serverCpuPercent).padStart(9)}%`,
    );
  }

  const memory = [];
  for (const clients of !runs('memory') ? [] : QUICK ? [1000] : [1000, 10_000]) memory.push(await benchMemory(clients));
  results.memory = memory;
  console.log('\nIdle connections (server RSS)');
  console.log('clients  connections  RSS MiB  bytes/client  join+echo ms at that load');
  for (const m of memory)
    console.log(
      `${String(m.clients).padStart(7)}  ${String(m.connections).padStart(11)}  ${fmt(m.rssLoadedMiB, 1).padStart(7)}  ${fmt(m.bytesPerClient).padStart(12)}  ${fmt(m.joinAndEchoMs, 1)}`,
    );

  const storms: StormRow[] = [];
  if (runs('storm')) {
    const seconds = QUICK ? 3 : 8;
    const defaults = { ...ADMISSION_DEFAULTS }; // the server's classroom defaults: 16 connections, 4 handshakes, 10/s per address
    const none = { maxPerAddress: null, maxHandshakesPerAddress: null, connectRatePerAddress: null };
    storms.push(await benchStorm('calm', defaults, false, seconds));
    storms.push(await benchStorm('storm, no per-address limits', none, true, seconds));
    storms.push(await benchStorm('storm, default per-address limits', defaults, true, seconds));
  }
  if (runs('storm')) {
    // The issue's row: 100 members chatting at 1,000 lines/s while 8 addresses storm the server.
    const busy = { engine: 'native', clients: 100, measured: 10, senders: 'all' as const, messages: QUICK ? 3000 : 8000, rate: 1000 };
    const none = { maxPerAddress: null, maxHandshakesPerAddress: null, connectRatePerAddress: null };
    for (const [label, extra] of [
      ['100 members at 1,000/s, calm', {}],
      ['100 members at 1,000/s, storm, no limits', { storm: true, limits: none }],
      ['100 members at 1,000/s, storm, default limits', { storm: true, limits: { ...ADMISSION_DEFAULTS } }],
    ] as const) {
      const row = await benchBroadcast({ ...busy, ...extra });
      storms.push({
        case: label,
        chatP50Ms: row.latencyP50Ms,
        chatP99Ms: row.latencyP99Ms,
        newcomerJoinMs: NaN,
        stormHandshakesPerSecond: row.stormHandshakesPerSecond ?? 0,
        stormRefusedPerSecond: row.stormRefusedPerSecond ?? 0,
      });
    }
  }
  results.storm = storms;
  console.log('\nHandshake storm: 8 addresses x 8 zero-cost handshakes in flight; alice -> bob every 20 ms');
  console.log('case                                            chat p50 ms  chat p99 ms  newcomer join ms  storm served/s  refused/s');
  for (const r of storms)
    console.log(
      `${r.case.padEnd(46)}  ${fmt(r.chatP50Ms, 1).padStart(11)}  ${fmt(r.chatP99Ms, 1).padStart(11)}  ${fmt(r.newcomerJoinMs, 1).padStart(16)}  ${fmt(r.stormHandshakesPerSecond).padStart(14)}  ${fmt(r.stormRefusedPerSecond).padStart(9)}`,
    );

  const slowRows: BroadcastResult[] = [];
  if (runs('slow')) {
    // 100 chatters at 1,000 lines/s of ~420 bytes: about 450 KB/s to each member, so a reader
    // at 50 KB/s falls behind by ~400 KB/s and one that stopped by all of it.
    const base = { engine: 'native', clients: 100, measured: 10, senders: 'all' as const, messages: QUICK ? 5000 : 15_000, rate: 1000, textBytes: 400 };
    slowRows.push(await benchBroadcast(base));
    slowRows.push(await benchBroadcast({ ...base, slowReaders: true }));
  }
  results.slowReaders = slowRows;
  console.log('\nSlow readers: 100 chatters at 1,000 lines/s (420 B each), with and without a stalled and a 50 KB/s reader');
  console.log('case                         p50 ms  p99 ms  lost (honest)  stalled dropped at  slow dropped at  server CPU  clients CPU');
  for (const r of slowRows) {
    const at = (s: number | undefined) => (s === undefined ? (r === slowRows[0] ? '-' : 'not dropped') : `${fmt(s, 1)} s`);
    console.log(
      `${(r === slowRows[0] ? 'honest members only' : '+ 1 stalled, 1 at 50 KB/s').padEnd(27)}  ${fmt(r.latencyP50Ms, 1).padStart(6)}  ${fmt(r.latencyP99Ms, 1).padStart(6)}  ${String(r.lost).padStart(13)}  ${at(r.stalledDroppedS).padStart(18)}  ${at(r.slowDroppedS).padStart(15)}  ${fmt(r.serverCpuPercent).padStart(9)}%  ${fmt(r.clientCpuPercent).padStart(10)}%`,
    );
  }

  const fanout: FanoutRow[] = [];
  if (runs('fanout')) for (const heavy of [0, 1, 3]) fanout.push(await benchFanout(heavy, QUICK ? 3 : 8));
  results.fanout = fanout;
  console.log('\nFan-out: 200 members (own addresses, default limits), 200 short lines/s, 20 timing every line;');
  console.log('heavy members each send 4,096-byte lines at 190/s (under the line limit), paced by --fanout-limit');
  console.log('heavy  honest p50 ms  honest p99 ms  server stall ms  honest dropped  heavy lines/s each  server CPU');
  for (const r of fanout)
    console.log(
      `${String(r.heavy).padStart(5)}  ${fmt(r.honestP50Ms, 1).padStart(13)}  ${fmt(r.honestP99Ms, 1).padStart(13)}  ${fmt(r.serverStallMs, 0).padStart(15)}  ${String(r.honestDropped).padStart(14)}  ${fmt(r.heavyLinesPerSecond, 1).padStart(18)}  ${fmt(r.serverCpuPercent).padStart(9)}%`,
    );

  if (!ONLY && !QUICK) fs.writeFileSync(path.join(HERE, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  if (!ONLY && !QUICK) console.log('\nwritten to bench/results.json');
}

await main();
