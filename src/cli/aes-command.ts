import crypto from 'node:crypto';
import { toHex as hex } from '../crypto/bytes.ts';
import { DhlabError } from '../errors.ts';
import { encryptBlockTraced, fipsLines, stateGrid } from '../by-hand/aes.ts';
import { print, printJson } from '../terminal/output.ts';
import type { ParsedArgs, Verb } from './verb.ts';

export const aesVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: ['dhlab aes --key HEX64 --block HEX32 [--grid] [--json]'],
  description: [
    "One block through AES-256's 14 rounds, printed as FIPS-197 Appendix C prints them",
    '(round[ r].start, .s_box, .s_row, .m_col, .k_sch, .output), and checked against node:crypto.',
  ],
  flags: {
    key: {
      type: 'string',
      value: 'HEX64',
      needs: 'a key: 32 bytes as 64 hex digits',
      help: 'the AES-256 key (required)',
    },
    block: {
      type: 'string',
      value: 'HEX32',
      needs: 'a block: 16 bytes as 32 hex digits',
      help: 'the plaintext block (required)',
    },
    grid: { type: 'boolean', help: 'draw each state as FIPS-197 does, 4x4' },
    json: { type: 'boolean', help: 'the rounds as one JSON object' },
  },
  examples: [
    'dhlab aes --key 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \\\n      --block 00112233445566778899aabbccddeeff   # FIPS-197 Appendix C.3',
    'dhlab aes --key $(openssl rand -hex 32) --block $(openssl rand -hex 16) --grid',
  ],
  run: ({ values }) => aesCommand(values),
};

function hexOption(values: Record<string, unknown>, name: string, bytes: number): Uint8Array {
  const text = values[name];
  if (text === undefined)
    throw new DhlabError('ERR_USAGE', `--${name} is required: ${bytes} bytes as ${bytes * 2} hex digits`);
  if (typeof text !== 'string' || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(text)) {
    throw new DhlabError('ERR_USAGE', `--${name} must be ${bytes} bytes as ${bytes * 2} hex digits`);
  }
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** `dhlab aes`: AES-256 by hand (src/by-hand/aes.ts), checked against node:crypto on every run. */
function aesCommand(values: ParsedArgs['values']): number {
  const key = hexOption(values, 'key', 32);
  const block = hexOption(values, 'block', 16);
  const trace = encryptBlockTraced(key, block);
  // The same block through OpenSSL (node:crypto, AES-256-ECB of one block, no padding).
  const cipher = crypto.createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const reference = Buffer.concat([cipher.update(block), cipher.final()]);
  const agrees = reference.equals(Buffer.from(trace.output));
  if (values.json) {
    printJson({
      key: hex(key),
      block: hex(block),
      rounds: trace.rounds.map((r) => ({
        round: r.round,
        [r.round === 0 ? 'input' : 'start']: hex(r.start),
        ...(r.sBox ? { s_box: hex(r.sBox) } : {}),
        ...(r.sRow ? { s_row: hex(r.sRow) } : {}),
        ...(r.mCol ? { m_col: hex(r.mCol) } : {}),
        k_sch: hex(r.kSch),
      })),
      output: hex(trace.output),
      node_crypto_agrees: agrees,
    });
    return agrees ? 0 : 1;
  }
  print(`AES-256 (Nk=8, Nr=14), FIPS-197 s.5.1; the notation of its Appendix C`);
  print(`PLAINTEXT:          ${hex(block)}`);
  print(`KEY:                ${hex(key)}`);
  print('CIPHER (ENCRYPT):');
  const lines = fipsLines(trace);
  if (!values.grid) lines.forEach((line) => print(line));
  else {
    // After each line, the 16 bytes as FIPS-197 draws the state: byte i in row i mod 4, column i div 4.
    for (const line of lines) {
      print(line);
      const bytes = Uint8Array.from(Buffer.from(line.split(' ').at(-1) as string, 'hex'));
      for (const row of stateGrid(bytes)) print(`                 ${row}`);
    }
  }
  print(
    agrees
      ? `node:crypto (AES-256-ECB, one block): ${reference.toString('hex')}: the same`
      : `node:crypto gives ${reference.toString('hex')}: DIFFERENT`,
  );
  return agrees ? 0 : 1;
}
