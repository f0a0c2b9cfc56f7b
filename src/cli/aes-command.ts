import crypto from 'node:crypto';
import { toHex as hex } from '../crypto/bytes.ts';
import { DhlabError } from '../errors.ts';
import { encryptBlockTraced, fipsLines, stateGrid } from '../insecure/aes-by-hand.ts';
import { print, printJson } from '../terminal/output.ts';
import { parse } from './args.ts';

export const AES_USAGE = `  dhlab aes    --key HEX64 --block HEX32 [--grid] [--json]
      One block through AES-256's 14 rounds, printed as FIPS-197 Appendix C prints them
      (round[ r].start, .s_box, .s_row, .m_col, .k_sch, .output); --grid adds each state as 4x4.
`;

function hexOption(values: Record<string, unknown>, name: string, bytes: number): Uint8Array {
  const text = values[name];
  if (typeof text !== 'string' || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(text)) {
    throw new DhlabError('ERR_USAGE', `--${name} must be ${bytes} bytes as ${bytes * 2} hex digits`);
  }
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** `dhlab aes`: AES-256 by hand (src/insecure/aes-by-hand.ts), checked against node:crypto on every run. */
export function aesCommand(args: string[]): number {
  const values = parse(args, {
    key: { type: 'string' },
    block: { type: 'string' },
    json: { type: 'boolean', default: false },
    grid: { type: 'boolean', default: false },
  });
  if (values.help) return (print(AES_USAGE.trimEnd()), 0);
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
  print(agrees ? `node:crypto (AES-256-ECB, one block): ${reference.toString('hex')}: the same` : `node:crypto gives ${reference.toString('hex')}: DIFFERENT`);
  return agrees ? 0 : 1;
}
