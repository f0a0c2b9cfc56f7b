import fs from 'node:fs';
import { fileError } from '../errors.ts';
import { openForWriting } from '../files.ts';
import { keyLogLines, type KeyLogEntry } from '../protocol/key-log.ts';
import { printError } from '../terminal/output.ts';
import { safeText } from '../terminal/safe-text.ts';
import type { Flags } from './verb.ts';

/** `--keylog FILE`, for the verbs whose own ends hold keys (client, inspect, lab, scenario, server). */
export const KEYLOG_FLAG: Flags = {
  keylog: {
    type: 'string',
    value: 'FILE',
    needs: 'a file name',
    help: "append each connection's keys for Wireshark (also DHLAB_KEYLOGFILE); whoever reads it reads the chat",
  },
};

/**
 * The key log `--keylog` or DHLAB_KEYLOGFILE asks for (as browsers take SSLKEYLOGFILE): created
 * 0600, appended to, never followed through a link. Each connection is written once, however
 * many of its ends log it (the lab's server and client both do). Lines are small and come once
 * per handshake, so they are written at once: a crash loses none.
 * @throws DhlabError ERR_FILE when the file cannot be opened
 */
export function keyLogFromFlags(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ((entry: KeyLogEntry) => void) | undefined {
  const file = typeof values.keylog === 'string' ? values.keylog : env.DHLAB_KEYLOGFILE || undefined;
  if (file === undefined) return undefined;
  let fd: number;
  try {
    fd = openForWriting(file, 0o600, true);
  } catch (error) {
    throw fileError(error, `--keylog ${file}`);
  }
  printError(safeText(`dhlab: writing session keys to ${file}: whoever can read it can read the chat`));
  const written = new Set<string>();
  return (entry) => {
    const lines = keyLogLines(entry);
    if (written.has(lines[0])) return;
    written.add(lines[0]);
    try {
      fs.writeSync(fd, `${lines.join('\n')}\n`);
    } catch {
      // A full disk ends the key log, not the chat.
    }
  };
}

/** `{ key: value }` when there is a value, `{}` otherwise: an option left out, not set to undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
