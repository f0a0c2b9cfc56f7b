import fs from 'node:fs';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type { SupervisedProgram } from './supervisor.ts';

/*
 * The port a student's server is told to listen on. It must stay free between the grader's
 * check and the student's bind, while `dhlab class` grades several students at once: the grader
 * picks below the kernel's ephemeral range (where no connect() or bind(0) lands) and never hands
 * out a port twice at a time in one process.
 */

/** How long a server may take to accept connections after it starts. */
export const LISTEN_MS = 10_000;
/** The lowest port the grader hands out. */
const LOWEST = 20_000;

const handedOut = new Set<number>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first port of the kernel's ephemeral range (Linux); 32768 where it cannot be read. */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Listens on `port` (0: any) for a moment; resolves the port it got, or null when it is taken. */
function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(null));
    probe.listen(port, '127.0.0.1', () => {
      const { port: got } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(got));
    });
  });
}

/** A free port for a server to listen on, kept from other gradings in this process until released. */
export async function reservePort(): Promise<number> {
  const high = ephemeralLow();
  for (let tries = 0; high - LOWEST > 1000 && tries < 50; tries++) {
    const port = randomInt(LOWEST, high);
    if (handedOut.has(port) || (await tryListen(port)) === null) continue;
    handedOut.add(port);
    return port;
  }
  // A kernel whose ephemeral range starts low: any free port, as the kernel gives one.
  const port = (await tryListen(0)) as number;
  handedOut.add(port);
  return port;
}

export function releasePort(port: number): void {
  handedOut.delete(port);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until `port` accepts, the program has ended, or LISTEN_MS passed. */
export async function listening(port: number, program: SupervisedProgram): Promise<boolean> {
  const deadline = Date.now() + LISTEN_MS;
  while (program.running && Date.now() < deadline) {
    if (await accepts(port)) return true;
    await sleep(50);
  }
  return false;
}

/** What a server that could not bind its port prints, in the languages a class uses. */
export function portWasTaken(stderr: string): boolean {
  return /address already in use|EADDRINUSE|Errno 98/i.test(stderr);
}
