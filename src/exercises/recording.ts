import { bigintToBytes } from '../crypto/bytes.ts';
import { ENGINES } from '../crypto/engines.ts';
import { GROUPS } from '../crypto/groups.ts';
import { ClientSession } from '../protocol/client-session.ts';
import { hostIdentityFromSeed } from '../protocol/identity.ts';
import { ServerSession } from '../protocol/server-session.ts';
import { observationJson } from '../tap/observation-record.ts';
import { WireTap, type TapDirection } from '../tap/tap-proxy.ts';
import type { CaseSource } from './seeded.ts';

/**
 * What `dhlab eve --json` records of one connection in modp14 whose client uses a 32-bit private
 * exponent (the weakness of lesson 04), followed by the client's chat lines: the protocol core's
 * own sessions, joined in memory, watched by Eve's own tap. No socket, and the same bytes for the
 * same seed.
 */
export function weakExponentRecording(source: CaseSource, name: string, chats: string[]): string[] {
  const engine = ENGINES.native;
  const lines: string[] = [];
  const tap = new WireTap(1, (observation) => lines.push(observationJson(observation)));
  const inFlight: Array<{ dir: TapDirection; bytes: Uint8Array }> = [];
  const server = new ServerSession(
    {
      engine,
      group: GROUPS.modp14,
      host: hostIdentityFromSeed(engine, source.bytes(32, 'host key')),
      privateKey: source.bytes(32, 'server exponent'),
      admitName: () => {},
    },
    { send: (bytes) => inFlight.push({ dir: 'server->client', bytes }), event: () => {}, close: () => {} },
  );
  // 32 bits of exponent: 2^16 baby steps and 2^16 giant steps recover it (lesson 04).
  const weakExponent = (1n << 31n) | source.below(1n << 31n, 'client exponent');
  const client = new ClientSession(
    { engine, name, privateKey: bigintToBytes(weakExponent, 32) },
    { send: (bytes) => inFlight.push({ dir: 'client->server', bytes }), event: () => {}, close: () => {} },
  );
  const pump = () => {
    for (let item = inFlight.shift(); item; item = inFlight.shift()) {
      tap.observe(item.dir, item.bytes);
      (item.dir === 'client->server' ? server : client).feed(item.bytes);
    }
  };
  client.start();
  pump();
  server.send({ type: 'welcome', name, members: [name], count: 1 });
  pump();
  for (const [i, text] of chats.entries()) {
    client.send({ type: 'chat', text });
    server.send({ type: 'message', id: i + 1, from: name, text });
    pump();
  }
  return lines;
}
