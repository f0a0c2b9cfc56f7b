import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToBigint } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { observationJson } from '../../src/tap/observation-record.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import type { Perspective } from '../../lab/model/model.ts';
import { waitFor } from '../support/helpers.ts';
import { openLabScreen } from '../support/lab-screen.ts';
import { startTapProxy, type TapObservation } from '../../src/tap/tap-proxy.ts';
import { ChatServer } from '../../src/server/chat-server.ts';
import { ChatClient } from '../../src/client/chat-client.ts';
import { ephemeralHostKey } from '../../src/server/host-key-file.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';

/** Every form a secret could take in text: hex, base64, decimal. */
function forms(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  return [buffer.toString('hex'), buffer.toString('base64').replace(/=+$/, ''), bytesToBigint(bytes).toString(10)];
}

/** All the secret values the two ends of every connection know (from their own perspectives). */
function secretsOf(perspectives: Perspective[]): string[] {
  const out: string[] = [];
  for (const p of perspectives) {
    if (p.kind === 'eve') continue;
    for (const steps of p.ladders.values())
      for (const step of steps) if (step.kind === 'secret' && step.value) out.push(...forms(step.value.bytes));
  }
  return out;
}

/** Everything Eve's perspective holds, each value in full in every encoding. */
function dumpEve(eve: Perspective): string {
  const parts: string[] = [];
  for (let i = 0; i < eve.frames.length; i++) {
    const row = eve.frames.at(i);
    parts.push(JSON.stringify({ ...row, sealed: undefined }), row?.sealed ? forms(row.sealed).join(' ') : '');
  }
  for (const steps of eve.ladders.values())
    for (const step of steps)
      parts.push(step.label, step.note ?? '', step.value ? forms(step.value.bytes).join(' ') : '');
  parts.push(...eve.chat.tail(eve.chat.length).map((l) => l.text));
  return parts.join('\n');
}

const names = fc.uniqueArray(fc.stringMatching(/^[a-z]{3,7}$/), { minLength: 2, maxLength: 3 });
const messages = fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,.!?]{7,40}$/), { minLength: 1, maxLength: 4 });

describe("Eve's view leaks nothing (property over names and messages)", () => {
  it('nothing Eve holds or renders contains a plaintext, exponent, Z, K or direction key', async () => {
    await fc.assert(
      fc.asyncProperty(names, messages, async (who, said) => {
        const lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14, names: who });
        const ui = openLabScreen({ perspectives: lab.perspectives, typists: who, initialPerspective: 'eve' }, 200, 50);
        try {
          said.forEach((text, i) => assert.equal(lab.say(who[i % who.length] as string, text), null));
          const everyone = lab.perspectives.filter((p) => p.kind === 'client');
          await waitFor(
            () =>
              everyone.every((p) => said.every((text) => p.chat.tail(50).some((l) => l.text.endsWith(`> ${text}`)))),
            'delivery',
          );
          const screens = [ui.screen()];
          for (const key of ['d', 'x', 'c', 'c']) {
            await ui.press(key);
            screens.push(ui.screen());
          }
          const eve = `${dumpEve(lab.eve)}\n${screens.join('\n')}`;
          const secrets = secretsOf(lab.perspectives);
          assert.ok(secrets.length >= who.length * 2 * 5, 'the ends did reveal their secrets to their own views');
          for (const secret of secrets) assert.ok(!eve.includes(secret), 'a secret value reached Eve');
          for (const text of said) assert.ok(!eve.includes(text), `plaintext "${text}" reached Eve`);
          assert.ok(screens[0]?.includes('sealed ct '));
        } finally {
          ui.close();
          await lab.close();
        }
      }),
      { numRuns: 6 },
    );
  });

  it('`dhlab eve --json` lines carry frames and ciphertexts, never a plaintext or key', async () => {
    const engine = ENGINES.native;
    const secrets: string[] = [];
    const trace = (event: TraceEvent) => {
      if (event.kind === 'shared_secret') secrets.push(...forms(event.z));
      if (event.kind === 'hashed_secret') secrets.push(...forms(event.k));
      if (event.kind === 'private_key') secrets.push(...forms(event.x));
      if (event.kind === 'session_keys') secrets.push(...forms(event.clientToServer), ...forms(event.serverToClient));
    };
    const server = new ChatServer({
      engine,
      group: GROUPS.modp14,
      identity: ephemeralHostKey(engine),
      host: '127.0.0.1',
      port: 0,
      revealSecrets: true,
      trace: (_id, e) => trace(e),
    });
    const { port } = await server.listen();
    const lines: string[] = [];
    const tap = await startTapProxy({
      listenPort: 0,
      targetHost: '127.0.0.1',
      targetPort: port,
      onObservation: (o: TapObservation) => lines.push(observationJson(o)),
    });
    const alice = await ChatClient.connect({
      name: 'alice',
      host: '127.0.0.1',
      port: tap.port,
      engine,
      revealSecrets: true,
      trace,
    });
    alice.say('attack at dawn, tell nobody');
    await new Promise((resolve) => alice.once('event', resolve));
    await alice.quit();
    await server.close();
    await tap.close();
    const out = lines.join('\n');
    assert.ok(lines.some((l) => JSON.parse(l).type === 'data'));
    assert.ok(lines.some((l) => JSON.parse(l).type === 'server_key'));
    assert.ok(!out.includes('attack at dawn'));
    assert.ok(secrets.length >= 10);
    for (const secret of secrets) assert.ok(!out.includes(secret));
  });
});
