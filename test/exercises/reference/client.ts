// A reference solution of exercise 8 (the whole client), written from docs/PROTOCOL.md with
// node:net and node:crypto only (nothing of src/). MISTAKE=... makes it skip one check, so the tests
// can show each cheating server catches it. Usage:
//   node --import tsx client.ts --host H --port P --name N --fingerprint SHA256:...
import crypto from 'node:crypto';
import net from 'node:net';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { MODP14, RFC3526 } from './groups.ts';
import { hmac, lp, modPow, nonce, sha256 } from './primitives.ts';

const MISTAKE = process.env.MISTAKE ?? '';
// 'silent' is a client whose output never reaches the pipe (unflushed), and so never ends either.
const HANGS = MISTAKE === 'hang' || MISTAKE === 'silent';
if (HANGS) {
  // Never exits: not at an error, not at the end (the grader must stop it).
  setInterval(() => {}, 1000);
  process.on('uncaughtException', () => {});
}
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'client'),
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    name: { type: 'string' },
    fingerprint: { type: 'string' },
  },
});
const NAME = values.name as string;

const PRIMES: Record<string, bigint> = {
  modp14: MODP14,
  modp15: BigInt('0x' + RFC3526.modp15),
  modp16: BigInt('0x' + RFC3526.modp16),
};
/** RFC 8410 s.4: an Ed25519 public key as SubjectPublicKeyInfo is this prefix and the 32 raw bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

class ProtocolError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const toFixed = (value: bigint, bytes: number) => Buffer.from(value.toString(16).padStart(bytes * 2, '0'), 'hex');

const aad = (seq: number) => Buffer.from(`dhlab/1 data ${seq}`, 'utf8');

function print(line: string): void {
  if (MISTAKE === 'silent') return;
  process.stdout.write(`${MISTAKE === 'hostile' ? '\x1b]0;pwned\x07\x1b[2J' : ''}${line}\n`);
}

function fail(code: string): never {
  print(`ERROR ${code}`);
  // Linux pipes are written synchronously: the line is out before we exit.
  if (!HANGS) process.exit(1);
  throw new ProtocolError(code);
}

const socket = net.connect({ host: values.host, port: Number(values.port) });
let pending = Buffer.alloc(0);
let keys: { c2s: Buffer; s2c: Buffer } | null = null;
let sendSeq = 0;
let receiveSeq = 0;
let pendingHandshake: { hostKey: Buffer; transcript: Buffer; c2s: Buffer; s2c: Buffer } | null = null;
const waitingLines: string[] = [];
let inputEnded = false;
let quitSent = false;

function sendFrame(frame: object): void {
  const payload = Buffer.from(JSON.stringify(frame), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length);
  socket.write(Buffer.concat([length, payload]));
}

function seal(inner: object): void {
  const k = keys as { c2s: Buffer };
  const cipher = crypto.createCipheriv('aes-256-gcm', k.c2s, nonce(sendSeq));
  cipher.setAAD(aad(sendSeq));
  const box = Buffer.concat([
    cipher.update(Buffer.from(JSON.stringify(inner), 'utf8')),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  sendFrame({ type: 'data', seq: sendSeq, box: box.toString('base64') });
  // reuse-seq: the counter never moves past 0 (the server refuses the second frame).
  if (MISTAKE !== 'reuse-seq') sendSeq++;
}

function open(frame: { seq: number; box: string }): Record<string, unknown> {
  const k = keys as { s2c: Buffer };
  const seq = MISTAKE === 'frame-seq' ? frame.seq : receiveSeq;
  if (frame.seq !== seq) fail('ERR_DECRYPT');
  const box = Buffer.from(frame.box, 'base64');
  if (box.length < 16) fail('ERR_DECRYPT');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', k.s2c, nonce(seq), { authTagLength: 16 });
    decipher.setAAD(aad(seq));
    decipher.setAuthTag(box.subarray(box.length - 16));
    const plaintext = Buffer.concat([decipher.update(box.subarray(0, box.length - 16)), decipher.final()]);
    receiveSeq++;
    return JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
  } catch {
    fail('ERR_DECRYPT');
  }
}

function onServerKey(frame: Record<string, string>): void {
  const p = PRIMES[frame.group as string];
  if (p === undefined) fail('ERR_BAD_GROUP');
  const bytes = Math.ceil(p.toString(16).length / 2);
  const ys = Buffer.from(frame.y as string, 'hex');
  const y = BigInt(`0x${frame.y}`);
  // s.4.2: the length, the range, then the subgroup (Euler's criterion: y^q = 1).
  if (MISTAKE !== 'no-validation') {
    if (ys.length !== bytes || y < 2n || y > p - 2n) fail('ERR_BAD_PUBLIC_KEY');
    if (MISTAKE !== 'range-only' && modPow(y, (p - 1n) / 2n, p) !== 1n) fail('ERR_BAD_PUBLIC_KEY');
  }
  const hostKey = Buffer.from(frame.host_key as string, 'hex');
  const fingerprint = 'SHA256:' + sha256(hostKey).toString('base64').replace(/=+$/, '');
  const fingerprintWrong = fingerprint !== values.fingerprint;
  if (MISTAKE !== 'no-fingerprint-check' && MISTAKE !== 'late-fingerprint' && fingerprintWrong)
    fail('ERR_HOST_KEY_CHANGED');

  const x = BigInt(`0x${crypto.randomBytes(32).toString('hex')}`);
  const yc = toFixed(modPow(2n, x, p), bytes);
  const z = toFixed(modPow(y, x, p), bytes); // padded to the byte length of p (s.4.3)
  const transcript = sha256(
    Buffer.concat(
      [
        Buffer.from('dhlab/1 transcript'),
        Buffer.from(NAME, 'utf8'),
        Buffer.from(frame.group as string),
        ys,
        hostKey,
        yc,
      ].map(lp),
    ),
  );
  const prk = hmac(transcript, sha256(z));
  const expand = (label: string) => hmac(prk, Buffer.concat([Buffer.from(label), Buffer.from([1])]));
  pendingHandshake = {
    hostKey,
    transcript,
    c2s: expand('dhlab/1 client to server'),
    s2c: expand('dhlab/1 server to client'),
  };
  sendFrame({ type: 'client_key', y: yc.toString('hex') });
  // The check made one step too late: the printed lines are right, the wire is not.
  if (MISTAKE === 'late-fingerprint' && fingerprintWrong) fail('ERR_HOST_KEY_CHANGED');
}

function onServerAuth(frame: Record<string, string>): void {
  const handshake = pendingHandshake as NonNullable<typeof pendingHandshake>;
  const publicKey = crypto.createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, handshake.hostKey]),
    format: 'der',
    type: 'spki',
  });
  const verified = crypto.verify(null, handshake.transcript, publicKey, Buffer.from(frame.signature as string, 'hex'));
  if (!verified && MISTAKE !== 'no-signature-check') fail('ERR_BAD_SIGNATURE');
  keys = { c2s: handshake.c2s, s2c: handshake.s2c };
  flushInput();
}

function onEvent(event: Record<string, unknown>): void {
  switch (event.type) {
    case 'batch':
      if (MISTAKE !== 'no-batch') for (const inner of event.events as Record<string, unknown>[]) onEvent(inner);
      return;
    case 'join':
      return print(`+ ${String(event.name)}`);
    case 'leave':
      return print(`- ${String(event.name)}`);
    case 'message':
      return print(`${String(event.from)}: ${String(event.text)}`);
    case 'error':
      return fail(String(event.code));
    case 'bye':
      if (event.code !== 'OK') fail(String(event.code));
      return done();
    default:
      return; // welcome, who: nothing to print
  }
}

function done(): void {
  if (HANGS) return;
  socket.end();
  process.exit(0);
}

function onFrame(frame: Record<string, unknown>): void {
  if (frame.type === 'error') {
    if (keys) fail('ERR_UNEXPECTED_FRAME'); // after the keys only a sealed error counts (s.7)
    fail(String(frame.code));
  }
  if (keys) {
    if (frame.type !== 'data') fail('ERR_UNEXPECTED_FRAME');
    onEvent(open(frame as { seq: number; box: string }));
  } else if (!pendingHandshake) {
    if (frame.type !== 'server_key') fail('ERR_UNEXPECTED_FRAME');
    onServerKey(frame as Record<string, string>);
  } else {
    if (frame.type !== 'server_auth') fail('ERR_UNEXPECTED_FRAME');
    onServerAuth(frame as Record<string, string>);
  }
}

function flushInput(): void {
  if (!keys) return;
  for (const text of waitingLines.splice(0)) seal({ type: 'chat', text });
  if (inputEnded && !quitSent && MISTAKE !== 'no-quit') {
    quitSent = true;
    seal({ type: 'quit' });
  }
  if (inputEnded && MISTAKE === 'no-quit') done();
}

socket.on('connect', () => {
  if (MISTAKE === 'crash') {
    process.stderr.write('Traceback: the client broke\n');
    process.exit(3);
  }
  sendFrame({ type: 'hello', version: 1, name: NAME });
});
socket.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  // s.2: a 4-byte length, then that many bytes; a read may hold part of a frame or several.
  while (pending.length >= 4) {
    const length = pending.readUInt32BE(0);
    if (length < 1 || length > 65536) fail('ERR_FRAME_LENGTH');
    if (pending.length < 4 + length) break;
    const payload = pending.subarray(4, 4 + length);
    pending = pending.subarray(4 + length);
    onFrame(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
  }
});
socket.on('error', () => fail('ERR_CONNECTION'));
socket.on('close', () => (quitSent ? done() : fail('ERR_CONNECTION')));

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  waitingLines.push(line);
  flushInput();
});
input.on('close', () => {
  inputEnded = true;
  flushInput();
});
