import fs from 'node:fs';
import path from 'node:path';
import { DhlabError } from '../errors.ts';
import { configDir } from '../config-dir.ts';

export function defaultKnownServersPath(): string {
  return path.join(configDir(), 'known_servers');
}

/** What the client did with the host key: `unchecked` when it keeps no known_servers file. */
export type PinResult = 'known' | 'new' | 'replaced' | 'unchecked';

/** A pinned key (base64) and the line of the file it is on. */
interface PinnedKey {
  key: string;
  line: number;
}

/**
 * Trust on first use, as SSH's known_hosts: one line per server, "HOST:PORT ed25519 BASE64KEY".
 * A key seen for the first time is pinned; a different key later is ERR_HOST_KEY_CHANGED unless
 * the user explicitly accepts it.
 */
export class KnownServers {
  constructor(private readonly file: string) {}

  /** The file's path, for messages that say where a key is pinned. */
  get path(): string {
    return this.file;
  }

  private read(): Map<string, PinnedKey> {
    let text = '';
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new DhlabError('ERR_HOST_KEY_FILE', `cannot read ${this.file}: ${(error as NodeJS.ErrnoException).code}`);
    }
    const entries = new Map<string, PinnedKey>();
    text.split('\n').forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const [server, algorithm, key, ...rest] = trimmed.split(/\s+/);
      if (!server || algorithm !== 'ed25519' || !key || rest.length > 0 || Buffer.from(key, 'base64').length !== 32) {
        throw new DhlabError('ERR_HOST_KEY_FILE', `${this.file}:${index + 1}: expected "HOST:PORT ed25519 BASE64KEY"`);
      }
      entries.set(server, { key, line: index + 1 });
    });
    return entries;
  }

  lookup(server: string): Uint8Array | null {
    const entry = this.read().get(server);
    return entry ? Uint8Array.from(Buffer.from(entry.key, 'base64')) : null;
  }

  /**
   * Throws ERR_HOST_KEY_CHANGED when another key is pinned for this server (and accepting is off),
   * naming both fingerprints and the file and line of the pin, as ssh names the offending line.
   */
  check(
    server: string,
    hostKey: Uint8Array,
    fingerprintOf: (key: Uint8Array) => string,
    acceptChanged: boolean,
  ): PinResult {
    const entry = this.read().get(server);
    if (!entry) return 'new';
    const pinned = Uint8Array.from(Buffer.from(entry.key, 'base64'));
    if (Buffer.compare(pinned, hostKey) === 0) return 'known';
    if (acceptChanged) return 'replaced';
    throw new DhlabError(
      'ERR_HOST_KEY_CHANGED',
      `the host key of ${server} is not the one pinned: pinned ${fingerprintOf(pinned)} (${this.file}:${entry.line}), ` +
        `now ${fingerprintOf(hostKey)}. Someone may be intercepting the connection. ` +
        `If the server's key really changed, run again with --accept-new-host-key.`,
    );
  }

  /**
   * Adds or replaces one entry without losing anyone else's: under a lock file, re-read the file,
   * merge, write a temporary file and rename it over the old one. A crash leaves either the old
   * file or the new one, never an empty file (which would silently restart trust on first use).
   */
  pin(server: string, hostKey: Uint8Array): void {
    // Rename replaces a directory entry: follow a symlink (dotfile setups) and never replace
    // something that is not a regular file (--known-servers /dev/null means "remember nothing").
    let target = this.file;
    try {
      target = fs.realpathSync(this.file);
      if (!fs.statSync(target).isFile()) return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new DhlabError('ERR_HOST_KEY_FILE', `cannot read ${this.file}: ${(error as NodeJS.ErrnoException).code}`);
    }
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new DhlabError(
        'ERR_HOST_KEY_FILE',
        `cannot create ${path.dirname(target)}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
    withLock(`${target}.lock`, () => {
      const entries = this.read();
      entries.set(server, { key: Buffer.from(hostKey).toString('base64'), line: 0 });
      const lines = [...entries].map(([name, { key }]) => `${name} ed25519 ${key}`);
      const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        const fd = fs.openSync(temp, 'wx', 0o600);
        try {
          fs.writeFileSync(fd, `# dhlab known servers: HOST:PORT ed25519 BASE64KEY\n${lines.join('\n')}\n`);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(temp, target);
      } catch (error) {
        fs.rmSync(temp, { force: true });
        throw new DhlabError(
          'ERR_HOST_KEY_FILE',
          `cannot write ${this.file}: ${(error as NodeJS.ErrnoException).code}`,
        );
      }
    });
  }
}

/** A lock older than this was left by a crashed client: it is taken over. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` holding an exclusive lock file (O_EXCL create), so two clients pinning at once both land. */
function withLock(lock: string, work: () => void): void {
  const started = Date.now();
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DhlabError('ERR_HOST_KEY_FILE', `cannot lock ${lock}: ${(error as NodeJS.ErrnoException).code}`);
      }
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
      else if (Date.now() - started > LOCK_WAIT_MS)
        throw new DhlabError(
          'ERR_HOST_KEY_FILE',
          `${lock} is held by another dhlab client; remove it if none is running`,
        );
      else sleepSync(5 + Math.random() * 10);
    }
  }
  try {
    work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
