// The handshake-storm rows of `npm run bench` (hardening item 3): what two honest members feel
// while 8 other addresses flood the server with zero-cost handshakes (hello + client_key y = 4
// in one write: the attacker does no modular exponentiation, the server does two).
import net from 'node:net';
import { ChatClient } from '../src/client/chat-client.ts';
import { ENGINES } from '../src/crypto/engines.ts';
import { GROUPS } from '../src/crypto/groups.ts';
import { encodeFrame, FrameDecoder, parseFramePayload } from '../src/protocol/frame.ts';
import { ServerProcess } from '../test/support/server-process.ts';
import { percentile, sleep } from '../test/support/timing.ts';

const Y4 = (4).toString(16).padStart(GROUPS.modp14.byteLength * 2, '0');

/** One attacker address keeping `inFlight` zero-cost handshakes going until stopped. */
export function storm(
  port: number,
  localAddress: string,
  inFlight: number,
  tally: { served: number; refused: number },
): () => void {
  let stopped = false;
  let n = 0;
  const one = () => {
    if (stopped) return;
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    const decoder = new FrameDecoder();
    const name = `s${localAddress.split('.')[3]}x${n++}`;
    socket.on('connect', () =>
      socket.write(
        Buffer.concat([encodeFrame({ type: 'hello', version: 1, name }), encodeFrame({ type: 'client_key', y: Y4 })]),
      ),
    );
    socket.on('data', (chunk) => {
      try {
        for (const payload of decoder.push(chunk)) {
          const type = parseFramePayload(payload).type;
          if (type === 'server_auth') tally.served++;
          if (type === 'error') tally.refused++;
          if (type === 'server_auth' || type === 'error') socket.destroy();
        }
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => setImmediate(one));
  };
  for (let i = 0; i < inFlight; i++) one();
  return () => void (stopped = true);
}

export interface StormRow {
  case: string;
  chatP50Ms: number;
  chatP99Ms: number;
  newcomerJoinMs: number;
  stormHandshakesPerSecond: number;
  stormRefusedPerSecond: number;
}

export async function benchStorm(
  label: string,
  limits: Record<string, number | null>,
  withStorm: boolean,
  seconds: number,
): Promise<StormRow> {
  const server = await ServerProcess.start({ engine: 'native', ...limits });
  const connect = (name: string) =>
    ChatClient.connect({ name, host: '127.0.0.1', port: server.port, engine: ENGINES.native });
  const alice = await connect('alice');
  const bob = await connect('bob');
  const tally = { served: 0, refused: 0 };
  const stops = withStorm ? Array.from({ length: 8 }, (_, i) => storm(server.port, `127.0.0.${i + 2}`, 8, tally)) : [];
  await sleep(500);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  bob.on('event', (e) => {
    if (e.type === 'message' && sentAt.has(e.text)) latencies.push(performance.now() - (sentAt.get(e.text) as number));
  });
  const started = performance.now();
  let newcomerJoinMs = NaN;
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    sentAt.set(`m${i}`, performance.now());
    alice.say(`m${i}`);
    if (i === 50) {
      const t = performance.now();
      const carol = await connect('carol');
      newcomerJoinMs = performance.now() - t;
      carol.destroy();
    }
    await sleep(20);
  }
  const elapsed = (performance.now() - started) / 1000;
  for (const stop of stops) stop();
  await sleep(300);
  latencies.sort((a, b) => a - b);
  alice.destroy();
  bob.destroy();
  await server.stop();
  return {
    case: label,
    chatP50Ms: percentile(latencies, 50),
    chatP99Ms: percentile(latencies, 99),
    newcomerJoinMs,
    stormHandshakesPerSecond: tally.served / elapsed,
    stormRefusedPerSecond: tally.refused / elapsed,
  };
}
