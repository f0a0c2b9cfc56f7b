// npm run bench: real servers (in a child process) and real clients over loopback.
// Prints a table and writes bench/results.json. Not a test: numbers, not pass/fail.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChatClient } from '../src/client/chat-client.ts';
import { pool } from '../test/support/helpers.ts';
import { benchStorm, storm, type StormRow } from './storm.ts';
import { benchFanout, drainUnopened, socketOf, type FanoutRow } from './fanout.ts';
import { benchStart, type StartRow } from './start.ts';
import { BenchServer, connect } from './bench-server.ts';
import { benchMemory } from './memory.ts';
import { ADMISSION_DEFAULTS } from '../src/server/admission.ts';
import type net from 'node:net';
import { percentile, sleep } from '../test/support/timing.ts';

const HERE = import.meta.dirname;
const QUICK = process.argv.includes('--quick');
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length); // one of SECTIONS
const runs = (section: string) => !ONLY || ONLY === section;

function opensslLimit(): { derivesPerSecond: number; handshakesPerSecond: number } | null {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', '3', 'ffdh2048'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
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
  const server = await BenchServer.start({
    engine: opts.engine,
    rateLimit: opts.rateLimit,
    fanoutLimit,
    ...opts.limits,
  });
  const members: ChatClient[] = [];
  const from = (i: number) => (opts.limits ? `127.0.1.${i + 1}` : undefined); // a class: one address per student
  await pool(
    opts.clients,
    opts.limits ? 4 : 50,
    async (i) => void members.push(await connect(server.port, `m${i}`, from(i))),
  );
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
      if (event.type === 'leave' && event.reason === 'ERR_SLOW_CONSUMER')
        dropped.set(event.name, (performance.now() - started) / 1000);
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
  while (remaining.size > 0 && performance.now() < deadline)
    await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 50)));
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
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '-';

const SECTIONS = ['start', 'handshakes', 'broadcast', 'memory', 'storm', 'slow', 'fanout'] as const;

/** A section's title and column header go out before it runs (some run for a minute), its rows after. */
function heading(...lines: string[]): void {
  console.log(`\n${lines.join('\n')}`);
}

async function main(): Promise<void> {
  if (ONLY !== undefined && !(SECTIONS as readonly string[]).includes(ONLY)) {
    console.error(`bench: no section "${ONLY}"; --only= takes one of ${SECTIONS.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
    },
  };
  console.log(
    `dhlab bench on ${os.cpus().length} cores, ${process.version}${QUICK ? ' (quick)' : ''}${ONLY ? `, only ${ONLY}` : ''}`,
  );

  if (runs('start')) {
    heading(
      'Start time: `dhlab --help`, 20 runs each (installed: the compiled JavaScript npm pack ships)',
      'what                               median ms  p90 ms',
    );
    results.start = benchStart(QUICK ? 5 : 20);
    for (const r of results.start as StartRow[])
      console.log(`${r.what.padEnd(33)}  ${fmt(r.medianMs).padStart(9)}  ${fmt(r.p90Ms).padStart(6)}`);
  }

  if (runs('handshakes')) {
    heading(
      'Handshakes (group 14, 256-bit exponents; clients in this process, server in its own)',
      'engine  handshakes/s  server CPU ms/handshake  server capacity/s  vs OpenSSL limit',
    );
    const openssl = opensslLimit();
    results.openssl = openssl;
    const handshakes = [];
    for (const engine of ['native', 'forge']) {
      const h = await benchHandshakes(engine, engine === 'native' ? (QUICK ? 300 : 2000) : QUICK ? 30 : 200, 64);
      handshakes.push(h);
      const ratio = openssl
        ? `${fmt(h.serverCapacityPerSecond / openssl.handshakesPerSecond, 2)} of ${fmt(openssl.handshakesPerSecond)}/s`
        : 'openssl not installed';
      console.log(
        `${h.engine.padEnd(7)} ${fmt(h.handshakesPerSecond).padStart(12)}  ${fmt(h.serverCpuMsPerHandshake, 3).padStart(23)}  ${fmt(h.serverCapacityPerSecond).padStart(17)}  ${ratio}`,
      );
    }
    results.handshakes = handshakes;
  }

  if (runs('broadcast')) {
    heading(
      'Broadcast (every message to every member, the sender included)',
      'engine  clients senders  offered   msgs/s  deliveries/s  p50 ms  p99 ms  lost  server CPU',
    );
    const broadcast: BroadcastResult[] = [];
    const show = (b: BroadcastResult) => {
      broadcast.push(b);
      console.log(
        `${b.engine.padEnd(7)} ${String(b.clients).padStart(7)} ${b.senders.padEnd(7)} ${(b.offeredRate ? `${b.offeredRate}/s` : 'max').padStart(8)} ${fmt(b.messagesPerSecond).padStart(8)}  ${fmt(b.deliveriesPerSecond).padStart(12)}  ${fmt(b.latencyP50Ms, 1).padStart(6)}  ${fmt(b.latencyP99Ms, 1).padStart(6)}  ${String(b.lost).padStart(4)}  ${fmt(b.serverCpuPercent).padStart(9)}%`,
      );
    };
    for (const clients of QUICK ? [10, 100] : [10, 100, 1000]) {
      for (const senders of ['one', 'all'] as const) {
        const messages = QUICK ? 500 : clients === 1000 ? 1000 : 5000;
        show(await benchBroadcast({ engine: 'native', clients, senders, messages, window: 256, rateLimit: 1_000_000 }));
      }
    }
    show(
      await benchBroadcast({
        engine: 'native',
        clients: 100,
        senders: 'all',
        messages: QUICK ? 1000 : 5000,
        rate: 1000,
      }),
    );
    show(
      await benchBroadcast({
        engine: 'forge',
        clients: 100,
        senders: 'all',
        messages: QUICK ? 200 : 1000,
        window: 256,
        rateLimit: 1_000_000,
      }),
    );
    results.broadcast = broadcast;
  }

  if (runs('memory')) {
    heading('Idle connections (server RSS)', 'clients  connections  RSS MiB  bytes/client  join+echo ms at that load');
    const memory = [];
    for (const clients of QUICK ? [1000] : [1000, 10_000]) {
      const m = await benchMemory(clients);
      memory.push(m);
      console.log(
        `${String(m.clients).padStart(7)}  ${String(m.connections).padStart(11)}  ${fmt(m.rssLoadedMiB, 1).padStart(7)}  ${fmt(m.bytesPerClient).padStart(12)}  ${fmt(m.joinAndEchoMs, 1)}`,
      );
    }
    results.memory = memory;
  }

  if (runs('storm')) {
    heading(
      'Handshake storm: 8 addresses x 8 zero-cost handshakes in flight; alice -> bob every 20 ms',
      'case                                            chat p50 ms  chat p99 ms  newcomer join ms  storm served/s  refused/s',
    );
    const storms: StormRow[] = [];
    const show = (r: StormRow) => {
      storms.push(r);
      console.log(
        `${r.case.padEnd(46)}  ${fmt(r.chatP50Ms, 1).padStart(11)}  ${fmt(r.chatP99Ms, 1).padStart(11)}  ${fmt(r.newcomerJoinMs, 1).padStart(16)}  ${fmt(r.stormHandshakesPerSecond).padStart(14)}  ${fmt(r.stormRefusedPerSecond).padStart(9)}`,
      );
    };
    const seconds = QUICK ? 3 : 8;
    const defaults = { ...ADMISSION_DEFAULTS }; // the server's classroom defaults: 16 connections, 4 handshakes, 10/s per address
    const none = { maxPerAddress: null, maxHandshakesPerAddress: null, connectRatePerAddress: null };
    show(await benchStorm('calm', defaults, false, seconds));
    show(await benchStorm('storm, no per-address limits', none, true, seconds));
    show(await benchStorm('storm, default per-address limits', defaults, true, seconds));
    // The issue's row: 100 members chatting at 1,000 lines/s while 8 addresses storm the server.
    const busy = {
      engine: 'native',
      clients: 100,
      measured: 10,
      senders: 'all' as const,
      messages: QUICK ? 3000 : 8000,
      rate: 1000,
    };
    for (const [label, extra] of [
      ['100 members at 1,000/s, calm', {}],
      ['100 members at 1,000/s, storm, no limits', { storm: true, limits: none }],
      ['100 members at 1,000/s, storm, default limits', { storm: true, limits: { ...ADMISSION_DEFAULTS } }],
    ] as const) {
      const row = await benchBroadcast({ ...busy, ...extra });
      show({
        case: label,
        chatP50Ms: row.latencyP50Ms,
        chatP99Ms: row.latencyP99Ms,
        newcomerJoinMs: NaN,
        stormHandshakesPerSecond: row.stormHandshakesPerSecond ?? 0,
        stormRefusedPerSecond: row.stormRefusedPerSecond ?? 0,
      });
    }
    results.storm = storms;
  }

  if (runs('slow')) {
    heading(
      'Slow readers: 100 chatters at 1,000 lines/s (420 B each), with and without a stalled and a 50 KB/s reader',
      'case                         p50 ms  p99 ms  lost (honest)  stalled dropped at  slow dropped at  server CPU  clients CPU',
    );
    // 100 chatters at 1,000 lines/s of ~420 bytes: about 450 KB/s to each member, so a reader
    // at 50 KB/s falls behind by ~400 KB/s and one that stopped by all of it.
    const base = {
      engine: 'native',
      clients: 100,
      measured: 10,
      senders: 'all' as const,
      messages: QUICK ? 5000 : 15_000,
      rate: 1000,
      textBytes: 400,
    };
    const slowRows: BroadcastResult[] = [];
    for (const slowReaders of [false, true]) {
      const r = await benchBroadcast({ ...base, slowReaders });
      slowRows.push(r);
      const at = (s: number | undefined) => (s === undefined ? (slowReaders ? 'not dropped' : '-') : `${fmt(s, 1)} s`);
      console.log(
        `${(slowReaders ? '+ 1 stalled, 1 at 50 KB/s' : 'honest members only').padEnd(27)}  ${fmt(r.latencyP50Ms, 1).padStart(6)}  ${fmt(r.latencyP99Ms, 1).padStart(6)}  ${String(r.lost).padStart(13)}  ${at(r.stalledDroppedS).padStart(18)}  ${at(r.slowDroppedS).padStart(15)}  ${fmt(r.serverCpuPercent).padStart(9)}%  ${fmt(r.clientCpuPercent).padStart(10)}%`,
      );
    }
    results.slowReaders = slowRows;
  }

  if (runs('fanout')) {
    heading(
      'Fan-out: 200 members (own addresses, default limits), 200 short lines/s, 20 timing every line;',
      'heavy members each send 4,096-byte lines at 190/s (under the line limit), paced by --fanout-limit',
      'heavy  honest p50 ms  honest p99 ms  server stall ms  honest dropped  heavy lines/s each  server CPU',
    );
    const fanout: FanoutRow[] = [];
    for (const heavy of [0, 1, 3]) {
      const r = await benchFanout(heavy, QUICK ? 3 : 8);
      fanout.push(r);
      console.log(
        `${String(r.heavy).padStart(5)}  ${fmt(r.honestP50Ms, 1).padStart(13)}  ${fmt(r.honestP99Ms, 1).padStart(13)}  ${fmt(r.serverStallMs, 0).padStart(15)}  ${String(r.honestDropped).padStart(14)}  ${fmt(r.heavyLinesPerSecond, 1).padStart(18)}  ${fmt(r.serverCpuPercent).padStart(9)}%`,
      );
    }
    results.fanout = fanout;
  }

  if (!ONLY && !QUICK) fs.writeFileSync(path.join(HERE, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  if (!ONLY && !QUICK) console.log('\nwritten to bench/results.json');
}

await main();
