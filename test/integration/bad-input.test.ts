import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bigintToBytes, toHex } from '../../src/crypto/bytes.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { encodeFrame, FrameDecoder, parseFramePayload } from '../../src/protocol/frame.ts';
import type { ChatServer } from '../../src/server/chat-server.ts';
import { assertRoomWorks, join, RawPeer, startServer, waitFor, type Member } from '../support/helpers.ts';
import { tamperingClient } from './tamper-client.ts';

const { p } = GROUPS.modp14;
const hex = (value: bigint) => toHex(bigintToBytes(value, 256));
const frameOf = (bytes: Uint8Array) => parseFramePayload(new FrameDecoder().push(bytes)[0] as Uint8Array);

describe('bad input against a real server: clear error, connection closed, room unaffected', () => {
  let server: ChatServer;
  let port: number;
  let logs: string[];
  let alice: Member;
  let bob: Member;
  let round = 0;

  before(async () => {
    ({ server, port, logs } = await startServer());
    alice = await join(port, 'alice');
    bob = await join(port, 'bob');
  });

  after(async () => {
    // No honest message was lost or reordered: both saw the same complete sequence.
    const expected = alice.messages();
    assert.ok(expected.length >= 2 * round);
    assert.deepEqual(bob.messages(), expected);
    await server.close();
  });

  /** Sends `attack` from a raw peer and checks the code it gets back, then that the room still works. */
  async function rawAttack(attack: (peer: RawPeer) => Promise<void> | void, code: string): Promise<void> {
    const peer = await RawPeer.connect(port);
    await attack(peer);
    assert.equal(await peer.closedWith(), code);
    await assertRoomWorks(port, [alice, bob], `r${++round}`);
  }

  async function badPublicValue(y: string, code = 'ERR_BAD_PUBLIC_KEY'): Promise<void> {
    await rawAttack(async (peer) => {
      peer.sendFrame({ type: 'hello', version: 1, name: `eve${round}` });
      await peer.nextFrame('server_key');
      peer.sendFrame({ type: 'client_key', y });
    }, code);
  }

  it('garbage bytes (an HTTP request) are ERR_FRAME_LENGTH', () =>
    rawAttack((peer) => peer.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'ERR_FRAME_LENGTH'));
  it('a zero length prefix is ERR_FRAME_LENGTH', () =>
    rawAttack((peer) => peer.write(Uint8Array.of(0, 0, 0, 0)), 'ERR_FRAME_LENGTH'));
  it('a 4 GiB length prefix is ERR_FRAME_LENGTH', () =>
    rawAttack((peer) => peer.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), 'ERR_FRAME_LENGTH'));
  it('invalid JSON is ERR_BAD_JSON', () =>
    rawAttack((peer) => peer.write(Buffer.concat([Uint8Array.of(0, 0, 0, 5), Buffer.from('{nope')])), 'ERR_BAD_JSON'));
  it('an unknown frame is ERR_UNKNOWN_FRAME', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'gimme_keys' }), 'ERR_UNKNOWN_FRAME'));
  it('chat before the handshake is ERR_UNEXPECTED_FRAME', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'data', seq: 0, box: 'AAAA' }), 'ERR_UNEXPECTED_FRAME'));
  it('a key before hello is ERR_UNEXPECTED_FRAME', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'client_key', y: hex(4n) }), 'ERR_UNEXPECTED_FRAME'));
  it('another protocol version is ERR_VERSION', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'hello', version: 9, name: 'old' }), 'ERR_VERSION'));

  it('a frame cut off by close is logged as ERR_FRAME_TRUNCATED', async () => {
    const peer = await RawPeer.connect(port);
    peer.socket.end(encodeFrame({ type: 'hello', version: 1, name: 'cut' }).subarray(0, 12));
    await peer.closed;
    await waitFor(() => logs.some((line) => line.includes('ERR_FRAME_TRUNCATED')), 'truncation logged');
    await assertRoomWorks(port, [alice, bob], `r${++round}`);
  });

  it('public value 0', () => badPublicValue(hex(0n)));
  it('public value 1', () => badPublicValue(hex(1n)));
  it('public value p-1', () => badPublicValue(hex(p - 1n)));
  it('public value p', () => badPublicValue(hex(p)));
  it('public value above p', () => badPublicValue(hex(p + 12345n)));
  it('public value outside the prime-order subgroup', () => badPublicValue(hex(p - 4n)));
  it('public value of the wrong length', () => badPublicValue('0102'));
  it('public value that is not hex', () => badPublicValue('zz'.repeat(256), 'ERR_BAD_FRAME'));

  it('an empty name is ERR_BAD_NAME', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'hello', version: 1, name: '' }), 'ERR_BAD_NAME'));
  it('an overlong name is ERR_BAD_NAME', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'hello', version: 1, name: 'x'.repeat(33) }), 'ERR_BAD_NAME'));
  it('a name with a newline is ERR_BAD_NAME', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'hello', version: 1, name: 'eve\nbob: hi' }), 'ERR_BAD_NAME'));
  it('a taken name is ERR_NAME_TAKEN', () =>
    rawAttack((peer) => peer.sendFrame({ type: 'hello', version: 1, name: 'alice' }), 'ERR_NAME_TAKEN'));

  it('a name of 32 characters with accents and inner spaces is fine', async () => {
    const name = 'José Ñuñez ' + 'é'.repeat(21);
    assert.equal([...name].length, 32);
    const member = await join(port, name);
    await member.client.quit();
  });

  describe('tampered ciphertexts (Mallory between a client and the server)', () => {
    it('a replayed frame is ERR_DECRYPT and delivered once only', async () => {
      const mallory = await tamperingClient(port, 'mallory1', ([one]) => [one as Uint8Array, one as Uint8Array]);
      mallory.session.send({ type: 'chat', text: 'replay me' });
      assert.equal((await mallory.flush())?.code, 'ERR_DECRYPT');
      await assertRoomWorks(port, [alice, bob], `r${++round}`);
      assert.equal(alice.messages().filter((m) => m.text === 'replay me').length, 1);
    });

    it('reordered frames are ERR_DECRYPT and neither is delivered', async () => {
      const mallory = await tamperingClient(port, 'mallory2', ([one, two]) => [two as Uint8Array, one as Uint8Array]);
      mallory.session.send({ type: 'chat', text: 'first' });
      mallory.session.send({ type: 'chat', text: 'second' });
      assert.equal((await mallory.flush())?.code, 'ERR_DECRYPT');
      await assertRoomWorks(port, [alice, bob], `r${++round}`);
      assert.equal(
        alice.messages().some((m) => m.from === 'mallory2'),
        false,
      );
    });

    it('a bit-flipped ciphertext is ERR_DECRYPT and not delivered', async () => {
      const mallory = await tamperingClient(port, 'mallory3', ([one]) => {
        const frame = frameOf(one as Uint8Array);
        const sealed = Buffer.from(frame.box as string, 'base64');
        sealed[3] = (sealed[3] as number) ^ 0x20;
        return [encodeFrame({ ...frame, box: sealed.toString('base64') })];
      });
      mallory.session.send({ type: 'chat', text: 'pay bob 100' });
      assert.equal((await mallory.flush())?.code, 'ERR_DECRYPT');
      await assertRoomWorks(port, [alice, bob], `r${++round}`);
      assert.equal(
        alice.messages().some((m) => m.from === 'mallory3'),
        false,
      );
    });

    it('an overlong message is ERR_MESSAGE_TOO_LONG (the client library refuses it before sending)', async () => {
      assert.throws(() => alice.client.say('x'.repeat(4097)), /4096/);
      const mallory = await tamperingClient(port, 'mallory4', (frames) => frames);
      mallory.session.send({ type: 'chat', text: 'é'.repeat(2049) });
      assert.equal((await mallory.flush())?.code, 'ERR_MESSAGE_TOO_LONG');
      await assertRoomWorks(port, [alice, bob], `r${++round}`);
    });
  });
});

describe('clients that stall', () => {
  it('a client that never finishes the handshake is dropped with ERR_HANDSHAKE_TIMEOUT', async () => {
    const { server, port } = await startServer({ handshakeTimeoutMs: 300 });
    const alice = await join(port, 'alice');
    const bob = await join(port, 'bob');
    const silent = await RawPeer.connect(port);
    const halfway = await RawPeer.connect(port);
    halfway.sendFrame({ type: 'hello', version: 1, name: 'halfway' });
    await halfway.nextFrame('server_key');
    // The room keeps working while they stall, and a new client can still join.
    await assertRoomWorks(port, [alice, bob], 'during');
    assert.equal(await silent.closedWith(), 'ERR_HANDSHAKE_TIMEOUT');
    assert.equal(await halfway.closedWith(), 'ERR_HANDSHAKE_TIMEOUT');
    await assertRoomWorks(port, [alice, bob], 'after');
    // The stalled name was released.
    const again = await join(port, 'halfway');
    await again.client.quit();
    assert.deepEqual(bob.messages(), alice.messages());
    await server.close();
  });

  it('a client that stops reading is disconnected alone with ERR_SLOW_CONSUMER; nobody else loses a message', async () => {
    const { server, port, logs } = await startServer({ maxQueueBytes: 256 * 1024, rateLimit: 100_000 });
    const alice = await join(port, 'alice');
    const bob = await join(port, 'bob');
    const sloth = await join(port, 'sloth');
    sloth.client['socket'].pause(); // stops reading; the kernel buffers fill, then the server's queue
    const text = 'z'.repeat(4000);
    let sent = 0;
    const slothGone = () => alice.events.some((e) => e.type === 'leave' && e.name === 'sloth');
    while (!slothGone() && sent < 5000) {
      for (let i = 0; i < 50; i++, sent++) alice.client.say(`${sent} ${text}`);
      await waitFor(() => bob.messages().length === sent && alice.messages().length === sent, `batch to ${sent}`);
    }
    assert.ok(slothGone(), `sloth still connected after ${sent} messages: ${logs.join('; ')}`);
    assert.ok(alice.events.some((e) => e.type === 'leave' && e.name === 'sloth' && e.reason === 'ERR_SLOW_CONSUMER'));
    assert.ok(logs.some((line) => line.includes('sloth closed: ERR_SLOW_CONSUMER')));
    assert.deepEqual(server.memberNames, ['alice', 'bob']);
    const expected = Array.from({ length: sent }, (_, i) => ({ from: 'alice', text: `${i} ${text}` }));
    assert.deepEqual(alice.messages(), expected);
    assert.deepEqual(bob.messages(), expected);
    await assertRoomWorks(port, [alice, bob], 'after');
    sloth.client.destroy();
    await server.close();
  });

  it('welcome and who name the first 200 members and give the count, so they fit in a frame', async () => {
    const { server, port } = await startServer();
    const crowd: Member[] = [];
    for (let i = 0; i < 205; i++) crowd.push(await join(port, `member-${i}-${'x'.repeat(20)}`));
    const last = crowd.at(-1) as Member;
    assert.equal(last.client.memberCount, 205);
    assert.equal(last.client.members.length, 200);
    assert.equal(last.client.members[0], `member-0-${'x'.repeat(20)}`);
    last.client.who();
    await waitFor(() => last.events.some((e) => e.type === 'who'), 'who');
    const who = last.events.find((e) => e.type === 'who') as { members: string[]; count: number };
    assert.equal(who.count, 205);
    assert.equal(who.members.length, 200);
    for (const member of crowd) member.client.destroy();
    await server.close();
  });

  it('--max-clients: one over the limit gets ERR_SERVER_FULL', async () => {
    const { server, port } = await startServer({ maxClients: 2 });
    const alice = await join(port, 'alice');
    const bob = await join(port, 'bob');
    const third = await RawPeer.connect(port);
    assert.equal(await third.closedWith(), 'ERR_SERVER_FULL');
    await alice.client.quit();
    await waitFor(() => server.connectionCount === 1, 'alice gone');
    const carol = await join(port, 'carol'); // a slot freed up
    assert.deepEqual(server.memberNames, ['bob', 'carol']);
    await carol.client.quit();
    await bob.client.quit();
    await server.close();
  });
});
