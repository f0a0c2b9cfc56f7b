import { bigintToBytes, bytesToBigint } from '../../crypto/bytes.ts';
import type { CryptoEngine } from '../../crypto/engine.ts';
import { modPow } from '../../crypto/groups.ts';
import { DirectionalCipher } from '../../protocol/channel.ts';
import {
  deriveSessionKeys,
  transcriptHash,
  type SessionKeys,
  type TranscriptFields,
} from '../../protocol/keyschedule.ts';

/** A data frame as a wiretap saw it: its direction, its seq field and its sealed box. */
export interface CapturedFrame {
  dir: 'client->server' | 'server->client';
  seq: number;
  sealed: Uint8Array;
}

/**
 * What a wiretapper holding the server's exponent x can compute from the public handshake alone:
 * Z = y_c^x mod p (padded to the length of p, PROTOCOL s.4.3), then K and both direction keys by
 * the protocol's own key schedule over the transcript she saw. The attack is the exponent;
 * everything after it is the protocol run on public values.
 */
export function keysFromServerExponent(
  engine: CryptoEngine,
  x: bigint,
  seen: TranscriptFields,
): { sharedSecret: Uint8Array; keys: SessionKeys } {
  const { group } = seen;
  const sharedSecret = bigintToBytes(modPow(bytesToBigint(seen.clientPublic), x, group.p), group.byteLength);
  return { sharedSecret, keys: deriveSessionKeys(engine, sharedSecret, transcriptHash(engine, seen)) };
}

/** Each captured frame opened with the derived keys: its text, or null when it does not open. */
export function openCaptured(
  engine: CryptoEngine,
  keys: SessionKeys,
  frames: readonly CapturedFrame[],
): Array<CapturedFrame & { text: string | null }> {
  const ciphers = {
    'client->server': new DirectionalCipher(engine, keys.clientToServer),
    'server->client': new DirectionalCipher(engine, keys.serverToClient),
  };
  return frames.map((frame) => {
    try {
      return {
        ...frame,
        text: Buffer.from(ciphers[frame.dir].open(frame.seq, frame.sealed).plaintext).toString('utf8'),
      };
    } catch {
      return { ...frame, text: null };
    }
  });
}
