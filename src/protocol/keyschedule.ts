import { utf8 } from '../crypto/bytes.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import type { DhGroup } from '../crypto/groups.ts';
import { hkdfExpand, hkdfExtract } from '../crypto/hkdf.ts';

export const AES_KEY_BYTES = 32;
const LABEL_C2S = utf8('dhlab/1 client to server');
const LABEL_S2C = utf8('dhlab/1 server to client');
const TRANSCRIPT_LABEL = utf8('dhlab/1 transcript');

export interface TranscriptFields {
  name: string;
  group: DhGroup;
  serverPublic: Uint8Array;
  hostKey: Uint8Array;
  clientPublic: Uint8Array;
}

function lengthPrefixed(field: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + field.length);
  new DataView(out.buffer).setUint32(0, field.length);
  out.set(field, 4);
  return out;
}

/**
 * H = SHA-256 of the length-prefixed handshake values (docs/PROTOCOL.md s.4.1). The host key
 * signs H, and H salts the key derivation, so a change to any of them changes every key.
 */
export function transcriptHash(engine: CryptoEngine, t: TranscriptFields): Uint8Array {
  const parts = [TRANSCRIPT_LABEL, utf8(t.name), utf8(t.group.name), t.serverPublic, t.hostKey, t.clientPublic];
  return engine.sha256(Buffer.concat(parts.map(lengthPrefixed)));
}

export interface SessionKeys {
  /** K = SHA-256(Z), Z = the shared secret encoded to the byte length of p. */
  hashedSecret: Uint8Array;
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
}

/**
 * K = SHA-256(Z); PRK = HKDF-Extract(salt = H, IKM = K) (RFC 5869 s.2.2); one AES-256 key per
 * direction from HKDF-Expand with distinct labels (s.2.3), so the two directions never share a
 * (key, nonce) pair even though both counters start at 0.
 */
export function deriveSessionKeys(engine: CryptoEngine, sharedSecret: Uint8Array, transcript: Uint8Array): SessionKeys {
  const hashedSecret = engine.sha256(sharedSecret);
  const prk = hkdfExtract(engine, transcript, hashedSecret);
  return {
    hashedSecret,
    clientToServer: hkdfExpand(engine, prk, LABEL_C2S, AES_KEY_BYTES),
    serverToClient: hkdfExpand(engine, prk, LABEL_S2C, AES_KEY_BYTES),
  };
}
