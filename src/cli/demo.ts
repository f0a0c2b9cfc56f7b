import { ChatClient } from '../client/chat-client.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import type { DhGroup } from '../crypto/groups.ts';
import { ephemeralHostKey } from '../server/host-key-file.ts';
import { narrate } from '../terminal/narrate.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { LoopbackRoom } from '../loopback/topology.ts';

/** What a line of the demo is, for its colour: the lab's and --trace's colours for trace lines. */
export type DemoStyle = 'heading' | 'public' | 'secret' | 'wire' | 'error' | 'prose';

export interface DemoOptions {
  engine: CryptoEngine;
  group: DhGroup;
  out: (line: string, style: DemoStyle) => void;
}

const styleOf = (event: TraceEvent): DemoStyle =>
  event.kind === 'error' ? 'error' : event.secret ? 'secret' : event.kind === 'wire' ? 'wire' : 'public';

const SCRIPT: ReadonlyArray<[speaker: 'alice' | 'bob' | 'carol', text: string]> = [
  ['alice', 'Hello bob and carol! This line is encrypted three times, once per key.'],
  ['bob', 'Hi alice — ça va? Unicode is fine here: 👋 日本語'],
  ['carol', 'Each of us agreed a different key with the server.'],
];

/**
 * `dhlab demo` (npm start): a real server and three real clients on loopback, narrated from the
 * trace events the protocol core emits. The plain-text fallback of the inspector.
 */
export async function runDemo({ engine, group, out }: DemoOptions): Promise<void> {
  const say = (line = '', style: DemoStyle = line.startsWith('== ') ? 'heading' : 'prose') => out(line, style);
  const identity = ephemeralHostKey(engine);
  const serverTrace = (id: number, event: TraceEvent, name: string | null) => {
    const line = narrate(event, 'server', name ?? `connection ${id}`);
    if (line) say(`  ${line}`, styleOf(event));
  };
  const room = await LoopbackRoom.start({
    server: { engine, group, identity, trace: serverTrace, revealSecrets: true },
  });
  const host = '127.0.0.1';
  const port = room.serverPort;

  say(`dhlab demo: Diffie-Hellman key agreement + AES-256-GCM chat on ${host}:${port} (crypto engine: ${engine.name})`);
  say(`The server's long-term Ed25519 host key is ${identity.fingerprint} (made for this demo only).`);
  say('Every value below comes from the trace events of the real protocol code; [secret] marks what Eve never sees.');

  const clients = new Map<string, ChatClient>();
  const received = new Map<string, ServerEvent[]>();
  for (const name of ['alice', 'bob', 'carol']) {
    say('');
    say(`== ${name} connects and agrees a key with the server ==`);
    received.set(name, []);
    const client = await ChatClient.connect({
      name,
      host,
      port,
      engine,
      revealSecrets: true,
      trace: (event) => {
        const line = narrate(event, name, 'server');
        if (line) say(`  ${line}`, styleOf(event));
      },
      onEvent: (event) => {
        received.get(name)?.push(event);
        for (const check of [...waiting]) check();
      },
    });
    clients.set(name, client);
    // Let the earlier members read the join announcement before the story moves on.
    await waitFor(() =>
      [...received.values()].every(
        (events, i) => i === received.size - 1 || events.some((e) => e.type === 'join' && e.name === name),
      ),
    );
    say(`  ${name} is in the room with: ${client.members.join(', ')}`);
  }

  for (const [speaker, text] of SCRIPT) {
    say('');
    say(`== ${speaker} says: ${text} ==`);
    const before = [...received.values()].map((events) => events.length);
    clients.get(speaker)?.say(text);
    await waitFor(() => [...received.values()].every((events, i) => events.length > (before[i] ?? 0)));
  }

  say('');
  say('== carol asks who is here, then leaves ==');
  const carol = clients.get('carol') as ChatClient;
  carol.who();
  await waitFor(() => received.get('carol')?.some((event) => event.type === 'who') ?? false);
  await carol.quit();
  await waitFor(() => received.get('alice')?.some((event) => event.type === 'leave') ?? false);

  say('');
  say('== the server shuts down and tells everyone why ==');
  await room.close('demo finished', clients.values(), 10_000);

  say('');
  say('What Eve saw on the wire: the group, both public values, the host key and signature, and');
  say('ciphertexts. Without a private exponent she cannot compute K, so every message stayed private.');
}

/** Checks re-run on every event a client receives: a step waits for what it needs, not for a clock. */
const waiting = new Set<() => void>();

function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      waiting.delete(check);
      clearTimeout(timer);
    };
    const check = () => {
      if (!condition()) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('demo step timed out'));
    }, timeoutMs);
    waiting.add(check);
    check();
  });
}
