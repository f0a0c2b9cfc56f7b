import fs from 'node:fs';
import path from 'node:path';
import { DhlabError } from '../errors.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import { ED25519_PKCS8_PREFIX as PKCS8_PREFIX } from '../crypto/ed25519-der.ts';
import { hostIdentityFromSeed, type HostIdentity } from '../protocol/identity.ts';
import { configDir } from '../config-dir.ts';

export function defaultHostKeyPath(): string {
  return path.join(configDir(), 'host_ed25519_key');
}

/**
 * As ssh refuses an "UNPROTECTED PRIVATE KEY FILE": a host key that others can read, or that
 * another user owns (and so could have replaced), is not used. Each message says how to fix it.
 */
function refuseUnprotected(file: string, stat: fs.Stats): void {
  if (stat.isDirectory()) throw new DhlabError('ERR_HOST_KEY_FILE', `host key ${file} is a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new DhlabError(
      'ERR_HOST_KEY_FILE',
      `UNPROTECTED PRIVATE KEY FILE: ${file} is owned by uid ${stat.uid}, not by you (uid ${uid}); another user could have replaced it. Fix: chown ${uid} '${file}' (or create a new key)`,
    );
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new DhlabError(
      'ERR_HOST_KEY_FILE',
      `UNPROTECTED PRIVATE KEY FILE: permissions ${mode.toString(8).padStart(4, '0')} for ${file} are too open; anyone who can read it can impersonate this server. Fix: chmod 600 '${file}'`,
    );
  }
}

/**
 * Loads the server's Ed25519 host key from a PKCS#8 PEM file (the format `openssl genpkey
 * -algorithm ed25519` writes), creating it with mode 0600 on first start, like an SSH host key.
 */
export function loadOrCreateHostKey(engine: CryptoEngine, file: string): { identity: HostIdentity; created: boolean } {
  let pem: string;
  try {
    // Check the permissions of the file we read (fstat on the open descriptor, not a second lookup).
    // O_NONBLOCK: a FIFO planted as the key file must not hang the server waiting for a writer.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const stats = fs.fstatSync(fd);
      if (!stats.isFile())
        throw new DhlabError('ERR_HOST_KEY_FILE', `cannot read host key ${file}: not a regular file`);
      refuseUnprotected(file, stats);
      pem = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if (error instanceof DhlabError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DhlabError(
        'ERR_HOST_KEY_FILE',
        `cannot read host key ${file}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
    const seed = engine.randomBytes(32);
    const der = Buffer.concat([PKCS8_PREFIX, seed]);
    const body = der.toString('base64');
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (writeError) {
      throw new DhlabError(
        'ERR_HOST_KEY_FILE',
        `cannot create host key ${file}: ${(writeError as NodeJS.ErrnoException).code}`,
      );
    }
    return { identity: hostIdentityFromSeed(engine, seed), created: true };
  }
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(pem);
  const der = match ? Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
  if (der.length !== PKCS8_PREFIX.length + 32 || !der.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX)) {
    throw new DhlabError('ERR_HOST_KEY_FILE', `${file} is not an Ed25519 PKCS#8 PEM private key`);
  }
  return { identity: hostIdentityFromSeed(engine, Uint8Array.from(der.subarray(PKCS8_PREFIX.length))), created: false };
}

/** A host identity that lives only in memory (demo, tests). */
export function ephemeralHostKey(engine: CryptoEngine): HostIdentity {
  return hostIdentityFromSeed(engine, engine.randomBytes(32));
}
