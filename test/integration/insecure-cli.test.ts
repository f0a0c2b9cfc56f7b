import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { run, type Running } from '../support/cli-run.ts';
import { waitFor } from '../support/helpers.ts';

describe('--insecure-... flags on real dhlab processes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-insecure-'));
  let server: Running | undefined;
  after(() => server?.proc.kill('SIGTERM'));

  it('a toy23 server warns, a client with --insecure-toy-groups joins and chats, a default client refuses it', async () => {
    server = run([
      'server',
      '--port',
      '0',
      '--insecure-group',
      'toy23',
      '--insecure-exponent-bits',
      '3',
      '--host-key',
      path.join(dir, 'host_key'),
    ]);
    await waitFor(() => server?.stdout.some((l) => l.startsWith('dhlab server listening on')) === true, 'the server');
    const port = /:(\d+)$/.exec(server.stdout[0] as string)?.[1] as string;
    assert.ok(
      server.stderr.some((l) => /^WARNING: INSECURE \(teaching only\): toy group toy23/.test(l)),
      server.stderr.join('\n'),
    );
    assert.ok(server.stderr.some((l) => /3-bit private exponents/.test(l)));

    const toy = run([
      'client',
      '--name',
      'ann',
      '--port',
      port,
      '--insecure-toy-groups',
      '--known-servers',
      path.join(dir, 'ks'),
      '--json',
      '--trace',
    ]);
    toy.proc.stdin?.end('two plus two\n');
    assert.equal(await toy.exit, 0, toy.stderr.join('\n'));
    assert.ok(toy.json().some((e) => e.type === 'message' && e.text === 'two plus two'));
    assert.ok(toy.stderr.some((l) => l.startsWith('WARNING: INSECURE (teaching only): toy groups accepted')));
    assert.match(
      toy.stderr.join(' '),
      /the server announces INSECURE \(teaching only\) weakenings: toy23, 3-bit\s+exponents/,
    );
    // Values below 2^64 are narrated in decimal, so a class can check them with pow().
    assert.ok(
      toy.stderr.some((l) => /public value y = g\^x mod p = \d{1,2}$/.test(l)),
      toy.stderr.join('\n'),
    );

    const plain = run(['client', '--name', 'bea', '--port', port, '--known-servers', path.join(dir, 'ks'), '--json']);
    plain.proc.stdin?.end();
    assert.equal(await plain.exit, 1);
    // The server announced its weakenings in server_key (PROTOCOL s.4.1): refused before anything else.
    const refusal = plain.json().find((e) => e.type === 'error');
    assert.equal(refusal?.code, 'ERR_INSECURE_SERVER', plain.stdout.join('\n'));
    assert.match(String(refusal?.message), /announces teaching-only weakenings \(toy23, 3-bit exponents\)/);
    assert.equal(plain.stderr.filter((l) => l.startsWith('WARNING')).length, 0, 'no warning without an insecure flag');
  });

  it('a modp14 server with 2-bit exponents: a secure client refuses it (y_s = 8 would give x away), a teaching client joins', async () => {
    const weak = run([
      'server',
      '--port',
      '0',
      '--insecure-exponent-bits',
      '2',
      '--host-key',
      path.join(dir, 'host_key_2'),
    ]);
    try {
      await waitFor(() => weak.stdout.some((l) => l.startsWith('dhlab server listening on')), 'the server');
      const port = /:(\d+)$/.exec(weak.stdout[0] as string)?.[1] as string;
      const plain = run(['client', '--name', 'cy', '--port', port, '--known-servers', path.join(dir, 'ks2'), '--json']);
      plain.proc.stdin?.end();
      assert.equal(await plain.exit, 1);
      assert.equal(plain.json().find((e) => e.type === 'error')?.code, 'ERR_INSECURE_SERVER');
      const teaching = run([
        'client',
        '--name',
        'di',
        '--port',
        port,
        '--known-servers',
        path.join(dir, 'ks2'),
        '--json',
        '--insecure-exponent-bits',
        '256',
      ]);
      teaching.proc.stdin?.end('hi\n');
      assert.equal(await teaching.exit, 0, teaching.stderr.join('\n'));
    } finally {
      weak.proc.kill('SIGTERM');
      await weak.exit;
    }
  });

  it('--insecure-nonce-reuse on both ends: they chat; a default client refuses the server; with --insecure-cbc it is a usage error', async () => {
    const stuck = run(['server', '--port', '0', '--insecure-nonce-reuse', '--host-key', path.join(dir, 'host_key_3')]);
    try {
      await waitFor(() => stuck.stdout.some((l) => l.startsWith('dhlab server listening on')), 'the server');
      assert.ok(
        stuck.stderr.some((l) => /WARNING: INSECURE \(teaching only\): every frame sealed with nonce 0/.test(l)),
      );
      const port = /:(\d+)$/.exec(stuck.stdout[0] as string)?.[1] as string;
      const client = run([
        'client',
        '--name',
        'ed',
        '--port',
        port,
        '--known-servers',
        path.join(dir, 'ks3'),
        '--json',
        '--insecure-nonce-reuse',
      ]);
      client.proc.stdin?.end('one\ntwo\n');
      assert.equal(await client.exit, 0, client.stderr.join('\n'));
      assert.deepEqual(
        client.json().flatMap((e) => (e.type === 'message' ? [e.text] : [])),
        ['one', 'two'],
      );
      // (That every frame then says seq 0 is checked at the protocol level: test/protocol/lifecycle.test.ts.)
      const plain = run(['client', '--name', 'fi', '--port', port, '--known-servers', path.join(dir, 'ks3'), '--json']);
      plain.proc.stdin?.end();
      assert.equal(await plain.exit, 1);
      assert.match(String(plain.json().find((e) => e.type === 'error')?.message), /nonce reuse/);
    } finally {
      stuck.proc.kill('SIGTERM');
      await stuck.exit;
    }
    const both = run(['server', '--port', '0', '--insecure-nonce-reuse', '--insecure-cbc']);
    assert.equal(await both.exit, 2);
    assert.match(both.stderr.join('\n'), /--insecure-nonce-reuse weakens GCM, --insecure-cbc replaces it: choose one/);
  });

  it('a client whose record-layer flag does not match the server is refused before the handshake, with the flag to use', async () => {
    const cbc = run(['server', '--port', '0', '--insecure-cbc', '--host-key', path.join(dir, 'host_key_4')]);
    try {
      await waitFor(() => cbc.stdout.some((l) => l.startsWith('dhlab server listening on')), 'the server');
      const port = /:(\d+)$/.exec(cbc.stdout[0] as string)?.[1] as string;
      const toy = run([
        'client',
        '--name',
        'gus',
        '--port',
        port,
        '--known-servers',
        path.join(dir, 'ks4'),
        '--json',
        '--insecure-toy-groups',
      ]);
      toy.proc.stdin?.end('hi\n');
      assert.equal(await toy.exit, 1);
      const error = toy.json().find((e) => e.type === 'error');
      assert.equal(error?.code, 'ERR_INSECURE_SERVER');
      assert.match(String(error?.message), /announces "CBC, no MAC": join it with --insecure-cbc/);
    } finally {
      cbc.proc.kill('SIGTERM');
      await cbc.exit;
    }
    const secure = run(['server', '--port', '0', '--host-key', path.join(dir, 'host_key_5')]);
    try {
      await waitFor(() => secure.stdout.some((l) => l.startsWith('dhlab server listening on')), 'the server');
      const port = /:(\d+)$/.exec(secure.stdout[0] as string)?.[1] as string;
      const weak = run([
        'client',
        '--name',
        'hal',
        '--port',
        port,
        '--known-servers',
        path.join(dir, 'ks5'),
        '--json',
        '--insecure-nonce-reuse',
      ]);
      weak.proc.stdin?.end('hi\n');
      assert.equal(await weak.exit, 1);
      assert.match(
        String(weak.json().find((e) => e.type === 'error')?.message),
        /runs with --insecure-nonce-reuse, but the server does not announce "nonce reuse"/,
      );
    } finally {
      secure.proc.kill('SIGTERM');
      await secure.exit;
    }
  });

  it('rejects an unknown toy group and a bad exponent size as usage errors', async () => {
    const bad = run(['server', '--port', '0', '--insecure-group', 'toy7']);
    assert.equal(await bad.exit, 2);
    assert.match(
      bad.stderr.join('\n'),
      /ERR_USAGE: --insecure-group must be one of toy23, textbook23, toy-32, toy-48, toy-64/,
    );
    const bits = run(['client', '--name', 'x', '--insecure-exponent-bits', '1000']);
    assert.equal(await bits.exit, 2);
    assert.match(bits.stderr.join('\n'), /--insecure-exponent-bits must be a whole number from 2 to 256/);
  });
});
