// The redesign, item 3: the server's trace carries each connection's name, so nobody else reads
// names out of hello frames. The hello itself carries the name the room gave (or null if refused).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/client/chat-client.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';
import { join, startServer, waitFor } from '../support/helpers.ts';

describe("the server's trace names its connections", () => {
  it('every event of a member, its hello first, carries its name; a refused hello carries null', async () => {
    const seen: { id: number; event: TraceEvent; name: string | null }[] = [];
    const { server, port } = await startServer({ trace: (id, event, name) => seen.push({ id, event, name }) });
    try {
      const alice = await join(port, 'alice');
      await assert.rejects(
        ChatClient.connect({ name: 'alice', host: '127.0.0.1', port, engine: ENGINES.native }),
        (error: Error & { code?: string }) => error.code === 'ERR_NAME_TAKEN' || /is taken/.test(error.message),
      );
      alice.client.say('hi');
      await waitFor(() => alice.messages().length === 1, 'the echo');
      await alice.client.quit();
      await waitFor(() => server.connectionCount === 0, 'both connections to close');

      const ids = [...new Set(seen.map((s) => s.id))];
      assert.equal(ids.length, 2);
      const [first, second] = ids.map((id) => seen.filter((s) => s.id === id));
      // alice: the hello is her first wire event, before the server's answer; all of hers say "alice".
      const wire = (first ?? []).filter((s) => s.event.kind === 'wire');
      assert.deepEqual(
        wire.slice(0, 2).map((s) => (s.event.kind === 'wire' ? `${s.event.dir} ${s.event.frame.type}` : '')),
        ['recv hello', 'send server_key'],
      );
      assert.ok(
        (first ?? []).every((s) => s.name === 'alice'),
        'every event of alice, her last ones included',
      );
      // The second "alice" is refused: her hello and her error carry no name (not the other alice's).
      assert.ok((second ?? []).length > 0 && (second ?? []).every((s) => s.name === null));
      assert.ok(
        (second ?? []).some((s) => s.event.kind === 'wire' && s.event.dir === 'recv' && s.event.frame.type === 'hello'),
        'the refused hello is traced too',
      );
      assert.ok((second ?? []).some((s) => s.event.kind === 'error' && s.event.code === 'ERR_NAME_TAKEN'));
    } finally {
      await server.close();
    }
  });
});
