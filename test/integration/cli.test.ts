import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/helpers.ts';
import { run, type Running } from '../support/cli-run.ts';

const messagesOf = (client: Running) =>
  client
    .json()
    .filter((e) => e.type === 'message')
    .map((e) => `${String(e.from)}: ${String(e.text)}`);

describe('the dhlab CLI end to end: a real server and three --json clients', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-cli-'));
  const known = path.join(dir, 'known_servers');
  let server: Running;
  let port = 0;

  before(async () => {
    server = run(['server', '--port', '0', '--host-key', path.join(dir, 'host_key')]);
    await waitFor(() => server.stdout.length >= 2, 'server banner', 20_000);
    const match = /^dhlab server listening on 127\.0\.0\.1:(\d+)$/.exec(server.stdout[0] ?? '');
    assert.ok(match, server.stdout[0]);
    port = Number(match[1]);
    assert.match(server.stdout[1] ?? '', /^host key SHA256:[A-Za-z0-9+/]{43} \(created .*host_key\)$/);
    assert.equal((fs.statSync(path.join(dir, 'host_key')).mode & 0o777).toString(8), '600');
  });

  after(() => {
    server.proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const client = (name: string, ...extra: string[]) =>
    run(['client', '--json', '--name', name, '--port', String(port), '--known-servers', known, ...extra]);

  it('three clients chat in one order, in Unicode, and leave cleanly on EOF', async () => {
    const alice = client('alice');
    await waitFor(() => alice.json().some((e) => e.type === 'connected'), 'alice connected', 20_000);
    const connected = alice.json()[0] as Record<string, unknown>;
    assert.equal(connected.pin, 'new');
    assert.equal(connected.pinnedIn, known);
    assert.equal(`host key ${String(connected.fingerprint)}`, server.stdout[1]?.split(' (')[0]);
    const bob = client('bob');
    await waitFor(() => alice.json().some((e) => e.type === 'join' && e.name === 'bob'), 'bob joined', 20_000);
    const carol = client('José');
    await waitFor(() => bob.json().some((e) => e.type === 'join' && e.name === 'José'), 'José joined', 20_000);
    await waitFor(() => carol.json().some((e) => e.type === 'connected'), 'José connected', 20_000);
    assert.deepEqual(carol.json()[0]?.members, ['alice', 'bob', 'José']);
    assert.equal(carol.json()[0]?.pin, 'known'); // the same server, pinned by alice's first use

    alice.proc.stdin?.write('hello from alice\n');
    bob.proc.stdin?.write('café ☕ naïve 日本語\n');
    carol.proc.stdin?.write('/who\n');
    carol.proc.stdin?.write('a line\nwith a second line\n');
    await waitFor(
      () => [alice, bob, carol].every((c) => messagesOf(c).length === 4),
      'four messages everywhere',
      20_000,
    );
    const order = messagesOf(alice);
    assert.deepEqual(messagesOf(bob), order);
    assert.deepEqual(messagesOf(carol), order);
    assert.ok(order.includes('bob: café ☕ naïve 日本語'));
    assert.ok(order.indexOf('José: a line') < order.indexOf('José: with a second line'));
    assert.deepEqual(carol.json().find((e) => e.type === 'who')?.members, ['alice', 'bob', 'José']);

    carol.proc.stdin?.write('/frobnicate\n');
    await waitFor(
      () => carol.json().some((e) => e.type === 'error' && e.code === 'ERR_USAGE'),
      'unknown command reported',
    );
    carol.proc.stdin?.end();
    assert.equal(await carol.exit, 0);
    await waitFor(
      () => alice.json().some((e) => e.type === 'leave' && e.name === 'José' && e.reason === 'quit'),
      'José left',
    );

    bob.proc.stdin?.end('last words\n'); // queued lines are sent before leaving
    assert.equal(await bob.exit, 0);
    await waitFor(() => messagesOf(alice).includes('bob: last words'), 'last words');
    alice.proc.stdin?.end();
    assert.equal(await alice.exit, 0);
  });

  it('a long piped input is paced under the rate limit, not cut off', async () => {
    const reader = client('reader');
    await waitFor(() => reader.json().some((e) => e.type === 'connected'), 'reader connected', 20_000);
    const writer = client('writer');
    const lines = Array.from({ length: 450 }, (_, i) => `line ${i}`);
    writer.proc.stdin?.end(lines.join('\n') + '\n');
    assert.equal(await writer.exit, 0, writer.stdout.join('\n'));
    await waitFor(() => messagesOf(reader).length === lines.length, 'all lines relayed', 20_000);
    assert.deepEqual(
      messagesOf(reader),
      lines.map((line) => `writer: ${line}`),
    );
    reader.proc.stdin?.end();
    assert.equal(await reader.exit, 0);
  });

  it('a changed host key is refused with ERR_HOST_KEY_CHANGED unless explicitly accepted', async () => {
    const entry = `127.0.0.1:${port} ed25519 ${Buffer.alloc(32, 7).toString('base64')}\n`;
    const forged = path.join(dir, 'forged_known');
    fs.writeFileSync(forged, entry);
    const refused = run(['client', '--json', '--name', 'dave', '--port', String(port), '--known-servers', forged]);
    refused.proc.stdin?.end();
    assert.equal(await refused.exit, 1);
    assert.equal(refused.json()[0]?.code, 'ERR_HOST_KEY_CHANGED');
    // Both fingerprints and the line of the pin, as ssh names the offending line of known_hosts.
    assert.match(
      String(refused.json()[0]?.message),
      new RegExp(`pinned SHA256:\\S{43} \\(${forged}:1\\), now SHA256:\\S{43}\\.`),
    );
    assert.equal(fs.readFileSync(forged, 'utf8'), entry); // not re-pinned

    const accepted = run([
      'client',
      '--json',
      '--name',
      'dave',
      '--port',
      String(port),
      '--known-servers',
      forged,
      '--accept-new-host-key',
    ]);
    accepted.proc.stdin?.end();
    assert.equal(await accepted.exit, 0);
    assert.equal(accepted.json()[0]?.pin, 'replaced');
    assert.doesNotMatch(fs.readFileSync(forged, 'utf8'), /BwcHBwcH/);
  });

  it('rejects a taken name with ERR_NAME_TAKEN and exit code 1', async () => {
    const alice = client('alice');
    await waitFor(() => alice.json().some((e) => e.type === 'connected'), 'alice connected', 20_000);
    const twin = client('alice');
    twin.proc.stdin?.end();
    assert.equal(await twin.exit, 1);
    assert.equal(twin.json()[0]?.code, 'ERR_NAME_TAKEN');
    assert.match(String(twin.json()[0]?.message), /^the name "alice" is taken/);
    alice.proc.stdin?.end();
    assert.equal(await alice.exit, 0);
  });

  it('refuses a name outside the profile before connecting: no round trip, the reason in words', async () => {
    // Port 1 has no server: a client that connected anyway would report ERR_CONNECTION instead.
    const mixed = run(['client', '--name', '\u0430lice', '--port', '1']);
    assert.equal(await mixed.exit, 1);
    assert.deepEqual(mixed.stdout, []);
    assert.match(
      mixed.stderr.join('\n'),
      /^dhlab: ERR_BAD_NAME: the name "\u0430lice" cannot be used: it mixes scripts: Cyrillic .* and Latin/,
    );
    const empty = run(['client', '--name', '', '--port', '1']);
    assert.equal(await empty.exit, 1);
    assert.match(empty.stderr.join('\n'), /ERR_BAD_NAME: the name "" cannot be used: it is empty/);
  });

  it('SIGTERM shuts the server down cleanly and tells every client why', async () => {
    const alice = client('alice');
    await waitFor(() => alice.json().some((e) => e.type === 'connected'), 'alice connected', 20_000);
    server.proc.kill('SIGTERM');
    assert.equal(await server.exit, 0);
    assert.equal(await alice.exit, 1);
    const bye = alice.json().find((e) => e.type === 'bye');
    assert.equal(bye?.code, 'ERR_SERVER_SHUTDOWN');
    assert.match(String(bye?.reason), /SIGTERM/);
  });
});

describe('the dhlab CLI refuses bad command lines with ERR_USAGE', () => {
  for (const args of [
    ['frobnicate'],
    ['client'],
    ['client', '--name', 'a', '--port', 'http'],
    ['server', '--group', 'modp99'],
    ['server', '--bogus'],
    ['demo', '--crypto', 'rot13'],
  ]) {
    it(args.join(' '), async () => {
      const cli = run(args);
      assert.equal(await cli.exit, 2);
      assert.match(cli.stderr.join('\n'), /ERR_USAGE/);
    });
  }

  it('a client with no server to talk to gets ERR_CONNECTION', async () => {
    const cli = run(['client', '--json', '--name', 'a', '--port', '1']);
    cli.proc.stdin?.end();
    assert.equal(await cli.exit, 1);
    assert.equal(cli.json()[0]?.code, 'ERR_CONNECTION');
  });
});

describe('npm start (dhlab demo)', () => {
  it('runs a narrated room on loopback and exits 0; client and server derive the same K', async () => {
    const demo = run(['demo']);
    assert.equal(await demo.exit, 0, demo.stderr.join('\n'));
    // Every line fits 80 columns; a value or word is never broken, continuations are indented.
    for (const line of demo.stdout) assert.ok([...line].length <= 80, line);
    // Only trace lines (indented) hang their continuations; prose wraps flush left.
    let head = '';
    for (const line of demo.stdout) {
      if (!/^ {6}/.test(line)) head = line;
      else assert.ok(head.startsWith(' '), `prose continued with an indent: "${head}" / "${line}"`);
    }
    const out = demo.stdout.join('\n').replace(/\n {6,}/g, ' ');
    for (const name of ['alice', 'bob', 'carol']) {
      const k = (who: string) =>
        [...out.matchAll(new RegExp(`${who}: hashed shared secret K = SHA-256\\(Z\\) = (\\S+)`, 'g'))].map((m) => m[1]);
      assert.equal(k(name).length, 1, name);
      assert.ok(k('server').includes(k(name)[0]), `${name}'s K matches the server's`);
      assert.match(out, new RegExp(`${name} opens #\\d+ from server: \\{"type":"message"`));
    }
    assert.match(out, /group modp14 \(RFC 3526\), p = ffffffff…ffffffff \(2048 bits\), g = 2/);
    assert.match(out, /ciphertext\+tag [0-9a-f]{8}…[0-9a-f]{8}/);
    assert.match(out, /ça va\? Unicode is fine here: 👋/);
  });
});

describe('dhlab client --trace against a port nobody listens on', () => {
  it('one error line, and no frame narrated: there was no connection', async () => {
    const net = await import('node:net');
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = run(['client', '--name', 'zz', '--port', String(port), '--trace']);
    client.proc.stdin?.end();
    assert.equal(await client.exit, 1);
    const all = [...client.stdout, ...client.stderr].join('\n');
    assert.equal(all.match(/ERR_CONNECTION/g)?.length, 1, all);
    assert.doesNotMatch(all, /frame, \d+ bytes on the wire/);
  });
});
