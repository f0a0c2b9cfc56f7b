import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, type Running } from '../support/cli-run.ts';
import { waitFor } from '../support/helpers.ts';

describe('dhlab eve: a real wiretap relay between real dhlab processes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-eve-'));
  let server: Running;
  let eve: Running;
  let evePort = 0;

  before(async () => {
    server = run(['server', '--port', '0', '--host-key', path.join(dir, 'host_key')]);
    await waitFor(() => server.stdout.length >= 2, 'server banner', 20_000);
    const serverPort = Number(/:(\d+)$/.exec(server.stdout[0] ?? '')?.[1]);
    eve = run(['eve', '--listen', '0', '--forward', `127.0.0.1:${serverPort}`, '--json']);
    await waitFor(() => eve.stderr.some((l) => l.startsWith('dhlab eve listening')), 'eve banner', 20_000);
    evePort = Number(/listening on 127\.0\.0\.1:(\d+),/.exec(eve.stderr.join('\n'))?.[1]);
  });
  after(() => {
    server.proc.kill('SIGKILL');
    eve.proc.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('chat works through it, it prints every frame, and no plaintext', async () => {
    const client = (name: string) =>
      run(['client', '--json', '--name', name, '--port', String(evePort), '--known-servers', path.join(dir, 'known')]);
    const alice = client('alice');
    await waitFor(() => alice.json().some((e) => e.type === 'connected'), 'alice in', 20_000);
    const bob = client('bob');
    await waitFor(() => alice.json().some((e) => e.type === 'join'), 'bob in', 20_000);
    alice.proc.stdin?.end('the password is swordfish\n');
    await waitFor(
      () => bob.json().some((e) => e.type === 'message' && e.text === 'the password is swordfish'),
      'delivered through eve',
      20_000,
    );
    bob.proc.stdin?.end();
    assert.equal(await alice.exit, 0);
    assert.equal(await bob.exit, 0);
    await waitFor(() => eve.stdout.filter((l) => l.includes('"type":"data"')).length >= 8, 'frames observed', 20_000);
    const frames = eve.json();
    const types = new Set(frames.map((f) => f.type));
    for (const type of ['hello', 'server_key', 'client_key', 'server_auth', 'data']) assert.ok(types.has(type), type);
    assert.ok(
      frames.every((f) => typeof f.bytes === 'number' && (f.dir === 'client->server' || f.dir === 'server->client')),
    );
    assert.deepEqual(
      frames
        .filter((f) => f.type === 'hello')
        .map((f) => (f.frame as { name: string }).name)
        .sort(),
      ['alice', 'bob'],
    );
    assert.doesNotMatch(eve.stdout.join('\n'), /swordfish/);
  });
});
