// A session's life from outside: what it traces (and never traces), how it ends (once, with whose
// error), what it refuses after the end, and how the server packs events into sealed frames.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cbcRecordCipher } from '../../src/insecure/cbc.ts';
import { stuckNonceRecordCipher } from '../../src/insecure/stuck-nonce.ts';
import { DhlabError, type ErrorCode } from '../../src/errors.ts';
import { encodeFrame, parseFramePayload, type WireFrame } from '../../src/protocol/frame.ts';
import { asDhlabError, MAX_SEALED_PLAINTEXT_BYTES } from '../../src/protocol/session.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';
import { sessionPair } from './pair.ts';

const framesOf = (chunks: Uint8Array[]): WireFrame[] => chunks.map((bytes) => parseFramePayload(bytes.subarray(4)));
const error = (code: ErrorCode, message: string) => (e: unknown) =>
  e instanceof DhlabError && e.code === code && e.message === message;
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const SECRET_KINDS = ['private_key', 'shared_secret', 'hashed_secret', 'session_keys', 'seal', 'open'];

function chatBothWays(pair: ReturnType<typeof sessionPair>): void {
  pair.client.send({ type: 'chat', text: 'hi' });
  pair.server.send({ type: 'message', id: 1, from: 'alice', text: 'hi' });
  pair.pump();
}

describe('tracing', () => {
  it('without revealSecrets a tracer sees every public step and not one secret', () => {
    const pair = sessionPair({ revealSecrets: false });
    chatBothWays(pair);
    const kinds = new Set(pair.traces.map((t) => `${t.role}:${t.kind}`));
    for (const role of ['client', 'server']) {
      for (const kind of [
        'wire',
        'group',
        'public_key',
        'public_key_valid',
        'transcript',
        'host_signature',
        'established',
      ]) {
        assert.ok(kinds.has(`${role}:${kind}`), `${role}:${kind} traced`);
      }
    }
    assert.deepEqual(
      pair.traces.filter((t) => t.secret || SECRET_KINDS.includes(t.kind)),
      [],
    );
    const signatures = pair.traces.filter((t) => t.kind === 'host_signature');
    assert.deepEqual(
      signatures.map((t) => [t.role, (t as { verified: boolean }).verified]),
      [
        ['server', true],
        ['client', true],
      ],
    );
    const established = pair.traces.filter(
      (t): t is Extract<TraceEvent, { kind: 'established' }> => t.kind === 'established',
    );
    assert.deepEqual(
      established.map((t) => [t.role, t.name, t.cipher, t.record]),
      [
        ['server', 'alice', 'AES-256-GCM', 'gcm'],
        ['client', 'alice', 'AES-256-GCM', 'gcm'],
      ],
    );
  });

  it('with revealSecrets both sides trace every secret step, and the values agree', () => {
    const pair = sessionPair({ revealSecrets: true });
    chatBothWays(pair);
    const of = (role: string, kind: string) =>
      pair.traces.filter((t) => t.role === role && t.kind === kind) as unknown as Array<Record<string, unknown>>;
    for (const role of ['client', 'server']) {
      for (const kind of SECRET_KINDS) assert.equal(of(role, kind).length, 1, `${role}:${kind}`);
    }
    assert.deepEqual(of('client', 'shared_secret')[0]?.z, of('server', 'shared_secret')[0]?.z);
    assert.deepEqual(of('client', 'session_keys')[0]?.clientToServer, of('server', 'session_keys')[0]?.clientToServer);
    assert.equal(of('client', 'seal')[0]?.plaintext, '{"type":"chat","text":"hi"}');
    assert.equal(of('server', 'open')[0]?.plaintext, '{"type":"chat","text":"hi"}');
    assert.equal(of('server', 'seal')[0]?.plaintext, '{"type":"message","id":1,"from":"alice","text":"hi"}');
    assert.equal(of('client', 'open')[0]?.seq, 0);
  });

  it("with no trace sink (the server's and client's default) the sessions still work", () => {
    const pair = sessionPair({ trace: false, revealSecrets: true });
    chatBothWays(pair);
    assert.deepEqual(pair.requests(), [{ type: 'chat', text: 'hi' }]);
    assert.deepEqual(pair.received(), [{ type: 'message', id: 1, from: 'alice', text: 'hi' }]);
    assert.deepEqual(pair.traces, []);
  });

  it('names the record layer: AES-256-CBC without a MAC when a lesson swaps it in', () => {
    const pair = sessionPair({ insecure: { recordCipher: cbcRecordCipher } });
    chatBothWays(pair);
    assert.deepEqual(pair.requests(), [{ type: 'chat', text: 'hi' }]);
    const ciphers = pair.traces.flatMap((t) => (t.kind === 'established' ? [[t.cipher, t.record]] : []));
    // The layout as data (what the lab reads), the words for people.
    assert.deepEqual(ciphers, [
      ['AES-256-CBC without a MAC (INSECURE)', 'cbc'],
      ['AES-256-CBC without a MAC (INSECURE)', 'cbc'],
    ]);
  });

  it('names the record layer: GCM with its nonce stuck at 0, and every frame on the wire says seq 0', () => {
    const pair = sessionPair({ insecure: { recordCipher: stuckNonceRecordCipher } });
    chatBothWays(pair);
    pair.client.send({ type: 'chat', text: 'again' });
    pair.pump();
    assert.deepEqual(pair.requests(), [
      { type: 'chat', text: 'hi' },
      { type: 'chat', text: 'again' },
    ]);
    const ciphers = pair.traces.flatMap((t) => (t.kind === 'established' ? [[t.cipher, t.record]] : []));
    assert.deepEqual(ciphers, [
      ['AES-256-GCM with its nonce stuck at 0 (INSECURE)', 'gcm'],
      ['AES-256-GCM with its nonce stuck at 0 (INSECURE)', 'gcm'],
    ]);
    const seqs = pair.traces.flatMap((t) =>
      t.kind === 'wire' && t.dir === 'send' && t.frame.type === 'data' ? [t.frame.seq] : [],
    );
    assert.ok(seqs.length >= 3);
    assert.ok(
      seqs.every((seq) => seq === 0),
      String(seqs),
    );
  });

  it('counts well-formed frames received and the bytes of an unfinished one', () => {
    const pair = sessionPair();
    assert.equal(pair.server.framesReceived, 2); // hello, client_key
    assert.equal(pair.client.framesReceived, 2); // server_key, server_auth
    chatBothWays(pair);
    assert.equal(pair.server.framesReceived, 3);
    pair.client.send({ type: 'who' });
    const [frame] = pair.pending('server') as [Uint8Array];
    pair.server.feed(frame.subarray(0, 7));
    assert.equal(pair.server.partialFrameBytes, 7);
    assert.equal(pair.server.framesReceived, 3);
    pair.server.feed(frame.subarray(7));
    assert.equal(pair.server.partialFrameBytes, 0);
    assert.equal(pair.server.framesReceived, 4);
  });
});

describe('how a session ends', () => {
  it("a plaintext error before keys exist ends it as the peer's report (remote)", () => {
    const pair = sessionPair({ toServer: () => [] });
    pair.server.feed(encodeFrame({ type: 'error', code: 'ERR_BAD_NAME', message: 'nope' }));
    assert.deepEqual(pair.closeCalls, [{ side: 'server', code: 'ERR_BAD_NAME', remote: true }]);
    assert.equal(pair.closed.server?.message, 'nope');
  });

  it('after keys exist a plaintext error is refused as unexpected, ours', () => {
    const pair = sessionPair();
    pair.client.feed(encodeFrame({ type: 'error', code: 'ERR_SERVER_FULL', message: 'forged' }));
    assert.deepEqual(pair.closeCalls, [{ side: 'client', code: 'ERR_UNEXPECTED_FRAME', remote: false }]);
    assert.equal(pair.closed.client?.message, 'received error instead of a sealed data frame');
  });

  it('end(): between frames the peer hung up (remote); mid-frame the stream was cut (ours)', () => {
    const clean = sessionPair();
    clean.server.end();
    assert.deepEqual(clean.closeCalls, [{ side: 'server', code: 'ERR_CONNECTION', remote: true }]);
    assert.equal(clean.closed.server?.message, 'connection closed by peer');
    const cut = sessionPair();
    cut.server.feed(Uint8Array.of(0, 0, 0, 9, 0x7b));
    cut.server.end();
    assert.deepEqual(cut.closeCalls, [{ side: 'server', code: 'ERR_FRAME_TRUNCATED', remote: false }]);
  });

  it('fail(): tells the peer (sealed once keys exist) and ends as ours; the peer ends as theirs', () => {
    const pair = sessionPair();
    pair.server.fail(new DhlabError('ERR_RATE_LIMITED', 'slow down'));
    assert.deepEqual(
      framesOf(pair.pending('client')).map((f) => f.type),
      ['data'],
    );
    pair.pump();
    assert.deepEqual(pair.closeCalls, [
      { side: 'server', code: 'ERR_RATE_LIMITED', remote: false },
      { side: 'client', code: 'ERR_RATE_LIMITED', remote: true },
    ]);
    assert.equal(pair.closed.client?.message, 'slow down');

    const early = sessionPair({ toServer: () => [] });
    early.server.fail(new DhlabError('ERR_SERVER_FULL', 'full'));
    assert.deepEqual(framesOf(early.pending('client')), [{ type: 'error', code: 'ERR_SERVER_FULL', message: 'full' }]);
  });

  it('a bye that is not OK ends the client with its code, reported by the server', () => {
    const pair = sessionPair();
    pair.server.send({ type: 'bye', code: 'ERR_SERVER_SHUTDOWN', reason: 'bye all' });
    pair.pump();
    assert.deepEqual(pair.closeCalls, [{ side: 'client', code: 'ERR_SERVER_SHUTDOWN', remote: true }]);
    const ok = sessionPair();
    ok.server.send({ type: 'bye', code: 'OK', reason: 'goodbye' });
    ok.pump();
    assert.deepEqual(ok.closeCalls, [{ side: 'client', code: null, remote: true }]);
  });

  it('close() ends it once, without error; after that nothing is sent, delivered or reported', () => {
    const pair = sessionPair();
    pair.client.send({ type: 'who' }); // sealed while open: held in flight
    pair.server.send({ type: 'message', id: 1, from: 'bob', text: 'late' });
    const toServer = pair.pending('server');
    const toClient = pair.pending('client');
    pair.client.close();
    pair.server.close();
    assert.equal(pair.client.isEstablished, false);
    assert.equal(pair.server.isEstablished, false);
    assert.equal(pair.client.isClosed, true);
    pair.client.close();
    pair.client.fail(new DhlabError('ERR_DECRYPT', 'x'));
    pair.client.end();
    assert.deepEqual(pair.closeCalls, [
      { side: 'client', code: null, remote: false },
      { side: 'server', code: null, remote: false },
    ]);
    assert.throws(
      () => pair.client.send({ type: 'chat', text: 'after' }),
      error('ERR_SESSION_CLOSED', 'session is not established'),
    );
    pair.server.send({ type: 'message', id: 2, from: 'bob', text: 'after' });
    pair.server.sendSerialized([json({ type: 'who', members: [], count: 0 })]);
    assert.equal(pair.pending('client').length, toClient.length, 'nothing sent after close');
    assert.equal(pair.pending('server').length, toServer.length);
    for (const bytes of toServer) pair.server.feed(bytes);
    for (const bytes of toClient) pair.client.feed(bytes);
    assert.deepEqual(pair.requests(), []);
    assert.deepEqual(pair.received(), []);
  });

  it('frames after the one that ended the session, in the same chunk, are ignored', () => {
    const pair = sessionPair();
    pair.server.send({ type: 'bye', code: 'OK', reason: 'goodbye' });
    pair.server.send({ type: 'message', id: 9, from: 'bob', text: 'after bye' });
    pair.client.feed(Buffer.concat(pair.pending('client')));
    assert.deepEqual(pair.received(), [{ type: 'bye', code: 'OK', reason: 'goodbye' }]);

    const batched = sessionPair();
    batched.server.sendSerialized([
      json({ type: 'bye', code: 'OK', reason: 'goodbye' }),
      json({ type: 'message', id: 9, from: 'bob', text: 'after bye' }),
    ]);
    batched.pump();
    assert.deepEqual(batched.received(), [{ type: 'bye', code: 'OK', reason: 'goodbye' }]);
  });

  it('the server reads nothing after a sealed error in the same chunk', () => {
    const pair = sessionPair();
    pair.client.send({ type: 'error', code: 'ERR_DECRYPT', message: 'bad tag' });
    pair.client.send({ type: 'chat', text: 'after the error' });
    pair.server.feed(Buffer.concat(pair.pending('server')));
    assert.deepEqual(pair.requests(), []);
    assert.deepEqual(pair.closeCalls, [{ side: 'server', code: 'ERR_DECRYPT', remote: true }]);
  });

  it('before the handshake is done, send() says the session is not established', () => {
    const pair = sessionPair({ toClient: () => [] });
    assert.equal(pair.client.isEstablished, false);
    assert.throws(() => pair.client.send({ type: 'who' }), error('ERR_SESSION_CLOSED', 'session is not established'));
  });

  it('start() twice sends one hello', () => {
    const pair = sessionPair({ toServer: () => [] });
    pair.client.start();
    assert.deepEqual(pair.pending('server'), []);
  });

  it("asDhlabError keeps a DhlabError and hides any other error's text (it might hold key material)", () => {
    const ours = new DhlabError('ERR_DECRYPT', 'tag mismatch');
    assert.equal(asDhlabError(ours), ours);
    const hidden = asDhlabError(new Error('key 0badc0ffee'));
    assert.equal(hidden.code, 'ERR_BAD_FRAME');
    assert.equal(hidden.message, 'internal error while processing a frame');
  });
});

describe('frames out of order, named precisely', () => {
  it('client, established: a plaintext server_key is "received server_key instead of data"', () => {
    const pair = sessionPair();
    pair.client.feed(encodeFrame({ type: 'server_key', group: 'modp14', y: '02', host_key: '00'.repeat(32) }));
    assert.equal(pair.closed.client?.message, 'received server_key instead of data');
  });

  it('server: hello where client_key is due, client_key where data is due', () => {
    const waiting = sessionPair({
      toServer: (bytes) => (parseFramePayload(bytes.subarray(4)).type === 'client_key' ? [] : [bytes]),
    });
    waiting.server.feed(encodeFrame({ type: 'hello', version: 1, name: 'alice' }));
    assert.equal(waiting.closed.server?.message, 'received hello instead of client_key');
    const established = sessionPair();
    established.server.feed(encodeFrame({ type: 'client_key', y: '02' }));
    assert.equal(established.closed.server?.message, 'received client_key instead of data');
  });

  it('the server cannot seal before it has keys: "no keys yet"', () => {
    const pair = sessionPair({
      toServer: (bytes) => (parseFramePayload(bytes.subarray(4)).type === 'client_key' ? [] : [bytes]),
    });
    assert.throws(
      () => pair.server.send({ type: 'who', members: [], count: 0 }),
      error('ERR_SESSION_CLOSED', 'no keys yet'),
    );
  });

  it('errors name what was wrong: version, group, signature', () => {
    const version = sessionPair({ toServer: () => [] });
    version.server.feed(encodeFrame({ type: 'hello', version: 2, name: 'alice' }));
    assert.equal(version.closed.server?.message, 'protocol version 2 is not supported (this server speaks 1)');

    const rewrite = (field: string, value: string) => (bytes: Uint8Array) => {
      const frame = parseFramePayload(bytes.subarray(4));
      return frame.type === (field === 'signature' ? 'server_auth' : 'server_key')
        ? [encodeFrame({ ...frame, [field]: value })]
        : [bytes];
    };
    const group = sessionPair({ toClient: rewrite('group', 'modp99') });
    assert.equal(group.closed.client?.code, 'ERR_BAD_GROUP');
    assert.equal(
      group.closed.client?.message,
      'unknown group "modp99" (this client accepts modp14, modp15 and modp16)',
    );
    const signature = sessionPair({ toClient: rewrite('signature', 'ab'.repeat(64)) });
    assert.equal(
      signature.closed.client?.message,
      `the server's signature over the transcript does not verify for host key ${signature.host.fingerprint}`,
    );
  });
});

describe('sealing limits and batches (s.5, s.5.1)', () => {
  it('a plaintext of exactly the limit is sealed; one byte more is refused, saying its size', () => {
    const pair = sessionPair();
    const overhead = json({ type: 'message', id: 1, from: 'x', text: '' }).length;
    pair.server.sendSerialized([
      json({ type: 'message', id: 1, from: 'x', text: 'y'.repeat(MAX_SEALED_PLAINTEXT_BYTES - overhead) }),
    ]);
    assert.equal(pair.pending('client').length, 1);
    const over = MAX_SEALED_PLAINTEXT_BYTES + 1;
    assert.throws(
      () => pair.server.send({ type: 'message', id: 2, from: 'x', text: 'y'.repeat(over - overhead) }),
      error('ERR_FRAME_LENGTH', `sealed message of ${over} bytes would not fit in one frame`),
    );
  });

  /** Events of exactly `size` bytes of JSON each. */
  const eventsOf = (...sizes: number[]) =>
    sizes.map((size, i) => {
      const overhead = json({ type: 'message', id: i, from: 'x', text: '' }).length;
      return json({ type: 'message', id: i, from: 'x', text: 'y'.repeat(size - overhead) });
    });

  function sealedPlaintexts(events: Uint8Array[]): string[] {
    const pair = sessionPair({ revealSecrets: true });
    const before = pair.traces.length;
    pair.server.sendSerialized(events);
    pair.pump();
    assert.equal(pair.received().length, events.length, 'every event arrives');
    return pair.traces.slice(before).flatMap((t) => (t.kind === 'seal' && t.role === 'server' ? [t.plaintext] : []));
  }

  it('a batch holds events up to 32 KiB (their bytes plus one comma each) and no more', () => {
    const exactly = sealedPlaintexts(eventsOf(16_000, 32 * 1024 - 16_000 - 1));
    assert.equal(exactly.length, 1);
    assert.match(exactly[0] as string, /^\{"type":"batch","events":\[\{.*\},\{.*\}\]\}$/);
    assert.equal(sealedPlaintexts(eventsOf(16_000, 32 * 1024 - 16_000)).length, 2);
    // Three events: the comma of each event after the first counts.
    assert.equal(sealedPlaintexts(eventsOf(10_000, 10_000, 32 * 1024 - 20_002)).length, 1);
    assert.equal(sealedPlaintexts(eventsOf(10_000, 10_000, 32 * 1024 - 20_001)).length, 2);
  });

  it('a frame that would hold one event holds it bare, not as a batch of one', () => {
    const plaintexts = sealedPlaintexts(eventsOf(30_000, 30_000, 30_000, 100, 100));
    assert.equal(plaintexts.length, 3);
    assert.match(plaintexts[0] as string, /^\{"type":"message","id":0,/);
    assert.match(plaintexts[1] as string, /^\{"type":"message","id":1,/);
    assert.match(
      plaintexts[2] as string,
      /^\{"type":"batch","events":\[\{"type":"message","id":2,.*\{"type":"message","id":4,/,
    );
  });
});
