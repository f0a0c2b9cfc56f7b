// A reference solution of the function exercises, written from docs/PROTOCOL.md with node:crypto
// only (nothing of src/): `dhlab check` must pass it. MISTAKE=... makes it commit one of the usual
// mistakes, so the tests can show the grader catches each at the right case with the right hint.
// Usage: node --import tsx solution.ts EXERCISE   (one case per stdin line, one answer per line)
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { MODP14, RFC3526 } from './groups.ts';
import { hmac, lp, modPow, nonce, sha256 } from './primitives.ts';

const MISTAKE = process.env.MISTAKE ?? '';

/** p for each group name: the toy groups, and RFC 3526 s.3-5 for modp14-16 (g = 2 in all). */
function primeOf(group: string): bigint {
  switch (group) {
    case 'toy23':
      return 23n;
    case 'toy-64':
      return 18446744073709543127n;
    case 'modp14':
      return MODP14;
    case 'modp15':
      return BigInt('0x' + RFC3526.modp15);
    case 'modp16':
      return BigInt('0x' + RFC3526.modp16);
    default:
      throw new Error(`unknown group ${group}`);
  }
}

const byteLength = (p: bigint) => Math.ceil(p.toString(16).length / 2);
const fixedHex = (value: bigint, bytes: number) =>
  MISTAKE === 'unpadded' ? value.toString(16).padStart(2, '0') : value.toString(16).padStart(bytes * 2, '0');

const aad = (seq: number) =>
  Buffer.from(`dhlab/1 data ${MISTAKE === 'padded-seq' ? String(seq).padStart(4, '0') : seq}`, 'utf8');

function answer(exercise: string, line: string): string {
  const [a = '', b = '', ...rest] = line.split(' ');
  switch (exercise) {
    case 'modpow':
      return modPow(BigInt(a), BigInt(b), BigInt(rest[0] as string)).toString();
    case 'dh': {
      const p = primeOf(a);
      return fixedHex(modPow(2n, BigInt(`0x${b}`), p), byteLength(p));
    }
    case 'validate': {
      const p = primeOf(a);
      if (MISTAKE !== 'no-length-check' && b.length !== byteLength(p) * 2) return 'ERR_BAD_PUBLIC_KEY';
      const y = BigInt(`0x${b}`);
      if (y < 2n || y > p - 2n) return 'ERR_BAD_PUBLIC_KEY';
      return MISTAKE === 'no-subgroup-check' || modPow(y, (p - 1n) / 2n, p) === 1n ? 'ok' : 'ERR_BAD_PUBLIC_KEY';
    }
    case 'keys': {
      const [name, group, ys, hostKey, yc, zHex] = [a, b, ...rest] as string[];
      const z =
        MISTAKE === 'unpadded'
          ? Buffer.from(
              BigInt(`0x${zHex}`)
                .toString(16)
                .padStart(2, '0')
                .replace(/^(.(..)*)$/, '0$1'),
              'hex',
            )
          : Buffer.from(zHex as string, 'hex');
      const k = sha256(z);
      const h = sha256(
        Buffer.concat(
          [
            Buffer.from('dhlab/1 transcript'),
            Buffer.from(name as string),
            Buffer.from(group as string),
            Buffer.from(ys as string, 'hex'),
            Buffer.from(hostKey as string, 'hex'),
            Buffer.from(yc as string, 'hex'),
            // no-lp: the fields concatenated without their lengths.
          ].map((field) => (MISTAKE === 'no-lp' ? field : lp(field))),
        ),
      );
      const prk = hmac(h, k);
      const expand = (label: string) => hmac(prk, Buffer.concat([Buffer.from(label), Buffer.from([1])]));
      return [k, h, expand('dhlab/1 client to server'), expand('dhlab/1 server to client')]
        .map((x) => x.toString('hex'))
        .join(' ');
    }
    case 'seal': {
      const seq = Number(b);
      // seq-first-nonce: the counter before the 4 zero bytes instead of after them.
      const iv = MISTAKE === 'seq-first-nonce' ? Buffer.concat([nonce(seq).subarray(4), Buffer.alloc(4)]) : nonce(seq);
      const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(a, 'hex'), iv);
      cipher.setAAD(aad(seq));
      const sealed = Buffer.concat([
        cipher.update(Buffer.from(rest.join(' '), 'utf8')),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return JSON.stringify({ type: 'data', seq, box: sealed.toString(MISTAKE === 'hex-box' ? 'hex' : 'base64') });
    }
    case 'open': {
      const frame = JSON.parse(rest.join(' ')) as { seq: number; box: string };
      const seq = MISTAKE === 'frame-seq' ? frame.seq : Number(b);
      if (MISTAKE !== 'frame-seq' && frame.seq !== seq) return 'ERR_DECRYPT';
      const box = Buffer.from(frame.box, 'base64');
      if (box.length < 16) return 'ERR_DECRYPT';
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(a, 'hex'), nonce(seq), {
          authTagLength: 16,
        });
        decipher.setAAD(aad(seq));
        decipher.setAuthTag(box.subarray(box.length - 16));
        return Buffer.concat([decipher.update(box.subarray(0, box.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        return 'ERR_DECRYPT';
      }
    }
    default:
      throw new Error(`unknown exercise ${exercise}`);
  }
}

/** Baby-step giant-step for x < 2^32 with g^x = y mod p (lesson 04's attack). */
function discreteLog32(g: bigint, y: bigint, p: bigint): bigint {
  const m = 1n << 16n;
  const table = new Map<bigint, bigint>();
  let baby = 1n;
  for (let j = 0n; j < m; j++) {
    table.set(baby, j);
    baby = (baby * g) % p;
  }
  const giantStep = modPow(g, p - 1n - m, p); // g^(-m)
  let gamma = y;
  for (let i = 0n; i < m; i++) {
    const j = table.get(gamma);
    if (j !== undefined) return i * m + j;
    gamma = (gamma * giantStep) % p;
  }
  throw new Error('no x below 2^32');
}

/** break-weak: the whole stdin is one recording; the answers are the client's chat lines. */
function breakWeak(records: Array<{ dir: string; frame: Record<string, string | number> }>): string[] {
  const frame = (type: string) => records.find((r) => r.frame.type === type)?.frame as Record<string, string>;
  const [hello, serverKey, clientKey] = [frame('hello'), frame('server_key'), frame('client_key')];
  const p = primeOf(serverKey.group as string);
  const x = discreteLog32(2n, BigInt(`0x${clientKey.y}`), p);
  const z = Buffer.from(
    modPow(BigInt(`0x${serverKey.y}`), x, p)
      .toString(16)
      .padStart(byteLength(p) * 2, '0'),
    'hex',
  );
  const [k, h] = [
    sha256(z),
    sha256(
      Buffer.concat(
        [
          Buffer.from('dhlab/1 transcript'),
          Buffer.from(hello.name as string),
          Buffer.from(serverKey.group as string),
          Buffer.from(serverKey.y as string, 'hex'),
          Buffer.from(serverKey.host_key as string, 'hex'),
          Buffer.from(clientKey.y as string, 'hex'),
        ].map(lp),
      ),
    ),
  ];
  const label = MISTAKE === 'wrong-direction' ? 'dhlab/1 server to client' : 'dhlab/1 client to server';
  const key = hmac(hmac(h, k), Buffer.concat([Buffer.from(label), Buffer.from([1])]));
  const sent = records.filter((r) => r.dir === 'client->server' && r.frame.type === 'data');
  return sent.map((r, seq) => {
    const box = Buffer.from(r.frame.box as string, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce(seq), { authTagLength: 16 });
    decipher.setAAD(aad(seq));
    decipher.setAuthTag(box.subarray(box.length - 16));
    if (MISTAKE === 'wrong-direction') return '(could not open)';
    const plaintext = JSON.parse(
      Buffer.concat([decipher.update(box.subarray(0, box.length - 16)), decipher.final()]).toString('utf8'),
    ) as { text: string };
    return plaintext.text;
  });
}

const exercise = process.argv[2] ?? '';
// The whole client is a program of its own (client.ts), the server too (server.py, in Python
// as a student of another language would write it); the rest of this file answers line by line.
if (exercise === 'client') await import('./client.ts');
else if (exercise === 'server') runServer();
else main();

function runServer(): void {
  const server = spawn('python3', [path.join(import.meta.dirname, 'server.py'), ...process.argv.slice(3)], {
    stdio: 'inherit',
  });
  server.on('exit', (code) => process.exit(code ?? 1));
}

function main(): void {
  if (MISTAKE === 'hang') setInterval(() => {}, 1000);
  // A flood: as fast as the pipe takes it, forever (a print loop).
  const flood = (): void => {
    while (process.stdout.write('x'.repeat(65536)));
    process.stdout.once('drain', flood);
  };
  if (MISTAKE === 'flood') flood();
  if (MISTAKE === 'crash') {
    process.stderr.write('Traceback: something broke\n');
    process.exit(3);
  }
  const out: string[] = [];
  const lines = readline.createInterface({ input: process.stdin });
  const records: Array<{ dir: string; frame: Record<string, string | number> }> = [];
  lines.on('line', (line) => {
    if (exercise === 'break-weak') records.push(JSON.parse(line));
    else out.push(MISTAKE === 'hostile' ? `\x1b]0;pwned\x07\x1b[2J${answer(exercise, line)}` : answer(exercise, line));
  });
  // debug-line: a stray print before the answers.
  lines.on('close', () =>
    process.stdout.write(
      [
        ...(MISTAKE === 'debug-line' ? ['reading input...'] : []),
        ...out,
        ...(exercise === 'break-weak' ? breakWeak(records) : []),
      ]
        .map((l) => `${l}\n`)
        .join(''),
    ),
  );
}
