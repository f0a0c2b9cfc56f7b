import crypto from 'node:crypto';
import type { CryptoEngine } from '../crypto/engine.ts';
import { DhlabError } from '../errors.ts';
import { aadFor, type RecordCipher, type SealedRecord } from '../protocol/channel.ts';

const IV_BYTES = 16;

/**
 * The original project's record layer: AES-256-CBC with a fresh random IV per message, sent as
 * IV || ciphertext, and NO MAC (NIST SP 800-38A s.6.2). Nothing binds the ciphertext to anything:
 * flipping bit i of the IV flips bit i of the first plaintext block, and a replayed frame decrypts
 * as well as the first time. The frame's seq is counted but, unauthenticated, never checked.
 * Teaching only: `--insecure-cbc` and scenarios.
 */
export class CbcCipher implements RecordCipher {
  readonly layout = { record: 'cbc', cipher: 'AES-256-CBC without a MAC (INSECURE)' } as const;
  private seq = 0;

  constructor(
    private readonly engine: CryptoEngine,
    private readonly key: Uint8Array,
  ) {}

  seal(plaintext: Uint8Array): SealedRecord {
    const iv = this.engine.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-cbc', this.key, iv);
    const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
    const seq = this.seq++;
    return { seq, nonce: iv, aad: aadFor('data', seq), sealed: Uint8Array.from(sealed) };
  }

  open(claimedSeq: number, sealed: Uint8Array): { record: SealedRecord; plaintext: Uint8Array } {
    if (sealed.length < 2 * IV_BYTES || sealed.length % IV_BYTES !== 0)
      throw new DhlabError('ERR_DECRYPT', 'CBC record is not an IV and whole blocks');
    const iv = sealed.subarray(0, IV_BYTES);
    const decipher = crypto.createDecipheriv('aes-256-cbc', this.key, iv);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES)), decipher.final()]);
    } catch {
      // Only the padding can fail: this is all CBC without a MAC can notice.
      throw new DhlabError('ERR_DECRYPT', 'CBC padding is wrong');
    }
    this.seq++;
    return {
      record: { seq: claimedSeq, nonce: iv, aad: aadFor('data', claimedSeq), sealed },
      plaintext: Uint8Array.from(plaintext),
    };
  }
}

export function cbcRecordCipher(engine: CryptoEngine, key: Uint8Array): RecordCipher {
  return new CbcCipher(engine, key);
}
