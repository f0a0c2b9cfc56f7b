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

/** The `vectors` block of docs/PROTOCOL.md s.8, so the document and the tests cannot drift apart. */
function readVectors(): Record<string, string> {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/PROTOCOL.md'), 'utf8');
  const block = /```vectors\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/PROTOCOL.md has a vectors block');
  const vectors: Record<string, string> = {};
  for (const line of (block[1] as string).trim().split('\n')) {
    const match = /^(\w+)\s*= (.*)$/.exec(line);
    assert.ok(match, `vector line: ${line}`);
    vectors[match[1] as string] = match[2] as string;
  }
  return vectors;
}

const v = readVectors();
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
    const hostKey = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
    const hostPublic = crypto.createPublicKey(hostKey).export({ format: 'der', type: 'spki' }).subarray(12);
    assert.equal(hostPublic.toString('hex'), v.host_public);
    assert.equal(v.host_fingerprint, 'SHA256:' + crypto.createHash('sha256').update(hostPublic).digest('base64').replace(/=+$/, ''));

    const h = crypto
      .createHash('sha256')
      .update(Buffer.concat([lp('dhlab/1 transcript'), lp(v.name as string), lp(v.group as string), lp(ys), lp(hostPublic), lp(yc)]))
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
    const sealed = Buffer.concat([cipher.update(v.first_plaintext as string, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    assert.equal(sealed.toString('hex'), v.first_sealed);
    assert.equal(v.first_frame, JSON.stringify({ type: 'data', seq: 0, box: sealed.toString('base64') }));
  });

  for (const [clientEngine, serverEngine] of [['native', 'native'], ['forge', 'forge']] as const) {
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
      for (const role of ['client', 'server'] as const) {
        const find = <K extends TraceEvent['kind']>(kind: K) => pair.traces.find((t) => t.role === role && t.kind === kind) as Extract<TraceEvent, { kind: K }>;
        assert.equal(toHex(find('shared_secret').z), v.shared_secret);
        assert.equal(toHex(find('hashed_secret').k), v.hashed_secret);
        assert.equal(toHex(find('transcript').h), v.transcript_hash);
        assert.equal(toHex(find('session_keys').clientToServer), v.key_client_to_server);
        assert.equal(toHex(find('session_keys').serverToClient), v.key_server_to_client);
        assert.equal(toHex(find('host_signature').signature), v.signature);
      }
      const sent = pair.traces.filter((t) => t.role === 'client' && t.kind === 'wire' && t.dir === 'send').map((t) => Buffer.from((t as { bytes: Uint8Array }).bytes).toString());
      assert.equal(sent.at(-1), v.first_frame);
      assert.deepEqual(pair.requests(), [JSON.parse(v.first_plaintext as string)]);
    });
  }
});
