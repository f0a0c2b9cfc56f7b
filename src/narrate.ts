import { bytesToBigint, toHex } from './crypto/bytes.ts';
import { safeText } from './display.ts';
import type { TraceEvent } from './protocol/trace.ts';
import { displayWidth } from './terminal-width.ts';
import { palette } from './colors.ts';

/** `--full` prints every value unabbreviated; the default keeps lines readable. */
let fullValues = false;
export function setFullValues(full: boolean): void {
  fullValues = full;
}

/** "ffffffffffff…ffffffff (2048 bits)": enough to compare values by eye. */
export function abbreviate(bytes: Uint8Array, keep = 8): string {
  // Toy-group values (below 2^64) in decimal, so they can be checked by hand.
  if (bytes.length <= 8) return `${bytesToBigint(bytes)} (${bytes.length * 8} bits)`;
  const hex = toHex(bytes);
  const shown = fullValues || hex.length <= keep * 2 + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-keep)}`;
  return `${shown} (${bytes.length * 8} bits)`;
}

export function abbreviateBigint(value: bigint): string {
  if (value < 1n << 64n) return `${value} (${value.toString(2).length} bits)`;
  const hex = value.toString(16);
  const shown = fullValues || hex.length <= 17 ? hex : `${hex.slice(0, 8)}…${hex.slice(-8)}`;
  return `${shown} (${value.toString(2).length} bits)`;
}

/**
 * Wraps a narration line at `width` columns: breaks at spaces, never inside a word; only a token
 * wider than a whole line (a full 2048-bit value) is split. Continuations are indented.
 */
export function wrapLine(line: string, width: number, indent = '      '): string[] {
  const out: string[] = [];
  for (const paragraph of line.split('\n')) {
    const lead = /^ */.exec(paragraph)?.[0] ?? '';
    let current = '';
    let prefix = lead;
    for (const word of paragraph.slice(lead.length).split(' ')) {
      const candidate = current === '' ? `${prefix}${word}` : `${current} ${word}`;
      if (displayWidth(candidate) <= width || current === '' && displayWidth(prefix + word) <= width) {
        current = candidate;
        continue;
      }
      if (current !== '') out.push(current);
      prefix = `${lead}${indent}`;
      let rest = word;
      const room = Math.max(8, width - prefix.length);
      while (displayWidth(rest) > room) {
        out.push(`${prefix}${rest.slice(0, room)}`);
        rest = rest.slice(room);
      }
      current = `${prefix}${rest}`;
    }
    out.push(current);
  }
  return out;
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
      return event.dir === 'send' ? `${who} -> ${peer}  ${event.frame.type} frame, ${event.bytes.length + 4} bytes on the wire` : null;
    case 'group':
      return event.role === 'server'
        ? `${who}: group ${event.group}${event.p < 1n << 64n ? ' (INSECURE toy group)' : ' (RFC 3526)'}, p = ${abbreviateBigint(event.p)}, g = ${event.g}`
        : null;
    case 'private_key':
      return `${who}: private exponent x = ${abbreviate(event.x)}  [secret, from the CSPRNG]`;
    case 'public_key':
      return event.owner === event.role ? `${who}: public value y = g^x mod p = ${abbreviate(event.y)}` : null;
    case 'public_key_valid':
      return `${who}: ${event.owner}'s y passes 2 <= y <= p-2 and y^q = 1 mod p`;
    case 'shared_secret':
      return `${who}: shared secret Z = y_peer^x mod p = ${abbreviate(event.z)}  [secret]`;
    case 'hashed_secret':
      return `${who}: hashed shared secret K = SHA-256(Z) = ${abbreviate(event.k)}  [secret]`;
    case 'transcript':
      return `${who}: transcript hash H = ${abbreviate(event.h)}`;
    case 'session_keys':
      return `${who}: HKDF(K, salt H) -> client->server key ${abbreviate(event.clientToServer, 6)}, server->client key ${abbreviate(event.serverToClient, 6)}  [secret]`;
    case 'host_signature':
      return event.role === 'server'
        ? `${who}: signs H with host key ${event.fingerprint}: ${abbreviate(event.signature, 6)}`
        : `${who}: Ed25519 signature over H ${event.verified ? 'verifies' : 'does NOT verify'} for host key ${event.fingerprint}`;
    case 'established':
      return `${who}: handshake complete, ${event.cipher} keys in place`;
    case 'seal':
      return `${who} seals #${event.seq} for ${peer}: ${safeText(event.plaintext)}\n    nonce ${toHex(event.nonce)}  ciphertext+tag ${abbreviate(event.ciphertext)}`;
    case 'open':
      return `${who} opens #${event.seq} from ${peer}: ${safeText(event.plaintext)}`;
    case 'error':
      return `${who}: ${event.remote ? 'peer reported' : 'error'} ${event.code}: ${safeText(event.message)}`;
  }
}

/** A trace sink that prints the narration of `who`'s own connections, coloured and wrapped. */
export function traceNarrator(who: string | ((id: number) => string), peer: string | ((id: number) => string), write: (line: string) => void, width = 80) {
  const colors = palette();
  return (id: number, event: TraceEvent): void => {
    const line = narrate(event, typeof who === 'string' ? who : who(id), typeof peer === 'string' ? peer : peer(id));
    if (line === null) return;
    const paint = event.kind === 'error' ? colors.error : event.secret ? colors.secret : event.kind === 'wire' ? colors.wire : colors.public;
    for (const part of wrapLine(line, width)) write(paint(part));
  };
}
