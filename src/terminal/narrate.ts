import { toHex } from '../crypto/bytes.ts';
import { formatBytes, formatEncodedNumber, formatNumber } from './format.ts';
import { safeExcerpt, safeText } from './safe-text.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { displayWidth } from './width.ts';
import { palette } from './colors.ts';

/** `--full` prints every value unabbreviated; the default keeps lines readable. */
let fullValues = false;
export function setFullValues(full: boolean): void {
  fullValues = full;
}

// The one formatter (src/terminal/format.ts), whole under --full.
const bytesShown = (bytes: Uint8Array, keep = 8) => formatBytes(bytes, { full: fullValues, keep });
const numberShown = (bytes: Uint8Array) => formatEncodedNumber(bytes, { full: fullValues });
const bigintShown = (value: bigint) => formatNumber(value, { full: fullValues });

/**
 * Wraps a narration line at `width` columns: breaks at spaces, never inside a word; only a token
 * wider than a whole line (a full 2048-bit value) is split. Continuations are indented. Linear in
 * the line's length: each word's width is measured once, so a peer's 60,000-character word costs
 * no more than 60,000 characters (--trace runs inside the server's event loop).
 */
export function wrapLine(line: string, width: number, indent = '      '): string[] {
  const out: string[] = [];
  for (const paragraph of line.split('\n')) {
    const lead = /^ */.exec(paragraph)?.[0] ?? '';
    const next = `${lead}${indent}`;
    let current = '';
    let currentWidth = 0;
    let prefix = lead;
    for (const word of paragraph.slice(lead.length).split(' ')) {
      const wordWidth = displayWidth(word);
      const fits = current === '' ? displayWidth(prefix) + wordWidth : currentWidth + 1 + wordWidth;
      if (fits <= width) {
        current = current === '' ? `${prefix}${word}` : `${current} ${word}`;
        currentWidth = fits;
        continue;
      }
      if (current !== '') out.push(current);
      prefix = next;
      const prefixWidth = displayWidth(prefix);
      const room = Math.max(8, width - prefixWidth);
      // A word wider than a line is cut at character boundaries, by cells, in one pass.
      let piece = '';
      let pieceWidth = 0;
      for (const char of wordWidth > room ? word : [word]) {
        const charWidth = wordWidth > room ? displayWidth(char) : wordWidth;
        if (pieceWidth + charWidth > room && piece !== '') {
          out.push(`${prefix}${piece}`);
          piece = '';
          pieceWidth = 0;
        }
        piece += char;
        pieceWidth += charWidth;
      }
      current = `${prefix}${piece}`;
      currentWidth = prefixWidth + pieceWidth;
    }
    out.push(current);
  }
  return out;
}

/** A plaintext longer than this is cut in the narration unless `--full` (the count says how long). */
const PLAINTEXT_SHOWN_CHARS = 200;

function plaintextShown(plaintext: string): string {
  if (fullValues || plaintext.length <= PLAINTEXT_SHOWN_CHARS) return safeText(plaintext);
  return `${safeExcerpt(plaintext, PLAINTEXT_SHOWN_CHARS)} [${plaintext.length} characters; --full shows all]`;
}

/**
 * One line of plain-text narration for a trace event, from the point of view of `who`
 * ("alice", "server"); null for events the narration leaves out.
 */
export function narrate(event: TraceEvent, rawWho: string, rawPeer: string): string | null {
  const who = safeText(rawWho);
  const peer = safeText(rawPeer);
  switch (event.kind) {
    case 'wire':
      if (event.frame.type === 'data') return null;
      return event.dir === 'send'
        ? `${who} -> ${peer}  ${event.frame.type} frame, ${event.bytes.length + 4} bytes on the wire`
        : null;
    case 'group':
      return event.role === 'server'
        ? `${who}: group ${event.group}${event.p < 1n << 64n ? ' (INSECURE toy group)' : ' (RFC 3526)'}, p = ${bigintShown(event.p)}, g = ${event.g}`
        : null;
    case 'announced':
      return `${who}: the server announces INSECURE (teaching only) weakenings: ${safeText(event.weakenings.join(', '))}`;
    case 'private_key':
      return `${who}: private exponent x = ${numberShown(event.x)}  [secret, from the CSPRNG]`;
    case 'public_key':
      return event.owner === event.role ? `${who}: public value y = g^x mod p = ${numberShown(event.y)}` : null;
    case 'public_key_valid':
      return event.checked === 'length only'
        ? `${who}: ${event.owner}'s y NOT checked (validation off): only its length; 2 <= y <= p-2 and y^q = 1 mod p were skipped`
        : `${who}: ${event.owner}'s y passes 2 <= y <= p-2 and y^q = 1 mod p`;
    case 'shared_secret':
      return `${who}: shared secret Z = y_peer^x mod p = ${numberShown(event.z)}  [secret]`;
    case 'hashed_secret':
      return `${who}: hashed shared secret K = SHA-256(Z) = ${bytesShown(event.k)}  [secret]`;
    case 'transcript':
      return `${who}: transcript hash H = ${bytesShown(event.h)}`;
    case 'session_keys':
      return `${who}: HKDF(K, salt H) -> client->server key ${bytesShown(event.clientToServer, 6)}, server->client key ${bytesShown(event.serverToClient, 6)}  [secret]`;
    case 'host_signature':
      return event.role === 'server'
        ? `${who}: signs H with host key ${event.fingerprint}: ${bytesShown(event.signature, 6)}`
        : `${who}: Ed25519 signature over H ${event.verified ? 'verifies' : 'does NOT verify'} for host key ${event.fingerprint}`;
    case 'established':
      return `${who}: handshake complete, ${event.cipher} keys in place`;
    case 'seal':
      return `${who} seals #${event.seq} for ${peer}: ${plaintextShown(event.plaintext)}\n    nonce ${toHex(event.nonce)}  ciphertext+tag ${bytesShown(event.ciphertext)}`;
    case 'open':
      return `${who} opens #${event.seq} from ${peer}: ${plaintextShown(event.plaintext)}`;
    case 'error':
      // Bounded: the message may quote what a peer sent (a 60,000-character name, say).
      return `${who}: ${event.remote ? 'peer reported' : 'error'} ${event.code}: ${safeExcerpt(event.message, 300)}`;
  }
}

/**
 * A trace sink that prints the narration of `who`'s own connections, coloured and wrapped. The
 * sink takes an optional label for the peer of each event (the server passes the name the room
 * holds for the connection: validated, unlike the name in a hello frame).
 */
export function traceNarrator(
  who: string | ((id: number) => string),
  peer: string | ((id: number) => string),
  write: (line: string) => void,
  width = 80,
) {
  const colors = palette();
  // A line relayed to every member is sealed once per member: it is narrated in full once, and
  // for the others as "the same plaintext" (the narration's cost no longer grows with the room).
  const recentlySealed = new Map<string, string>();
  return (id: number, event: TraceEvent, peerLabel?: string | null): void => {
    const whoName = typeof who === 'string' ? who : who(id);
    const peerName = peerLabel ?? (typeof peer === 'string' ? peer : peer(id));
    const line =
      event.kind === 'seal' ? narrateSeal(event, whoName, peerName, recentlySealed) : narrate(event, whoName, peerName);
    if (line === null) return;
    const paint =
      event.kind === 'error'
        ? colors.error
        : event.secret
          ? colors.secret
          : event.kind === 'wire'
            ? colors.wire
            : colors.public;
    for (const part of wrapLine(line, width)) write(paint(part));
  };
}

/** How many recent sealed plaintexts the narrator remembers, to say "the same" instead of repeating one. */
const RECENT_SEALS = 16;

function narrateSeal(
  event: Extract<TraceEvent, { kind: 'seal' | 'open' }>,
  who: string,
  peer: string,
  recent: Map<string, string>,
): string | null {
  const first = event.plaintext.length > 80 ? recent.get(event.plaintext) : undefined;
  if (first === undefined) {
    if (event.plaintext.length > 80) {
      recent.set(event.plaintext, `${safeText(peer)} (#${event.seq})`);
      if (recent.size > RECENT_SEALS) recent.delete(recent.keys().next().value as string);
    }
    return narrate(event, who, peer);
  }
  return `${safeText(who)} seals #${event.seq} for ${safeText(peer)}: the same ${event.plaintext.length}-character plaintext as for ${first}\n    nonce ${toHex(event.nonce)}  ciphertext+tag ${bytesShown(event.ciphertext)}`;
}

/** A state table's margin ("round[ 3]  ") and one column (an 11-character 4x4 row and its gap). */
const TABLE_MARGIN = 11;
const TABLE_COLUMN = 13;

/**
 * Lays out AES state tables (a `round[ n]` header and its four rows of 4x4 states side by side)
 * for a pane narrower than the table: the columns that do not fit move under the first ones, a
 * block at a time, instead of wrapping each row into a stream of bytes. Other lines pass as they are.
 */
export function foldStateTables(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i] ?? '';
    const lead = /^(> )?/.exec(head)?.[0] ?? '';
    const rows = lines.slice(i + 1, i + 5);
    const isTable =
      head.slice(lead.length).startsWith('round[') &&
      rows.length === 4 &&
      rows.every((r) => r.startsWith(`${lead}${' '.repeat(TABLE_MARGIN)}`));
    const widest = Math.max(...[head, ...rows].map((l) => l.length));
    if (!isTable || widest <= width) {
      out.push(head);
      continue;
    }
    const start = lead.length + TABLE_MARGIN;
    const perBlock = Math.max(1, Math.floor((width - start + 2) / TABLE_COLUMN));
    const columns = Math.ceil((widest - start) / TABLE_COLUMN);
    for (let first = 0; first < columns; first += perBlock) {
      const cut = (line: string, margin: string) =>
        `${margin}${line.slice(start + first * TABLE_COLUMN, start + (first + perBlock) * TABLE_COLUMN)}`.trimEnd();
      out.push(cut(head, first === 0 ? head.slice(0, start) : `${lead}${' '.repeat(TABLE_MARGIN)}`));
      for (const row of rows) out.push(cut(row, row.slice(0, start)));
    }
    i += 4;
  }
  return out;
}
