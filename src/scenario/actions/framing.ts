import net from 'node:net';
import { DhlabError } from '../../errors.ts';
import { naiveMessages, startResegmenter, type Segment } from '../../insecure/resegment.ts';
import type { Action } from '../types.ts';
import type { ActionContext } from './action-context.ts';
import { listen } from '../../net/listen.ts';

/** Shown in a transcript line: a long text cut, newlines and all, so one line stays one line. */
const excerpt = (text: string, max = 40) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

/** A long chat line of exactly `bytes` ASCII bytes, the same every run. */
export function longText(bytes: number): string {
  return 'the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(bytes / 45)).slice(0, bytes);
}

/**
 * Lesson 12, the original's reader: a sender writes the texts one by one, then a long message; a
 * relay delivers all the texts as one segment and the long message as another; the reader takes
 * each recv(1024) for one message. Real TCP on both legs; the relay writes a segment only once the
 * reader has read the one before (as when messages came a millisecond apart). The reader's reads
 * are real; recv(1024) is applied to what each found waiting.
 */
export async function naiveRead(
  world: ActionContext,
  action: Extract<Action, { kind: 'naive_read' }>,
): Promise<string[]> {
  const texts = action.texts.map((t) => Buffer.from(t, 'utf8'));
  const long = Buffer.from(longText(action.long), 'utf8');
  const textBytes = texts.reduce((n, t) => n + t.length, 0);
  const total = textBytes + long.length;
  let received = Buffer.alloc(0);
  // What each of the reader's reads found waiting (a 64 KiB read buffer: all of it).
  const reads: Buffer[] = [];
  const waiters = new Set<() => void>();
  const until = async (done: () => boolean) => {
    while (!done()) {
      await new Promise<void>((resolve) => {
        waiters.add(resolve);
      });
    }
  };
  const receiver = net.createServer((socket) =>
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      reads.push(chunk);
      for (const wake of waiters) wake();
      waiters.clear();
    }),
  );
  const { port: receiverPort } = await listen(receiver, 0, '127.0.0.1');
  const segments: Segment[] = [];
  const relay = await startResegmenter({
    targetPort: receiverPort,
    // Every text in one segment, then the long message in another; nothing after it.
    nextSize: (_connection, offset) =>
      offset < textBytes ? textBytes - offset : offset < total ? total - offset : Infinity,
    flushWhenIdle: false,
    onSegment: (segment) => segments.push(segment),
    afterSegment: (segment) => until(() => received.length >= segment.offset + segment.bytes.length),
  });
  const sender = net.connect({ host: '127.0.0.1', port: relay.port });
  try {
    sender.setNoDelay(true);
    for (const text of [...texts, long]) sender.write(text);
    await until(() => received.length >= total);
  } finally {
    sender.destroy();
    await relay.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
  if (!received.equals(Buffer.concat([...texts, long])))
    throw new DhlabError('ERR_SCENARIO', `${world.scenario.file}: naive_read: the bytes did not arrive as sent`);
  // recv(1024) on what a read found: the first 1024 bytes, then the next call takes the next 1024.
  const messages = reads.flatMap((chunk) => naiveMessages(chunk));
  world.setValue('naive.first', Buffer.from(messages[0] ?? []).toString('utf8'));
  world.setValue('naive.count', BigInt(messages.length));
  return [
    `the sender writes ${action.texts.map((t) => excerpt(t)).join(', then ')}, then a ${long.length}-byte message: ${action.texts.length + 1} writes, ${total} bytes`,
    ...segments.map((s, i) => `segment ${i + 1} on the wire: ${s.bytes.length} bytes`),
    `the reader's socket had ${reads.map((r) => r.length).join(', then ')} bytes waiting when it read`,
    ...messages.map(
      (m, i) =>
        `what recv(1024) returns, call ${i + 1} = message ${i + 1}: ${m.length} bytes ${excerpt(Buffer.from(m).toString('utf8'))}`,
    ),
    `${action.texts.length + 1} messages were sent; the reader printed ${messages.length}`,
  ];
}

/**
 * Lesson 12, dhlab's framing: `from` sends the texts and a long line in one write; the resegmenter
 * in front of the server cuts that stream at seeded sizes, merging frames and splitting them; the
 * server's reader reassembles every frame by its length prefix, and the others receive each line
 * exactly.
 */
export async function sayTogether(
  world: ActionContext,
  action: Extract<Action, { kind: 'say_together' }>,
): Promise<string[]> {
  const client = world.clients.get(action.from);
  if (!client || client.closed) return [`${action.from} is not connected: nothing sent`];
  const long = action.long > 0 ? longText(action.long) : null;
  const lines = [...action.texts, ...(long ? [long] : [])];
  const others = [...world.clients].filter(([name, c]) => name !== action.from && !c.closed).map(([name]) => name);
  const firstSegment = world.segments.length;
  const readsBefore = new Map([...world.serverReads].map(([port, reads]) => [port, reads.length]));
  client.sayTogether(lines);
  const heard = (who: string, text: string) =>
    (world.received.get(who) ?? []).some((e) => e.type === 'message' && e.from === action.from && e.text === text);
  await world.until(() =>
    others.every((who) => world.clients.get(who)?.closed === true || lines.every((text) => heard(who, text))),
  );
  if (long) world.setValue('framing.long_received', others.every((who) => heard(who, long)) ? 'exactly' : 'differs');
  const fresh = world.segments.slice(firstSegment).filter((s) => s.client === action.from);
  const ports = new Set(fresh.map((s) => s.relayPort));
  const reads = [...ports].flatMap((port) => (world.serverReads.get(port) ?? []).slice(readsBefore.get(port) ?? 0));
  const oneEach = reads.join() === fresh.map((s) => s.bytes.length).join();
  world.setValue('framing.server_reads', BigInt(reads.length));
  return [
    `${action.from} writes ${lines.length} chat frames at once: ${lines.map((l) => (l === long ? `a ${l.length}-byte line` : excerpt(l))).join(', ')}`,
    ...fresh.map((s) => `segment at ${s.offset}: ${s.bytes.length} bytes = ${s.carries}`),
    `the server's socket gave it ${reads.length} reads (${reads.join(', ')} bytes)${oneEach ? ', one per segment' : ` for ${fresh.length} segments`}; its frame reader found every frame by its 4-byte length`,
    `${others.join(', ') || 'nobody'} received ${lines.length} lines, each exactly as sent`,
  ];
}
