import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ENGINES } from '../src/crypto/engines.ts';
import { DhlabError } from '../src/errors.ts';
import { loadOrCreateHostKey } from '../src/host-key-file.ts';
import { KnownServers } from '../src/known-servers.ts';

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
    assert.deepEqual(crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12), Buffer.from(first.identity.publicKey));
  });

  it('a file that is not an Ed25519 key is ERR_HOST_KEY_FILE', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'garbage'), 'hello');
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    fs.writeFileSync(path.join(dir, 'rsa'), rsa);
    assert.throws(() => loadOrCreateHostKey(ENGINES.native, path.join(dir, 'garbage')), code('ERR_HOST_KEY_FILE'));
    assert.throws(() => loadOrCreateHostKey(ENGINES.native, path.join(dir, 'rsa')), code('ERR_HOST_KEY_FILE'));
    assert.throws(() => loadOrCreateHostKey(ENGINES.native, dir), code('ERR_HOST_KEY_FILE')); // a directory
  });
});

describe('known servers (trust on first use)', () => {
  const keyA = new Uint8Array(32).fill(1);
  const keyB = new Uint8Array(32).fill(2);

  it('new, then pinned and known, then a changed key is refused unless accepted', () => {
    const store = new KnownServers(path.join(tmp(), 'known_servers'));
    assert.equal(store.check('127.0.0.1:5068', keyA, 'fpA', false), 'new');
    store.pin('127.0.0.1:5068', keyA);
    assert.equal(store.check('127.0.0.1:5068', keyA, 'fpA', false), 'known');
    assert.equal(store.check('127.0.0.1:5069', keyB, 'fpB', false), 'new'); // per host:port
    assert.throws(() => store.check('127.0.0.1:5068', keyB, 'fpB', false), (e: unknown) => code('ERR_HOST_KEY_CHANGED')(e) && /fpB/.test((e as Error).message));
    assert.equal(store.check('127.0.0.1:5068', keyB, 'fpB', true), 'replaced');
    store.pin('127.0.0.1:5068', keyB);
    assert.equal(store.check('127.0.0.1:5068', keyB, 'fpB', false), 'known');
  });

  it('a malformed file is ERR_HOST_KEY_FILE, naming the line', () => {
    const file = path.join(tmp(), 'known_servers');
    fs.writeFileSync(file, '# comment\n127.0.0.1:1 ed25519 AQID\n');
    assert.throws(() => new KnownServers(file).check('x:1', keyA, 'fp', false), (e: unknown) => code('ERR_HOST_KEY_FILE')(e) && /:2:/.test((e as Error).message));
  });
});
