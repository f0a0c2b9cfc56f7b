import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { DhlabError } from '../../src/errors.ts';
import { loadOrCreateHostKey } from '../../src/server/host-key-file.ts';
import { KnownServers } from '../../src/client/known-servers.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-keys-'));
const code = (expected: string) => (error: unknown) => error instanceof DhlabError && error.code === expected;

describe('host key file', () => {
  it('is created once (PKCS#8 PEM, mode 0600) and loaded the same afterwards, by either engine', () => {
    const file = path.join(tmp(), 'nested', 'host_key');
    const first = loadOrCreateHostKey(ENGINES.native, file);
    assert.equal(first.created, true);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const again = loadOrCreateHostKey(ENGINES.forge, file);
    assert.equal(again.created, false);
    assert.equal(again.identity.fingerprint, first.identity.fingerprint);
    // OpenSSL reads it as an Ed25519 key with the same public half.
    const key = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
    assert.equal(key.asymmetricKeyType, 'ed25519');
    assert.deepEqual(
      crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12),
      Buffer.from(first.identity.publicKey),
    );
  });

  it('a file that is not an Ed25519 key is ERR_HOST_KEY_FILE', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'garbage'), 'hello');
    const rsa = crypto
      .generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' });
    fs.writeFileSync(path.join(dir, 'rsa'), rsa);
    assert.throws(() => loadOrCreateHostKey(ENGINES.native, path.join(dir, 'garbage')), code('ERR_HOST_KEY_FILE'));
    assert.throws(() => loadOrCreateHostKey(ENGINES.native, path.join(dir, 'rsa')), code('ERR_HOST_KEY_FILE'));
    assert.throws(() => loadOrCreateHostKey(ENGINES.native, dir), code('ERR_HOST_KEY_FILE')); // a directory
  });
});

describe('host key file protection (as ssh: UNPROTECTED PRIVATE KEY FILE)', () => {
  it('a key readable by group or others is refused with the command that fixes it', () => {
    const file = path.join(tmp(), 'host_key');
    loadOrCreateHostKey(ENGINES.native, file);
    for (const mode of [0o640, 0o604, 0o644]) {
      fs.chmodSync(file, mode);
      assert.throws(
        () => loadOrCreateHostKey(ENGINES.native, file),
        (e: unknown) =>
          code('ERR_HOST_KEY_FILE')(e) &&
          /UNPROTECTED PRIVATE KEY FILE/.test((e as Error).message) &&
          (e as Error).message.includes(`chmod 600 '${file}'`),
      );
    }
    fs.chmodSync(file, 0o400); // read-only for the owner is fine
    assert.equal(loadOrCreateHostKey(ENGINES.native, file).created, false);
  });

  it(
    'a key owned by another user is refused',
    { skip: process.getuid?.() !== 0 && 'only root can give a file to another user' },
    () => {
      const file = path.join(tmp(), 'host_key');
      loadOrCreateHostKey(ENGINES.native, file);
      fs.chownSync(file, 65534, 65534);
      assert.throws(
        () => loadOrCreateHostKey(ENGINES.native, file),
        (e: unknown) => code('ERR_HOST_KEY_FILE')(e) && /owned by uid 65534, not by you/.test((e as Error).message),
      );
    },
  );
});

describe('known servers (trust on first use)', () => {
  const keyA = new Uint8Array(32).fill(1);
  const keyB = new Uint8Array(32).fill(2);

  it('new, then pinned and known, then a changed key is refused unless accepted', () => {
    const file = path.join(tmp(), 'known_servers');
    const store = new KnownServers(file);
    const fp = (key: Uint8Array) => (key[0] === 1 ? 'fpA' : 'fpB');
    assert.equal(store.check('127.0.0.1:5068', keyA, fp, false), 'new');
    store.pin('127.0.0.1:5068', keyA);
    assert.equal(store.check('127.0.0.1:5068', keyA, fp, false), 'known');
    assert.equal(store.check('127.0.0.1:5069', keyB, fp, false), 'new'); // per host:port
    assert.throws(
      () => store.check('127.0.0.1:5068', keyB, fp, false),
      (e: unknown) =>
        code('ERR_HOST_KEY_CHANGED')(e) && (e as Error).message.includes(`pinned fpA (${file}:2), now fpB`), // line 1 is the file's comment
    );
    assert.equal(store.check('127.0.0.1:5068', keyB, fp, true), 'replaced');
    store.pin('127.0.0.1:5068', keyB);
    assert.equal(store.check('127.0.0.1:5068', keyB, fp, false), 'known');
  });

  it('is replaced atomically: no temporary or lock file is left, the mode is 0600, other entries stay', () => {
    const dir = tmp();
    const file = path.join(dir, 'known_servers');
    const store = new KnownServers(file);
    store.pin('a:1', keyA);
    const inode = fs.statSync(file).ino;
    store.pin('b:2', keyB);
    assert.notEqual(fs.statSync(file).ino, inode, 'a new file was renamed into place, not rewritten in place');
    assert.deepEqual(fs.readdirSync(dir), ['known_servers']);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(
      store.check('a:1', keyA, () => 'fp', false),
      'known',
    );
  });

  it('twelve clients pinning at once, in separate processes, all land', async () => {
    const file = path.join(tmp(), 'known_servers');
    const script = `import { KnownServers } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/client/known-servers.ts'))};
      const store = new KnownServers(process.argv[1]);
      for (let i = 0; i < 5; i++) store.pin('host-' + process.argv[2] + ':' + i, new Uint8Array(32).fill(Number(process.argv[2])));`;
    const { spawn } = await import('node:child_process');
    const runs = Array.from(
      { length: 12 },
      (_, n) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script, file, String(n)],
            { stdio: 'inherit' },
          );
          child.on('close', resolve);
        }),
    );
    assert.deepEqual(await Promise.all(runs), Array(12).fill(0));
    const store = new KnownServers(file);
    for (let n = 0; n < 12; n++)
      for (let i = 0; i < 5; i++)
        assert.equal(
          store.check(`host-${n}:${i}`, new Uint8Array(32).fill(n), () => 'fp', false),
          'known',
          `host-${n}:${i}`,
        );
  });

  it('never replaces what is not a regular file (/dev/null: remember nothing), and follows a symlink', () => {
    const store = new KnownServers('/dev/null');
    store.pin('a:1', keyA);
    assert.ok(fs.statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
    assert.equal(
      store.check('a:1', keyA, () => 'fp', false),
      'new',
    );

    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'real'), '');
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    new KnownServers(path.join(dir, 'link')).pin('b:2', keyB);
    assert.ok(fs.lstatSync(path.join(dir, 'link')).isSymbolicLink(), 'the link is kept');
    assert.match(fs.readFileSync(path.join(dir, 'real'), 'utf8'), /^b:2 ed25519 /m);
  });

  it('a lock left by a crashed client is taken over once stale', () => {
    const file = path.join(tmp(), 'known_servers');
    fs.writeFileSync(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    new KnownServers(file).pin('a:1', keyA);
    assert.equal(
      new KnownServers(file).check('a:1', keyA, () => 'fp', false),
      'known',
    );
  });

  it('a malformed file is ERR_HOST_KEY_FILE, naming the line', () => {
    const file = path.join(tmp(), 'known_servers');
    fs.writeFileSync(file, '# comment\n127.0.0.1:1 ed25519 AQID\n');
    assert.throws(
      () => new KnownServers(file).check('x:1', keyA, () => 'fp', false),
      (e: unknown) => code('ERR_HOST_KEY_FILE')(e) && /:2:/.test((e as Error).message),
    );
  });
});
