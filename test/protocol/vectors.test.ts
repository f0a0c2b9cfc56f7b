import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bigintToBytes, fromHex, toHex } from '../../src/crypto/bytes.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';
import { modPow } from '../crypto/oracle.ts';
import { sessionPair } from './pair.ts';

/** A `vectors` block of docs/PROTOCOL.md s.8, so the document and the tests cannot drift apart. */
function readVectors(name = ''): Record<string, string> {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/PROTOCOL.md'), 'utf8');
  const block = new RegExp('```vectors' + (name ? `-${name}` : '') + '\\n([\\s\\S]*?)```').exec(doc);
  assert.ok(block, `docs/PROTOCOL.md has a vectors${name ? `-${name}` : ''} block`);
  const vectors: Record<string, string> = {};
  for (const line of (block[1] as string).trim().split('\n')) {
    const match = /^(\w+)\s*= (.*)$/.exec(line);
    assert.ok(match, `vector line: ${line}`);
    vectors[match[1] as string] = match[2] as string;
  }
  return vectors;
}

const v = readVectors();

/** Both sides' traces hold the vector's Z, K, H, direction keys and signature. */
function assertHandshakeTraces(traces: TraceEvent[], vectors: Record<string, string>): void {
  for (const role of ['client', 'server'] as const) {
    const find = <K extends TraceEvent['kind']>(kind: K) =>
      traces.find((t) => t.role === role && t.kind === kind) as Extract<TraceEvent, { kind: K }>;
    assert.equal(toHex(find('shared_secret').z), vectors.shared_secret, `${role} Z`);
    assert.equal(toHex(find('hashed_secret').k), vectors.hashed_secret, `${role} K`);
    assert.equal(toHex(find('transcript').h), vectors.transcript_hash, `${role} H`);
    assert.equal(toHex(find('session_keys').clientToServer), vectors.key_client_to_server, `${role} c2s`);
    assert.equal(toHex(find('session_keys').serverToClient), vectors.key_server_to_client, `${role} s2c`);
    assert.equal(toHex(find('host_signature').signature), vectors.signature, `${role} signature`);
  }
}
const group = GROUPS.modp14;
const lp = (bytes: Uint8Array | string) => {
  const b = Buffer.from(bytes);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(b.length);
  return Buffer.concat([head, b]);
};

describe('docs/PROTOCOL.md test vectors', () => {
  it('follow from the spec, computed independently with BigInt and node:crypto', () => {
    const xc = BigInt('0x' + v.client_private);
    const xs = BigInt('0x' + v.server_private);
    const ys = bigintToBytes(modPow(2n, xs, group.p), 256);
    const yc = bigintToBytes(modPow(2n, xc, group.p), 256);
    assert.equal(toHex(ys), v.server_public);
    assert.equal(toHex(yc), v.client_public);
    const z = bigintToBytes(modPow(BigInt('0x' + v.client_public), xs, group.p), 256);
    assert.equal(toHex(z), v.shared_secret);
    const k = crypto.createHash('sha256').update(z).digest();
    assert.equal(k.toString('hex'), v.hashed_secret);

    const seed = fromHex(v.host_seed as string);
    const hostKey = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const hostPublic = crypto.createPublicKey(hostKey).export({ format: 'der', type: 'spki' }).subarray(12);
    assert.equal(hostPublic.toString('hex'), v.host_public);
    assert.equal(
      v.host_fingerprint,
      'SHA256:' + crypto.createHash('sha256').update(hostPublic).digest('base64').replace(/=+$/, ''),
    );

    const h = crypto
      .createHash('sha256')
      .update(
        Buffer.concat([
          lp('dhlab/1 transcript'),
          lp(v.name as string),
          lp(v.group as string),
          lp(ys),
          lp(hostPublic),
          lp(yc),
        ]),
      )
      .digest();
    assert.equal(h.toString('hex'), v.transcript_hash);
    const c2s = Buffer.from(crypto.hkdfSync('sha256', k, h, 'dhlab/1 client to server', 32));
    const s2c = Buffer.from(crypto.hkdfSync('sha256', k, h, 'dhlab/1 server to client', 32));
    assert.equal(c2s.toString('hex'), v.key_client_to_server);
    assert.equal(s2c.toString('hex'), v.key_server_to_client);
    assert.equal(crypto.sign(null, h, hostKey).toString('hex'), v.signature);

    assert.equal(v.first_nonce, '00'.repeat(12));
    assert.equal(v.first_aad, 'dhlab/1 data 0');
    const cipher = crypto.createCipheriv('aes-256-gcm', c2s, Buffer.alloc(12), { authTagLength: 16 });
    cipher.setAAD(Buffer.from(v.first_aad));
    const sealed = Buffer.concat([
      cipher.update(v.first_plaintext as string, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    assert.equal(sealed.toString('hex'), v.first_sealed);
    assert.equal(v.first_frame, JSON.stringify({ type: 'data', seq: 0, box: sealed.toString('base64') }));
  });

  for (const [clientEngine, serverEngine] of [
    ['native', 'native'],
    ['forge', 'forge'],
  ] as const) {
    it(`are what the sessions produce (client ${clientEngine}, server ${serverEngine})`, () => {
      const pair = sessionPair({
        clientEngine: ENGINES[clientEngine],
        serverEngine: ENGINES[serverEngine],
        name: v.name,
        clientPrivateKey: fromHex(v.client_private as string),
        serverPrivateKey: fromHex(v.server_private as string),
        hostSeed: fromHex(v.host_seed as string),
        revealSecrets: true,
      });
      pair.client.send(JSON.parse(v.first_plaintext as string));
      pair.pump();
      assertHandshakeTraces(pair.traces, v);
      const sent = pair.traces
        .filter((t) => t.role === 'client' && t.kind === 'wire' && t.dir === 'send')
        .map((t) => Buffer.from((t as { bytes: Uint8Array }).bytes).toString());
      assert.equal(sent.at(-1), v.first_frame);
      assert.deepEqual(pair.requests(), [JSON.parse(v.first_plaintext as string)]);
    });
  }
});

const more = readVectors('more');

/** nonce and AAD for a sequence number, computed here from s.5, not by the code under test. */
function sealWith(
  engine: (typeof ENGINES)[keyof typeof ENGINES],
  keyHex: string,
  seq: number,
  plaintext: string,
): string {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(seq), 4);
  return toHex(
    engine.aesGcmSeal(fromHex(keyHex), nonce, Buffer.from(plaintext, 'utf8'), Buffer.from(`dhlab/1 data ${seq}`)),
  );
}

describe('docs/PROTOCOL.md: more vectors (a server seal, a batch, a two-digit seq, a Z with a leading zero)', () => {
  for (const engine of ['native', 'forge'] as const) {
    it(`seal as s.5 says with the ${engine} engine`, () => {
      assert.equal(
        sealWith(ENGINES[engine], v.key_server_to_client as string, 0, more.s2c_plaintext as string),
        more.s2c_sealed,
      );
      assert.equal(
        sealWith(
          ENGINES[engine],
          v.key_server_to_client as string,
          Number(more.batch_seq),
          more.batch_plaintext as string,
        ),
        more.batch_sealed,
      );
      assert.equal(more.seq12_nonce, '00000000000000000000000c');
      assert.equal(
        sealWith(ENGINES[engine], v.key_client_to_server as string, 12, more.seq12_plaintext as string),
        more.seq12_sealed,
      );
    });

    it(`are what the sessions send and accept (${engine})`, () => {
      const pair = sessionPair({
        clientEngine: ENGINES[engine],
        serverEngine: ENGINES[engine],
        name: v.name,
        clientPrivateKey: fromHex(v.client_private as string),
        serverPrivateKey: fromHex(v.server_private as string),
        hostSeed: fromHex(v.host_seed as string),
      });
      const serverSent = () =>
        pair.traces
          .filter((t) => t.role === 'server' && t.kind === 'wire' && t.dir === 'send')
          .map((t) => Buffer.from((t as { bytes: Uint8Array }).bytes).toString());
      pair.server.send(JSON.parse(more.s2c_plaintext as string));
      assert.equal(serverSent().at(-1), more.s2c_frame);
      const batch = JSON.parse(more.batch_plaintext as string) as { events: unknown[] };
      pair.server.sendSerialized(batch.events.map((e) => Buffer.from(JSON.stringify(e))));
      const batchFrame = JSON.parse(serverSent().at(-1) as string) as { seq: number; box: string };
      assert.equal(batchFrame.seq, 1);
      assert.equal(Buffer.from(batchFrame.box, 'base64').toString('hex'), more.batch_sealed);
      pair.pump();
      assert.deepEqual(pair.received(), [JSON.parse(more.s2c_plaintext as string), ...batch.events]);
      // The client's 13th message (seq 12): twelve others first.
      for (let i = 0; i < 12; i++) pair.client.send({ type: 'who' });
      pair.client.send(JSON.parse(more.seq12_plaintext as string));
      const clientSent = pair.traces
        .filter((t) => t.role === 'client' && t.kind === 'wire' && t.dir === 'send')
        .map(
          (t) =>
            JSON.parse(Buffer.from((t as { bytes: Uint8Array }).bytes).toString()) as { seq?: number; box?: string },
        );
      const twelfth = clientSent.at(-1) as { seq: number; box: string };
      assert.equal(twelfth.seq, 12);
      assert.equal(Buffer.from(twelfth.box, 'base64').toString('hex'), more.seq12_sealed);
      pair.pump();
      assert.deepEqual(pair.requests().at(-1), JSON.parse(more.seq12_plaintext as string));
    });

    it(`pad a Z with a leading zero byte before hashing (${engine})`, () => {
      const z = bigintToBytes(
        modPow(modPow(2n, BigInt('0x' + more.lz_client_private), group.p), BigInt('0x' + v.server_private), group.p),
        256,
      );
      assert.equal(z[0], 0, 'this Z starts with a zero byte');
      assert.equal(toHex(z), more.lz_shared_secret);
      assert.equal(crypto.createHash('sha256').update(z).digest('hex'), more.lz_hashed_secret);
      assert.equal(crypto.createHash('sha256').update(z.subarray(1)).digest('hex'), more.lz_unpadded_hash);
      assert.notEqual(more.lz_hashed_secret, more.lz_unpadded_hash);
      const pair = sessionPair({
        clientEngine: ENGINES[engine],
        serverEngine: ENGINES[engine],
        clientPrivateKey: fromHex(more.lz_client_private as string),
        serverPrivateKey: fromHex(v.server_private as string),
        revealSecrets: true,
      });
      for (const role of ['client', 'server'] as const) {
        const k = pair.traces.find((t) => t.role === role && t.kind === 'hashed_secret') as Extract<
          TraceEvent,
          { kind: 'hashed_secret' }
        >;
        assert.equal(toHex(k.k), more.lz_hashed_secret, role);
      }
      pair.client.send({ type: 'chat', text: 'still agrees' });
      pair.pump();
      assert.deepEqual(pair.requests(), [{ type: 'chat', text: 'still agrees' }]);
    });
  }
});

for (const name of ['modp15', 'modp16'] as const) {
  describe(`docs/PROTOCOL.md: a ${name} handshake`, () => {
    const w = readVectors(name);
    const g = GROUPS[name];
    it('follows from the spec, computed with BigInt and node:crypto', () => {
      const ys = bigintToBytes(modPow(2n, BigInt('0x' + v.server_private), g.p), g.byteLength);
      const yc = bigintToBytes(modPow(2n, BigInt('0x' + v.client_private), g.p), g.byteLength);
      assert.equal(toHex(ys), w.server_public);
      assert.equal(toHex(yc), w.client_public);
      const z = bigintToBytes(
        modPow(BigInt('0x' + w.client_public), BigInt('0x' + v.server_private), g.p),
        g.byteLength,
      );
      assert.equal(toHex(z), w.shared_secret);
      assert.equal(crypto.createHash('sha256').update(z).digest('hex'), w.hashed_secret);
      const h = crypto
        .createHash('sha256')
        .update(
          Buffer.concat([
            lp('dhlab/1 transcript'),
            lp(v.name as string),
            lp(name),
            lp(ys),
            lp(fromHex(v.host_public as string)),
            lp(yc),
          ]),
        )
        .digest();
      assert.equal(h.toString('hex'), w.transcript_hash);
    });
    for (const engine of ['native', 'forge'] as const) {
      it(`is what the sessions compute (${engine})`, () => {
        const pair = sessionPair({
          clientEngine: ENGINES[engine],
          serverEngine: ENGINES[engine],
          group: g,
          name: v.name,
          clientPrivateKey: fromHex(v.client_private as string),
          serverPrivateKey: fromHex(v.server_private as string),
          hostSeed: fromHex(v.host_seed as string),
          revealSecrets: true,
        });
        assertHandshakeTraces(pair.traces, w);
      });
    }
  });
}
