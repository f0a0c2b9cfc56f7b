import { toHex } from './crypto/bytes.ts';
import type { TraceEvent } from './protocol/trace.ts';

/** "ffffffffffff…ffffffff (2048 bits)": enough to compare values by eye. */
export function abbreviate(bytes: Uint8Array, keep = 8): string {
  const hex = toHex(bytes);
  const shown = hex.length <= keep * 2 + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-keep)}`;
  return `${shown} (${bytes.length * 8} bits)`;
}

export function abbreviateBigint(value: bigint): string {
  const hex = value.toString(16);
  const shown = hex.length <= 17 ? hex : `${hex.slice(0, 8)}…${hex.slice(-8)}`;
  return `${shown} (${value.toString(2).length} bits)`;
}

/**
 * One line of plain-text narration for a trace event, from the point of view of `who`
 * ("alice", "server"); null for events the narration leaves out.
 */
export function narrate(event: TraceEvent, who: string, peer: string): string | null {
  switch (event.kind) {
    case 'wire':
      if (event.frame.type === 'data') return null;
      return event.dir === 'send' ? `${who} -> ${peer}  ${event.frame.type} frame, ${event.bytes.length + 4} bytes on the wire` : null;
    case 'group':
      return event.role === 'server'
        ? `${who}: group ${event.group} (RFC 3526), p = ${abbreviateBigint(event.p)}, g = ${event.g}`
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
      return `${who}: handshake complete, AES-256-GCM keys in place`;
    case 'seal':
      return `${who} seals #${event.seq} for ${peer}: ${event.plaintext}\n    nonce ${toHex(event.nonce)}  ciphertext+tag ${abbreviate(event.ciphertext)}`;
    case 'open':
      return `${who} opens #${event.seq} from ${peer}: ${event.plaintext}`;
    case 'error':
      return `${who}: ${event.remote ? 'peer reported' : 'error'} ${event.code}: ${event.message}`;
  }
}
