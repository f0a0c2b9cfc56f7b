import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerEvent } from '../../src/protocol/messages.ts';
import type { ChatServer } from '../../src/server/chat-server.ts';
import { FORBIDDEN_ON_SCREEN, HOSTILE_STRINGS } from '../support/hostile-corpus.ts';
import { run } from '../support/cli-run.ts';
import { startHostileServer } from './hostile-server.ts';
import { assertRoomWorks, join, RawPeer, startServer, waitFor, type Member } from '../support/helpers.ts';
import { tamperingClient } from './tamper-client.ts';

/** Everything a hostile peer can put in front of a client: names, texts, reasons, error messages. */
export function hostileScript(me: string): ServerEvent[] {
  const events: ServerEvent[] = [
    { type: 'welcome', name: me, members: [me, ...HOSTILE_STRINGS.slice(0, 3)], count: 4 },
  ];
  HOSTILE_STRINGS.forEach((text, i) => {
    events.push({ type: 'message', id: i + 1, from: 'mallory', text });
    events.push({ type: 'join', name: text });
    events.push({ type: 'leave', name: text, reason: text });
  });
  events.push({ type: 'who', members: [...HOSTILE_STRINGS], count: HOSTILE_STRINGS.length });
  events.push({ type: 'error', code: 'ERR_RATE_LIMITED', message: HOSTILE_STRINGS.join(' ') });
  return events;
}

describe('display safety: hostile text reaches a terminal only as visible escapes', () => {
  it('a plain `dhlab client` prints no control sequence from any peer string', async () => {
    const hostile = await startHostileServer(hostileScript);
    try {
      const client = run(['client', '--name', 'alice', '--port', String(hostile.port), '--known-servers', '/dev/null']);
      const raw: Buffer[] = [];
      client.proc.stdout?.on('data', (chunk: Buffer) => raw.push(chunk));
      client.proc.stderr?.on('data', (chunk: Buffer) => raw.push(chunk));
      assert.equal(await client.exit, 1); // the script ends with an error event
      const printed = Buffer.concat(raw).toString('utf8');
      assert.doesNotMatch(printed, FORBIDDEN_ON_SCREEN);
      // Each peer string stays on its own line: no line begins with a fake <name> or system mark.
      for (const line of printed.split('\n')) assert.doesNotMatch(line, /^<(alice|bob)>/, line);
      assert.match(printed, /<mallory> innocent\\r<alice> I owe bob 100/);
      assert.match(printed, /<mallory> \\x1b\]0;pwned title\\x07/);
      assert.match(printed, /<mallory> evil\\u202egnp\.exe/);
      assert.match(printed, /<mallory> \{red-fg\}\{bold\}blessed tags/);
    } finally {
      await hostile.close();
    }
  });
});

describe('the server enforces the name profile and the text rules', () => {
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
    assert.deepEqual(bob.messages(), alice.messages());
    await server.close();
  });

  async function hello(name: string): Promise<{ code: string | undefined; message: string }> {
    const peer = await RawPeer.connect(port);
    peer.sendFrame({ type: 'hello', version: 1, name });
    const code = await peer.closedWith();
    return { code, message: String(peer.frames.find((f) => f.type === 'error')?.message) };
  }

  it('refuses invisible and impersonating names with the reason', async () => {
    for (const [name, why] of [
      ['alice\u034f', /COMBINING GRAPHEME JOINER, which is invisible/],
      ['\u3164', /HANGUL FILLER/],
      ['\u2800', /BRAILLE PATTERN BLANK/],
      ['\u0430lice', /mixes scripts/],
      ['alice> hey <bob', /GREATER-THAN SIGN/],
      ['\x1b]0;title\x07', /ESCAPE/],
    ] as const) {
      const { code, message } = await hello(name);
      assert.equal(code, 'ERR_BAD_NAME', JSON.stringify(name));
      assert.match(message, why);
    }
    await assertRoomWorks(port, [alice, bob], `r${++round}`);
  });

  it('refuses a name that differs from a member only by case or confusables', async () => {
    for (const name of ['Alice', 'ALICE', 'a1ice', 'b0b']) {
      const { code, message } = await hello(name);
      assert.equal(code, 'ERR_NAME_TAKEN', name);
      assert.match(message, /looks like "(alice|bob)"/);
    }
    // A whole-Cyrillic lookalike of a member is one script, so only its skeleton gives it away.
    const ace = await join(port, 'ace');
    assert.equal((await hello('\u0430\u0441\u0435')).code, 'ERR_NAME_TAKEN');
    await ace.client.quit();
  });

  it('refuses chat text with controls, bidi controls, separators or lone surrogates (ERR_BAD_TEXT)', async () => {
    for (const text of ['two\nlines', 'evil\u202egnp.exe', 'a\u2028b', '\x1b[2J', 'bad \ud800']) {
      const mallory = await tamperingClient(port, `m${++round}`, (frames) => frames);
      mallory.session.send({ type: 'chat', text });
      assert.equal((await mallory.flush())?.code, 'ERR_BAD_TEXT', JSON.stringify(text));
    }
    assert.throws(() => alice.client.say('two\nlines'), /ERR_BAD_TEXT|U\+000A/);
    await assertRoomWorks(port, [alice, bob], `r${++round}`);
  });

  it('writes peer words into its log only escaped', async () => {
    const peer = await RawPeer.connect(port);
    peer.sendFrame({ type: 'error', code: 'ERR_BAD_FRAME', message: 'x\n#99 10.0.0.5:4444 admin joined\x1b]0;t\x07' });
    await peer.closed;
    const peer2 = await RawPeer.connect(port);
    peer2.sendFrame({ type: '\x1b[2Jfake\nline' });
    await peer2.closedWith();
    await waitFor(() => logs.some((l) => l.includes('fake')), 'unknown frame logged');
    for (const line of logs) {
      assert.doesNotMatch(line, FORBIDDEN_ON_SCREEN);
      assert.ok(!line.includes('\n'), line);
    }
    assert.ok(logs.some((l) => l.includes('x\\n#99 10.0.0.5:4444 admin joined\\x1b]0;t\\x07')));
  });
});
