import { DhlabError } from '../errors.ts';

/**
 * The key log (docs/PROTOCOL.md s.10), dhlab's SSLKEYLOGFILE: per connection, a line per
 * direction naming the connection by a value on the wire in clear text, the first 16 bytes of
 * client_key's y, and giving that direction's AES-256 key. Whoever holds the file reads the chat.
 */
export interface KeyLogEntry {
  clientPublic: Uint8Array;
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
}

export const KEY_LOG_LABELS = { clientToServer: 'DHLAB_CLIENT_TO_SERVER', serverToClient: 'DHLAB_SERVER_TO_CLIENT' };
/** How much of y_c names a connection: 16 bytes (the whole value in a toy group smaller than that). */
export const KEY_LOG_ID_BYTES = 16;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The connection's name in the log: y_c's first 16 bytes, lower-case hex. */
export function keyLogId(clientPublic: Uint8Array): string {
  return hex(clientPublic.subarray(0, KEY_LOG_ID_BYTES));
}

/** The two lines of one connection, without their line ends. */
export function keyLogLines(entry: KeyLogEntry): [string, string] {
  const id = keyLogId(entry.clientPublic);
  return [
    `${KEY_LOG_LABELS.clientToServer} ${id} ${hex(entry.clientToServer)}`,
    `${KEY_LOG_LABELS.serverToClient} ${id} ${hex(entry.serverToClient)}`,
  ];
}

export interface DirectionKeys {
  clientToServer?: Uint8Array;
  serverToClient?: Uint8Array;
}

/**
 * Reads a key log: connection id to its keys. Blank lines and `#` comments are skipped, as
 * Wireshark does in an SSLKEYLOGFILE.
 * @throws DhlabError ERR_KEY_LOG naming the first line that is not a key log line
 */
export function parseKeyLog(text: string): Map<string, DirectionKeys> {
  const keys = new Map<string, DirectionKeys>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(DHLAB_CLIENT_TO_SERVER|DHLAB_SERVER_TO_CLIENT) ([0-9a-f]{2,32}) ([0-9a-f]{64})$/.exec(line);
    if (!match) throw new DhlabError('ERR_KEY_LOG', `line ${i + 1} is not a dhlab key log line`);
    const [, label, id, key] = match as unknown as [string, string, string, string];
    const entry = keys.get(id) ?? {};
    if (label === KEY_LOG_LABELS.clientToServer) entry.clientToServer = Buffer.from(key, 'hex');
    else entry.serverToClient = Buffer.from(key, 'hex');
    keys.set(id, entry);
  });
  return keys;
}
