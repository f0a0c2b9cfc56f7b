import type { CryptoEngine } from '../crypto/engine.ts';
import { DhlabError } from '../errors.ts';
import { aadFor, nonceFor, type RecordCipher, type SealedRecord } from '../protocol/channel.ts';

/**
 * AES-256-GCM whose counter never moves: every frame is sealed with seq 0, so with nonce 0 and the
 * AAD "dhlab/1 data 0" (NIST SP 800-38D s.8 forbids exactly this). Two frames under one key then
 * share their keystream (C1 XOR C2 = P1 XOR P2) and their tag mask E_K(J0), which gives away the
 * hash key H (Joux's "forbidden attack"): lesson 11. Both ends need it, or neither.
 * Teaching only: `--insecure-nonce-reuse` and scenarios.
 */
export class StuckNonceCipher implements RecordCipher {
  readonly layout = { record: 'gcm', cipher: 'AES-256-GCM with its nonce stuck at 0 (INSECURE)' } as const;

  constructor(
    private readonly engine: CryptoEngine,
    private readonly key: Uint8Array,
  ) {}

  seal(plaintext: Uint8Array): SealedRecord {
    const nonce = nonceFor(0);
    const aad = aadFor('data', 0);
    return { seq: 0, nonce, aad, sealed: this.engine.aesGcmSeal(this.key, nonce, plaintext, aad) };
  }

  open(claimedSeq: number, sealed: Uint8Array): { record: SealedRecord; plaintext: Uint8Array } {
    if (claimedSeq !== 0)
      throw new DhlabError(
        'ERR_DECRYPT',
        `frame sequence ${claimedSeq} where 0 was expected (this record layer never counts)`,
      );
    const nonce = nonceFor(0);
    const aad = aadFor('data', 0);
    const plaintext = this.engine.aesGcmOpen(this.key, nonce, sealed, aad);
    if (plaintext === null) throw new DhlabError('ERR_DECRYPT', 'frame failed AES-GCM authentication');
    return { record: { seq: 0, nonce, aad, sealed }, plaintext };
  }
}

export function stuckNonceRecordCipher(engine: CryptoEngine, key: Uint8Array): RecordCipher {
  return new StuckNonceCipher(engine, key);
}
