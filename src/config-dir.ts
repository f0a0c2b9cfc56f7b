import os from 'node:os';
import path from 'node:path';

/** Where the server's host key and the client's pinned keys live ($XDG_CONFIG_HOME/dhlab). */
export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'dhlab');
}
