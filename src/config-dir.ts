import os from 'node:os';
import path from 'node:path';

/** Where the server's host key and the client's pinned keys live ($XDG_CONFIG_HOME/dhlab). */
export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'dhlab');
}

/**
 * Where the lab saves the values a user asks for ($XDG_DATA_HOME/dhlab/saved, the XDG Base
 * Directory spec's place for user data): not the current folder, often a checkout.
 */
export function savedValuesDir(): string {
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'dhlab', 'saved');
}

/** A path as a shell user writes it: `~/...` under the home folder. */
export function homeRelative(file: string): string {
  const home = os.homedir();
  return file === home || file.startsWith(`${home}${path.sep}`) ? `~${file.slice(home.length)}` : file;
}
