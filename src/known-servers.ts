import fs from 'node:fs';
import path from 'node:path';
import { DhlabError } from './errors.ts';
import { configDir } from './host-key-file.ts';

export function defaultKnownServersPath(): string {
  return path.join(configDir(), 'known_servers');
}

export type PinResult = 'known' | 'new' | 'replaced';

/**
 * Trust on first use, as SSH's known_hosts: one line per server, "HOST:PORT ed25519 BASE64KEY".
 * A key seen for the first time is pinned; a different key later is ERR_HOST_KEY_CHANGED unless
 * the user explicitly accepts it.
 */
export class KnownServers {
  constructor(private readonly file: string) {}

  private read(): Map<string, string> {
    let text = '';
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new DhlabError('ERR_HOST_KEY_FILE', `cannot read ${this.file}: ${(error as NodeJS.ErrnoException).code}`);
    }
    const entries = new Map<string, string>();
    text.split('\n').forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const [server, algorithm, key, ...rest] = trimmed.split(/\s+/);
      if (!server || algorithm !== 'ed25519' || !key || rest.length > 0 || Buffer.from(key, 'base64').length !== 32) {
        throw new DhlabError('ERR_HOST_KEY_FILE', `${this.file}:${index + 1}: expected "HOST:PORT ed25519 BASE64KEY"`);
      }
      entries.set(server, key);
    });
    return entries;
  }

  lookup(server: string): Uint8Array | null {
    const key = this.read().get(server);
    return key ? Uint8Array.from(Buffer.from(key, 'base64')) : null;
  }

  /** Throws ERR_HOST_KEY_CHANGED when another key is pinned for this server (and accepting is off). */
  check(server: string, hostKey: Uint8Array, fingerprint: string, acceptChanged: boolean): PinResult {
    const pinned = this.lookup(server);
    if (!pinned) return 'new';
    if (Buffer.compare(pinned, hostKey) === 0) return 'known';
    if (acceptChanged) return 'replaced';
    throw new DhlabError(
      'ERR_HOST_KEY_CHANGED',
      `host key for ${server} changed (now ${fingerprint}); someone may be intercepting the connection. ` +
        `If the server's key really changed, run again with --accept-new-host-key.`,
    );
  }

  pin(server: string, hostKey: Uint8Array): void {
    const entries = this.read();
    entries.set(server, Buffer.from(hostKey).toString('base64'));
    const lines = [...entries].map(([name, key]) => `${name} ed25519 ${key}`);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(this.file, `# dhlab known servers: HOST:PORT ed25519 BASE64KEY\n${lines.join('\n')}\n`, { mode: 0o600 });
    } catch (error) {
      throw new DhlabError('ERR_HOST_KEY_FILE', `cannot write ${this.file}: ${(error as NodeJS.ErrnoException).code}`);
    }
  }
}
