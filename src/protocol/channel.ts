import type { RecordLayout } from './trace.ts';
import { DhlabError } from '../errors.ts';
import { utf8 } from '../crypto/bytes.ts';
import { GCM_NONCE_BYTES, type CryptoEngine } from '../crypto/engine.ts';

/** Counters stop at 2^53-1 so the sequence number stays exact in JSON; far below GCM's limits. */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** 96-bit GCM nonce: 4 zero bytes then the 64-bit big-endian sequence number (NIST SP 800-38D s.8.2.1). */
export function nonceFor(seq: number): Uint8Array {
  const nonce = new Uint8Array(GCM_NONCE_BYTES);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(seq));
  return nonce;
}

/** Associated data binds the frame type and sequence number to the ciphertext. */
export function aadFor(frameType: string, seq: number): Uint8Array {
  return utf8(`dhlab/1 ${frameType} ${seq}`);
}

export interface SealedRecord {
  seq: number;
  nonce: Uint8Array;
  aad: Uint8Array;
  sealed: Uint8Array;
}

/** One direction of the record layer: AES-GCM here, or the teaching-only CBC of src/insecure/cbc.ts. */
export interface RecordCipher {
  /** What a trace says of this record layer; absent: AES-256-GCM as the spec defines it. */
  readonly layout?: { record: RecordLayout; cipher: string };
  seal(plaintext: Uint8Array): SealedRecord;
  open(claimedSeq: number, sealed: Uint8Array): { record: SealedRecord; plaintext: Uint8Array };
}

/**
 * One direction of an established session: a key and a counter. The receiver never trusts the
 * sequence number in the frame: it decrypts with its own counter, so a replayed, dropped or
 * reordered frame fails authentication.
 */
export class DirectionalCipher implements RecordCipher {
  private seq = 0;

  constructor(
    private readonly engine: CryptoEngine,
    private readonly key: Uint8Array,
  ) {}

  seal(plaintext: Uint8Array): SealedRecord {
    const seq = this.advance();
    const nonce = nonceFor(seq);
    const aad = aadFor('data', seq);
    return { seq, nonce, aad, sealed: this.engine.aesGcmSeal(this.key, nonce, plaintext, aad) };
  }

  open(claimedSeq: number, sealed: Uint8Array): { record: SealedRecord; plaintext: Uint8Array } {
    const seq = this.seq;
    if (claimedSeq !== seq) {
      throw new DhlabError(
        'ERR_DECRYPT',
        `frame sequence ${claimedSeq} where ${seq} was expected (replayed, dropped or reordered)`,
      );
    }
    const nonce = nonceFor(seq);
    const aad = aadFor('data', seq);
    const plaintext = this.engine.aesGcmOpen(this.key, nonce, sealed, aad);
    if (plaintext === null) throw new DhlabError('ERR_DECRYPT', `frame ${seq} failed AES-GCM authentication`);
    this.advance();
    return { record: { seq, nonce, aad, sealed }, plaintext };
  }

  private advance(): number {
    if (this.seq >= MAX_SEQUENCE) throw new DhlabError('ERR_NONCE_EXHAUSTED', 'message counter exhausted; reconnect');
    return this.seq++;
  }
}
