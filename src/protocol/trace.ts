import type { ErrorCode } from '../errors.ts';
import type { WireFrame } from './frame.ts';

export type Role = 'client' | 'server';

/** What a data frame's box holds: AES-256-GCM (PROTOCOL s.5), or IV + AES-256-CBC in the insecure teaching mode. */
export type RecordLayout = 'gcm' | 'cbc';

/**
 * What a session reports about itself, step by step. Events with `secret: true` carry private
 * exponents, shared secrets, keys or plaintext: a session emits them only when constructed with
 * `revealSecrets: true` (the inspector's own-side views and the demo), never by default.
 */
export type TraceEvent =
  | { kind: 'wire'; role: Role; secret: false; dir: 'send' | 'recv'; bytes: Uint8Array; frame: WireFrame }
  | { kind: 'group'; role: Role; secret: false; group: string; p: bigint; g: bigint }
  /** The server's server_key.insecure: the weakenings it says it runs (s.4.1). */
  | { kind: 'announced'; role: Role; secret: false; weakenings: string[] }
  | { kind: 'private_key'; role: Role; secret: true; x: Uint8Array }
  | { kind: 'public_key'; role: Role; secret: false; owner: Role; y: Uint8Array }
  /** `checked`: 'range and subgroup' (s.4.2), or 'length only' when a teaching server turned validation off. */
  | {
      kind: 'public_key_valid';
      role: Role;
      secret: false;
      owner: Role;
      y: Uint8Array;
      checked: 'range and subgroup' | 'length only';
    }
  | { kind: 'shared_secret'; role: Role; secret: true; z: Uint8Array }
  | { kind: 'hashed_secret'; role: Role; secret: true; k: Uint8Array }
  | { kind: 'transcript'; role: Role; secret: false; h: Uint8Array }
  | { kind: 'session_keys'; role: Role; secret: true; clientToServer: Uint8Array; serverToClient: Uint8Array }
  | {
      kind: 'host_signature';
      role: Role;
      secret: false;
      hostKey: Uint8Array;
      fingerprint: string;
      signature: Uint8Array;
      verified: boolean;
    }
  | { kind: 'established'; role: Role; secret: false; name: string; cipher: string; record: RecordLayout }
  | {
      kind: 'seal' | 'open';
      role: Role;
      secret: true;
      seq: number;
      nonce: Uint8Array;
      aad: Uint8Array;
      plaintext: string;
      ciphertext: Uint8Array;
    }
  | { kind: 'error'; role: Role; secret: false; code: ErrorCode; message: string; remote: boolean };

export type TraceSink = (event: TraceEvent) => void;
