// A reference solution of the function exercises, written from docs/PROTOCOL.md with node:crypto
// only (nothing of src/): `dhlab check` must pass it. MISTAKE=... makes it commit one of the usual
// mistakes, so the tests can show the grader catches each at the right case with the right hint.
// Usage: node --import tsx solution.ts EXERCISE   (one case per stdin line, one answer per line)
import crypto from 'node:crypto';
import readline from 'node:readline';

const MISTAKE = process.env.MISTAKE ?? '';

const MODP14 = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF',
);

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

const RFC3526 = {
  modp15:
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
  modp16:
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D788719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA993B4EA988D8FDDC186FFB7DC90A6C08F4DF435C934063199FFFFFFFFFFFFFFFF',
};

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const byteLength = (p: bigint) => Math.ceil(p.toString(16).length / 2);
const fixedHex = (value: bigint, bytes: number) => (MISTAKE === 'unpadded' ? value.toString(16).padStart(2, '0') : value.toString(16).padStart(bytes * 2, '0'));
const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest();
const hmac = (key: Buffer, data: Buffer) => crypto.createHmac('sha256', key).update(data).digest();

function lp(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function nonce(seq: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(seq), 4);
  return n;
}

const aad = (seq: number) => Buffer.from(`dhlab/1 data ${MISTAKE === 'padded-seq' ? String(seq).padStart(4, '0') : seq}`, 'utf8');

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
          ].map(lp),
        ),
      );
      const prk = hmac(h, k);
      const expand = (label: string) => hmac(prk, Buffer.concat([Buffer.from(label), Buffer.from([1])]));
      return [k, h, expand('dhlab/1 client to server'), expand('dhlab/1 server to client')].map((x) => x.toString('hex')).join(' ');
    }
    case 'seal': {
      const seq = Number(b);
      const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(a, 'hex'), nonce(seq));
      cipher.setAAD(aad(seq));
      const sealed = Buffer.concat([cipher.update(Buffer.from(rest.join(' '), 'utf8')), cipher.final(), cipher.getAuthTag()]);
      return JSON.stringify({ type: 'data', seq, box: sealed.toString(MISTAKE === 'hex-box' ? 'hex' : 'base64') });
    }
    case 'open': {
      const frame = JSON.parse(rest.join(' ')) as { seq: number; box: string };
      const seq = MISTAKE === 'frame-seq' ? frame.seq : Number(b);
      if (MISTAKE !== 'frame-seq' && frame.seq !== seq) return 'ERR_DECRYPT';
      const box = Buffer.from(frame.box, 'base64');
      if (box.length < 16) return 'ERR_DECRYPT';
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(a, 'hex'), nonce(seq), { authTagLength: 16 });
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
    const plaintext = JSON.parse(Buffer.concat([decipher.update(box.subarray(0, box.length - 16)), decipher.final()]).toString('utf8')) as { text: string };
    return plaintext.text;
  });
}

const exercise = process.argv[2] ?? '';
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
lines.on('close', () => process.stdout.write([...out, ...(exercise === 'break-weak' ? breakWeak(records) : [])].map((l) => `${l}\n`).join('')));
