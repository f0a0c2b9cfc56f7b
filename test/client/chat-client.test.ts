// The redesign, item 4: ChatClient's state is explicit, and onEvent sees every event from the
// welcome on (no backlog held until someone listens).
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { ChatClient, type ClientState } from '../../src/client/chat-client.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import type { ServerEvent } from '../../src/protocol/messages.ts';
import { join, startServer, waitFor } from '../support/helpers.ts';

describe('ChatClient', () => {
  it('a port nobody listens on: ERR_CONNECTION, and no error frame is sent or traced into the failed socket', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const traced: string[] = [];
    await assert.rejects(
      ChatClient.connect({
        name: 'zz',
        host: '127.0.0.1',
        port,
        engine: ENGINES.native,
        trace: (e) => traced.push(e.kind === 'wire' ? `wire ${e.dir} ${e.frame.type}` : e.kind),
      }),
      /ERR_CONNECTION|cannot reach/,
    );
    assert.deepEqual(traced, ['error']);
  });

  it('is a member once connect() resolves, closed after quit(); onEvent starts with the welcome', async () => {
    const { server, port } = await startServer();
    try {
      const bob = await join(port, 'bob');
      const seen: ServerEvent[] = [];
      const states: ClientState[] = [];
      const alice = await ChatClient.connect({
        name: 'alice',
        host: '127.0.0.1',
        port,
        engine: ENGINES.native,
        onEvent: (event, self) => (seen.push(event), states.push(self.state)),
      });
      assert.equal(alice.state, 'member');
      assert.equal(seen[0]?.type, 'welcome');
      assert.equal(states[0], 'member', 'the welcome makes it a member before anyone hears of it');
      assert.deepEqual(alice.members, ['bob', 'alice']);
      bob.client.say('hello alice');
      await waitFor(() => seen.some((e) => e.type === 'message' && e.text === 'hello alice'), "bob's line");
      assert.equal(await alice.quit(), null);
      assert.equal(alice.state, 'closed');
      assert.ok(alice.closed);
      await bob.client.quit();
    } finally {
      await server.close();
    }
  });

  it('handshaking until keys are agreed: a server that closes then is "during the handshake"', async () => {
    const silent = net.createServer((socket) => socket.once('data', () => socket.end()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        ChatClient.connect({ name: 'alice', host: '127.0.0.1', port, engine: ENGINES.native }),
        (error: Error & { code?: string }) =>
          error.code === 'ERR_CONNECTION' && /during the handshake/.test(error.message),
      );
    } finally {
      silent.close();
    }
  });
});
