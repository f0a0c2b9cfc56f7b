import net from 'node:net';
import { ChatClient } from '../../src/client/chat-client.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { ephemeralHostKey } from '../../src/server/host-key-file.ts';
import { encodeFrame, FrameDecoder, parseFramePayload, type WireFrame } from '../../src/protocol/frame.ts';
import type { ServerEvent } from '../../src/protocol/messages.ts';
import { ChatServer, type ChatServerOptions } from '../../src/server/chat-server.ts';

export async function startServer(options: Partial<ChatServerOptions> = {}) {
  const logs: string[] = [];
  const server = new ChatServer({
    engine: ENGINES.native,
    group: GROUPS.modp14,
    identity: ephemeralHostKey(ENGINES.native),
    host: '127.0.0.1',
    port: 0,
    log: (line) => logs.push(line),
    // Every test client comes from 127.0.0.1: admission limits are tested on their own (admission.test.ts).
    maxPerAddress: Infinity,
    maxHandshakesPerAddress: Infinity,
    connectRatePerAddress: Infinity,
    ...options,
  });
  const { port } = await server.listen();
  return { server, port, logs };
}

export interface Member {
  client: ChatClient;
  events: ServerEvent[];
  messages(): Array<{ from: string; text: string }>;
}

export async function join(port: number, name: string): Promise<Member> {
  const events: ServerEvent[] = [];
  const client = await ChatClient.connect({
    name,
    host: '127.0.0.1',
    port,
    engine: ENGINES.native,
    onEvent: (event) => events.push(event),
  });
  return {
    client,
    events,
    messages: () => events.flatMap((e) => (e.type === 'message' ? [{ from: e.from, text: e.text }] : [])),
  };
}

/** Runs `task` for 0..n-1 with at most `width` in flight. */
export async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw TCP peer that speaks frames (or not) by hand, and records what the server sends back. */
export class RawPeer {
  readonly socket: net.Socket;
  readonly frames: WireFrame[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      for (const payload of this.decoder.push(chunk)) this.frames.push(parseFramePayload(payload));
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  sendFrame(frame: WireFrame): void {
    this.socket.write(encodeFrame(frame));
  }

  async nextFrame(type: string): Promise<WireFrame> {
    await waitFor(() => this.frames.some((f) => f.type === type), `a ${type} frame`);
    return this.frames.find((f) => f.type === type) as WireFrame;
  }

  /** Waits for the server to close us and returns the error code it sent first, if any. */
  async closedWith(): Promise<string | undefined> {
    await this.closed;
    return this.frames.find((f) => f.type === 'error')?.code as string | undefined;
  }
}

/**
 * The room still works: each member says something and every member receives every line,
 * and a newcomer can still join.
 */
export async function assertRoomWorks(port: number, members: Member[], tag: string): Promise<void> {
  const before = members.map((m) => m.messages().length);
  for (const member of members) member.client.say(`${tag} from ${member.client.name}`);
  await waitFor(
    () => members.every((m, i) => m.messages().length >= (before[i] as number) + members.length),
    `${tag} delivered`,
  );
  const newcomer = await join(port, `newcomer-${tag}`.slice(0, 32));
  await newcomer.client.quit();
}

/**
 * A suite's `skip` for a Debian tool it drives: the reason when the tool is missing here, but never
 * in CI (CI=true), where .ci/run installs every such tool: there a missing tool fails the suite
 * instead of hiding it.
 */
export function unlessInstalled(installed: boolean, why: string): string | false {
  return !installed && process.env.CI !== 'true' && why;
}
