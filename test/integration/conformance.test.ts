import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeFrame, parseFramePayload } from '../../src/protocol/frame.ts';
import type { ChatServer } from '../../src/server/chat-server.ts';
import { assertRoomWorks, join, RawPeer, startServer, waitFor, type Member } from '../support/helpers.ts';
import { tamperingClient } from './tamper-client.ts';

/** Findings of the independent client written from docs/PROTOCOL.md, against a real server. */
describe('spec conformance against a real server on loopback', () => {
  let server: ChatServer;
  let port: number;
  let logs: string[];
  let bob: Member;

  before(async () => {
    ({ server, port, logs } = await startServer());
    bob = await join(port, 'bob');
  });
  after(async () => {
    await bob.client.quit();
    await server.close();
  });

  it('message ids start at 1, and a joiner gets welcome (itself last), never its own join', async () => {
    bob.client.say('first');
    await waitFor(() => bob.messages().length === 1, 'the echo');
    assert.deepEqual(
      bob.events.find((e) => e.type === 'message'),
      { type: 'message', id: 1, from: 'bob', text: 'first' },
    );
    const erin = await join(port, 'erin');
    assert.deepEqual(erin.client.members, ['bob', 'erin']);
    await waitFor(() => bob.events.some((e) => e.type === 'join' && e.name === 'erin'), "bob sees erin's join");
    assert.ok(!erin.events.some((e) => e.type === 'join'), 'no join of its own');
    // A plain TCP close (no quit): the room is told ERR_CONNECTION.
    (erin.client as unknown as { socket: { destroy(): void } }).socket.destroy();
    await waitFor(() => bob.events.some((e) => e.type === 'leave' && e.name === 'erin'), 'erin left');
    assert.deepEqual(
      bob.events.find((e) => e.type === 'leave' && e.name === 'erin'),
      { type: 'leave', name: 'erin', reason: 'ERR_CONNECTION' },
    );
  });

  it("a client's sealed error ends its session with its own code: the room sees that code as the leave reason", async () => {
    const alice = await tamperingClient(port, 'alice', (frames) => frames);
    await waitFor(() => bob.events.some((e) => e.type === 'join' && e.name === 'alice'), 'alice joined');
    alice.session.send({ type: 'error', code: 'ERR_SLOW_CONSUMER', message: 'cannot keep up' });
    await alice.flush().catch(() => undefined);
    await waitFor(() => bob.events.some((e) => e.type === 'leave' && e.name === 'alice'), 'alice left');
    const leave = bob.events.find((e) => e.type === 'leave' && e.name === 'alice');
    assert.deepEqual(leave, { type: 'leave', name: 'alice', reason: 'ERR_SLOW_CONSUMER' });
    assert.ok(!logs.some((l) => l.includes('ERR_UNKNOWN_FRAME')), logs.join('\n'));
  });

  it('a public value with a stray hex digit is ERR_BAD_FRAME', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame({ type: 'hello', version: 1, name: 'carol' });
    const serverKey = await peer.nextFrame('server_key');
    // A valid value plus one more digit: a lenient decoder drops it and completes the handshake.
    peer.sendFrame({ type: 'client_key', y: `${String(serverKey.y)}7` });
    assert.equal(await peer.closedWith(), 'ERR_BAD_FRAME');
  });

  it('a data frame whose box lacks its base64 padding is ERR_BAD_FRAME', async () => {
    const dave = await tamperingClient(port, 'dave', (frames) =>
      frames.map((bytes) => {
        const frame = parseFramePayload(bytes.subarray(4));
        return encodeFrame({ ...frame, box: String(frame.box).replace(/=+$/, '') });
      }),
    );
    dave.session.send({ type: 'chat', text: 'ab' }); // 2 + 16 bytes + JSON: base64 needs padding
    const verdict = await dave.flush();
    assert.equal(verdict?.code, 'ERR_BAD_FRAME');
  });

  it('a full server sends ERR_SERVER_FULL as the first frame, before hello', async () => {
    const full = await startServer({ maxClients: 1 });
    const first = await RawPeer.connect(full.port);
    const second = await RawPeer.connect(full.port);
    assert.equal(await second.closedWith(), 'ERR_SERVER_FULL');
    assert.equal(second.frames.length, 1);
    first.socket.destroy();
    await full.server.close();
  });

  it('the room is unaffected', async () => {
    await assertRoomWorks(port, [bob], 'after conformance');
  });
});

describe('a flood of joins and leaves stays readable (hardening item 3)', () => {
  it('200 connections that join and leave at once add only a burst of lines; one that stays is announced', async () => {
    const { server, port } = await startServer();
    const watcher = await join(port, 'watcher');
    const flood: Member[] = [];
    for (let i = 0; i < 200; i++) {
      const m = await join(port, `flood${i}`);
      flood.push(m);
      if (i !== 199) await m.client.quit();
    }
    const stayer = flood[199] as Member;
    stayer.client.say('I stayed');
    await waitFor(() => watcher.messages().some((m) => m.text === 'I stayed'), "the stayer's line");
    const joins = watcher.events.filter((e) => e.type === 'join');
    const leaves = watcher.events.filter((e) => e.type === 'leave');
    assert.ok(
      joins.length + leaves.length < 60,
      `${joins.length} join and ${leaves.length} leave lines for 200 connections`,
    );
    // The stayer spoke, so its join came first.
    const joinAt = watcher.events.findIndex((e) => e.type === 'join' && e.name === 'flood199');
    const lineAt = watcher.events.findIndex((e) => e.type === 'message' && e.text === 'I stayed');
    assert.ok(joinAt >= 0 && joinAt < lineAt, 'announced before its first line');
    // Every leave announced matches a join announced.
    for (const leave of leaves)
      assert.ok(joins.some((j) => j.type === 'join' && leave.type === 'leave' && j.name === leave.name));
    await stayer.client.quit();
    await watcher.client.quit();
    await server.close();
  });
});

describe('limits a mutation-testing run found unpinned (hardening item 12), against a real server', () => {
  it('two handshakes at once cannot take the same name', async () => {
    const { server, port } = await startServer();
    const first = await RawPeer.connect(port);
    const second = await RawPeer.connect(port);
    first.sendFrame({ type: 'hello', version: 1, name: 'twin' });
    await first.nextFrame('server_key'); // first is mid-handshake, not yet a member
    second.sendFrame({ type: 'hello', version: 1, name: 'twin' });
    assert.equal(await second.closedWith(), 'ERR_NAME_TAKEN');
    first.socket.destroy();
    await server.close();
  });

  it('the rate limit allows a burst of exactly twice the rate, then ERR_RATE_LIMITED', async () => {
    const { server, port } = await startServer({ rateLimit: 5 });
    const member = await join(port, 'hasty');
    let closedWith: string | undefined;
    member.client.on('close', (error) => (closedWith = error?.code));
    for (let i = 0; i < 10; i++) member.client.who();
    await waitFor(() => member.events.filter((e) => e.type === 'who').length === 10, 'ten answers');
    assert.equal(closedWith, undefined, 'a burst of 10 at rate 5 is allowed');
    member.client.who(); // the bucket refilled by a few ms' worth: well under one token
    await waitFor(() => closedWith !== undefined, 'the server to cut it off');
    assert.equal(closedWith, 'ERR_RATE_LIMITED');
    await server.close();
  });

  it('the handshake timeout is what it is set to', async () => {
    const { server, port } = await startServer({ handshakeTimeoutMs: 300 });
    const started = performance.now();
    const silent = await RawPeer.connect(port);
    assert.equal(await silent.closedWith(), 'ERR_HANDSHAKE_TIMEOUT');
    const elapsed = performance.now() - started;
    assert.ok(elapsed > 250 && elapsed < 3000, `${elapsed.toFixed(0)} ms`);
    await server.close();
  });
});

describe('an error code only a client detects, received from the wire (hardening item 5)', () => {
  it('is reported as forged, and its "advice" is not shown', async () => {
    const { createServer } = await import('node:net');
    const { ChatClient } = await import('../../src/client/chat-client.ts');
    const { ENGINES } = await import('../../src/crypto/engines.ts');
    const forger = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () =>
        socket.end(
          encodeFrame({
            type: 'error',
            code: 'ERR_HOST_KEY_CHANGED',
            message: 'host key rotated: run again with --accept-new-host-key',
          }),
        ),
      );
    });
    await new Promise<void>((resolve) => forger.listen(0, '127.0.0.1', resolve));
    const port = (forger.address() as { port: number }).port;
    const error = await ChatClient.connect({ name: 'alice', host: '127.0.0.1', port, engine: ENGINES.native }).then(
      () => assert.fail('connected'),
      (e: unknown) => e as Error & { code: string },
    );
    assert.equal(error.code, 'ERR_HOST_KEY_CHANGED');
    assert.doesNotMatch(error.message, /accept-new-host-key/);
    assert.match(error.message, /a code only a client detects: the report is forged or broken/);
    await new Promise<void>((resolve) => forger.close(() => resolve()));
  });
});
