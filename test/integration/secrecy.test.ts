import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/client/chat-client.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { bytesToBigint } from '../../src/crypto/bytes.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';
import { describeObservation, startTapProxy } from '../../src/tap/tap-proxy.ts';
import { startServer, waitFor } from '../support/helpers.ts';

const TEXTS = ['attack at dawn', 'the password is swordfish', 'café ☕ secret'];

/** Every way a secret value could be written down: hex, base64, decimal, and plaintext itself. */
function spellings(event: TraceEvent): string[] {
  const values: Uint8Array[] = [];
  switch (event.kind) {
    case 'private_key':
      values.push(event.x);
      break;
    case 'shared_secret':
      values.push(event.z);
      break;
    case 'hashed_secret':
      values.push(event.k);
      break;
    case 'session_keys':
      values.push(event.clientToServer, event.serverToClient);
      break;
    default:
      return [];
  }
  return values.flatMap((bytes) => {
    const hex = Buffer.from(bytes).toString('hex');
    return [
      hex,
      hex.slice(8, 40),
      Buffer.from(bytes).toString('base64').slice(0, 24),
      bytesToBigint(bytes).toString(10).slice(0, 30),
    ];
  });
}

async function chatThroughTap(revealSecrets: boolean) {
  const traces: TraceEvent[] = [];
  const { server, port, logs } = await startServer({ revealSecrets, trace: (_id, event) => traces.push(event) });
  const eve: string[] = [];
  const tap = await startTapProxy({
    listenPort: 0,
    targetHost: '127.0.0.1',
    targetPort: port,
    onObservation: (o) => eve.push(describeObservation(o)),
  });
  const connect = (name: string) =>
    ChatClient.connect({
      name,
      host: '127.0.0.1',
      port: tap.port,
      engine: ENGINES.native,
      revealSecrets,
      trace: (event) => traces.push(event),
    });
  const alice = await connect('alice');
  const bob = await connect('bob');
  let received = 0;
  bob.on('event', (event) => void (event.type === 'message' && received++));
  for (const text of TEXTS) alice.say(text);
  await waitFor(() => received === TEXTS.length, 'messages through the tap');
  await alice.quit();
  await bob.quit();
  await server.close();
  await tap.close();
  return { traces, eve, logs };
}

describe("secrets stay out of Eve's view, logs and default traces", () => {
  it('Eve sees the handshake and ciphertexts, and none of the secrets or plaintexts', async () => {
    const { traces, eve, logs } = await chatThroughTap(true);
    const view = eve.join('\n');
    // She does see what the protocol makes public.
    for (const type of ['hello', 'server_key', 'client_key', 'server_auth', 'data'])
      assert.match(view, new RegExp(`"type":"${type}"`));
    const publics = traces
      .filter((t) => t.kind === 'public_key')
      .map((t) => Buffer.from((t as { y: Uint8Array }).y).toString('hex'));
    assert.ok(publics.length >= 4 && publics.every((y) => view.includes(y)));

    const secrets = traces.flatMap(spellings);
    assert.ok(secrets.length >= 4 * 4 * 2, 'the secrets were traced, so the check below means something');
    for (const secret of [...secrets, ...TEXTS, 'swordfish']) {
      assert.equal(view.includes(secret), false, `Eve's view contains ${secret}`);
      assert.equal(logs.join('\n').includes(secret), false, `server log contains ${secret}`);
    }
    const plaintexts = traces
      .filter((t) => t.kind === 'open' || t.kind === 'seal')
      .map((t) => (t as { plaintext: string }).plaintext);
    assert.ok(plaintexts.some((p) => p.includes('swordfish')));
  });

  it('without revealSecrets no secret trace event is emitted, and no public event carries one', async () => {
    const revealed = await chatThroughTap(true);
    const secretKinds = new Set(revealed.traces.filter((t) => t.secret).map((t) => t.kind));
    assert.deepEqual([...secretKinds].sort(), [
      'hashed_secret',
      'open',
      'private_key',
      'seal',
      'session_keys',
      'shared_secret',
    ]);

    const quiet = await chatThroughTap(false);
    assert.equal(quiet.traces.filter((t) => t.secret).length, 0);
    assert.ok(quiet.traces.some((t) => t.kind === 'transcript'));
    const publicText = JSON.stringify(quiet.traces, (_k, value) =>
      value instanceof Uint8Array
        ? Buffer.from(value).toString('hex')
        : typeof value === 'bigint'
          ? value.toString(16)
          : value,
    );
    for (const text of TEXTS) assert.equal(publicText.includes(text), false);
  });
});
