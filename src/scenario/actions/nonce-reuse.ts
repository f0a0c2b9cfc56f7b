import { toHex as hex } from '../../crypto/bytes.ts';
import { DhlabError } from '../../errors.ts';
import { aadFor, nonceFor } from '../../protocol/channel.ts';
import { printableAscii as printable } from '../../terminal/format.ts';
import { encryptBlockTraced } from '../../by-hand/aes.ts';
import {
  bigintToBlock,
  blockToBigint,
  counterBlock,
  gfInverse128,
  gfMultiply128,
  gfSquareRoot128,
} from '../../by-hand/gcm.ts';
import { forgeTag, hashKeyFromNonceReuse } from '../../insecure/attacks/forbidden-attack.ts';
import type { TapObservation } from '../../tap/tap-proxy.ts';
import type { Action } from '../types.ts';
import type { ActionContext } from './action-context.ts';

const xor = (a: Uint8Array, b: Uint8Array) =>
  Uint8Array.from({ length: Math.min(a.length, b.length) }, (_, i) => (a[i] as number) ^ (b[i] as number));
const aadOf = (seq: number) => aadFor('data', seq);

interface Sealed {
  seq: number;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

function sealedFrames(world: ActionContext, name: string, dir: TapObservation['dir']): Sealed[] {
  return world
    .observationsOf(name)
    .filter((o) => o.dir === dir && o.frame?.type === 'data')
    .map((o) => {
      const box = Buffer.from(String(o.frame?.box), 'base64');
      return {
        seq: Number(o.frame?.seq),
        ciphertext: Uint8Array.from(box.subarray(0, box.length - 16)),
        tag: Uint8Array.from(box.subarray(box.length - 16)),
      };
    });
}

function scenarioError(world: ActionContext, message: string): DhlabError {
  return new DhlabError('ERR_SCENARIO', `${world.scenario.file}: ${message}`);
}

/**
 * Eve and a stuck nonce: the first two frames the server sent `connection` share their keystream,
 * so C1 XOR C2 = P1 XOR P2; the first is the welcome, which she can write down from what she saw
 * (the name, and who joined before), so the second is hers too.
 */
export function eveXor(world: ActionContext, action: Extract<Action, { kind: 'eve_xor' }>): string[] {
  const name = action.connection;
  const [first, second] = sealedFrames(world, name, 'server->client');
  if (!first || !second) throw scenarioError(world, `eve_xor needs two frames from the server to ${name}`);
  // Who joined, in the order Eve saw their hellos, up to and including this connection.
  const seen = world.observations.flatMap((o) =>
    o.frame?.type === 'hello' && typeof o.frame.name === 'string' ? [o.frame.name] : [],
  );
  const members = [...new Set(seen.slice(0, seen.indexOf(name) + 1))];
  const guess = Buffer.from(JSON.stringify({ type: 'welcome', name, members, count: members.length }), 'utf8');
  const difference = xor(first.ciphertext, second.ciphertext);
  const recovered = Buffer.from(xor(difference, guess)).toString('utf8');
  world.setValue(`eve/${name}.xor`, difference);
  world.setValue(`eve/${name}.recovered`, recovered);
  world.reportEveDecrypted(name, [{ dir: 'server->client', seq: second.seq, text: recovered }], 'xor');
  return [
    first.seq === second.seq
      ? `the server's first two frames to ${name} both say seq ${first.seq}: the same nonce, the same keystream`
      : `the server's first two frames to ${name} say seq ${first.seq} and ${second.seq}: different nonces`,
    `C1 XOR C2 = P1 XOR P2  ${hex(difference)}`,
    `            as text: ${printable(difference)}`,
    `Eve's guess of P1, the welcome (${name} joined after ${members.slice(0, -1).join(', ') || 'nobody'}): ${guess.toString('utf8')}`,
    `P2 = (C1 XOR C2) XOR P1 = ${recovered}${second.ciphertext.length > difference.length ? ` (its last ${second.ciphertext.length - difference.length} bytes lie beyond the welcome: they need a longer known plaintext)` : ''}`,
  ];
}

/**
 * The forbidden attack on `connection`'s last two chats: with one nonce, T1 XOR T2 = (C1_n XOR
 * C2_n) • H^2 gives the hash key H and the tag mask E_K(J0). Checked against the real ones,
 * computed from the client's key (which only the lesson can see).
 */
export function forbiddenAttack(world: ActionContext, action: Extract<Action, { kind: 'forbidden_attack' }>): string[] {
  const name = action.connection;
  const frames = sealedFrames(world, name, 'client->server');
  const [f1, f2] = frames.slice(-2);
  if (!f1 || !f2 || frames.length < 2) throw scenarioError(world, `forbidden_attack needs two chats from ${name}`);
  const key = world.value(`${name}.key_c2s`);
  if (!(key instanceof Uint8Array)) throw scenarioError(world, `forbidden_attack needs ${name}.key_c2s`);
  const trueH = encryptBlockTraced(key, new Uint8Array(16)).output;
  const trueMask = encryptBlockTraced(key, counterBlock(nonceFor(f1.seq), 1)).output;
  const lines = [
    `${name}'s last two frames: seq ${f1.seq} and ${f2.seq}, ${f1.ciphertext.length} and ${f2.ciphertext.length} bytes`,
    `T1 ${hex(f1.tag)}   T2 ${hex(f2.tag)}`,
  ];
  let h: bigint;
  let ekJ0: Uint8Array;
  try {
    if (f1.seq !== f2.seq) throw new RangeError(`the nonces differ (seq ${f1.seq} and ${f2.seq})`);
    const found = hashKeyFromNonceReuse(aadOf(f1.seq), f1.ciphertext, f1.tag, f2.ciphertext, f2.tag);
    ({ h, ekJ0 } = found);
    lines.push(
      `one nonce, one AAD, one length, the same first blocks: everything but the last block cancels in T1 XOR T2`,
      `C1_n XOR C2_n = ${hex(bigintToBlock(found.difference))}`,
      `H^2 = (T1 XOR T2) / (C1_n XOR C2_n) = ${hex(bigintToBlock(gfMultiply128(h, h)))}  (in GF(2^128))`,
      `H = sqrt(H^2) = (H^2)^(2^127) = ${hex(bigintToBlock(h))}`,
      `E_K(J0) = T1 XOR GHASH_H(A, C1) = ${hex(ekJ0)}`,
    );
  } catch (error) {
    // What Mallory gets by applying the formula anyway: a number, but not H.
    const last = (c: Uint8Array) => {
      const block = new Uint8Array(16);
      block.set(c.subarray(Math.floor((c.length - 1) / 16) * 16));
      return blockToBigint(block);
    };
    const difference = last(f1.ciphertext) ^ last(f2.ciphertext) || 1n;
    h = gfSquareRoot128(gfMultiply128(blockToBigint(f1.tag) ^ blockToBigint(f2.tag), gfInverse128(difference)));
    // ...and her E_K(J0) = T1 XOR GHASH_H'(A, C1) with that H', as the attack would compute it.
    ekJ0 = bigintToBlock(
      blockToBigint(f1.tag) ^ blockToBigint(forgeTag(h, new Uint8Array(16), aadOf(f1.seq), f1.ciphertext)),
    );
    lines.push(
      `the attack's condition fails: ${(error as Error).message}. Different nonces mean different keystreams (C1 XOR C2 is noise, not P1 XOR P2) and different tag masks: nothing cancels`,
      `the formula still gives a number: ${hex(bigintToBlock(h))}; it is not H`,
    );
  }
  lines.push(`the real H = AES(k_c2s, 0^128) = ${hex(trueH)} (the lesson knows the key; Mallory does not)`);
  world.setValue('forbidden.h', bigintToBlock(h));
  world.setValue('forbidden.ek_j0', ekJ0);
  world.setValue('forbidden.true_h', trueH);
  world.setValue('forbidden.true_ek_j0', trueMask);
  return lines;
}

/**
 * Mallory forges a chat as `connection`: the keystream from a frame whose plaintext is known
 * (`known`, read by Eve), the tag from the recovered H and E_K(J0); sent to the server with the seq
 * it expects next. Under a stuck nonce the server accepts it; under dhlab's counter it cannot.
 */
export async function forge(world: ActionContext, action: Extract<Action, { kind: 'forge' }>): Promise<string[]> {
  const name = action.connection;
  if (!world.mallory) throw scenarioError(world, 'forge needs Mallory (actors.mallory)');
  const frames = sealedFrames(world, name, 'client->server');
  const [f1, f2] = frames.slice(-2);
  const h = world.value('forbidden.h');
  const ekJ0 = world.value('forbidden.ek_j0');
  if (!f1 || !f2 || !(h instanceof Uint8Array) || !(ekJ0 instanceof Uint8Array))
    throw scenarioError(world, 'forge needs a forbidden_attack step before it');
  const known = Buffer.from(JSON.stringify({ type: 'chat', text: action.known }), 'utf8');
  const keystream = xor(f1.ciphertext, known);
  const plaintext = Buffer.from(JSON.stringify({ type: 'chat', text: action.text }), 'utf8');
  if (plaintext.length > keystream.length)
    throw scenarioError(
      world,
      `forge: the forged chat (${plaintext.length} bytes) is longer than the keystream known (${keystream.length})`,
    );
  // The seq the server expects next: 0 again if the counter never moved, else one more.
  const seq = f1.seq === f2.seq ? f2.seq : f2.seq + 1;
  const ciphertext = xor(plaintext, keystream);
  const tag = forgeTag(blockToBigint(h), ekJ0, aadOf(seq), ciphertext);
  const before = world.mark();
  world.mallory.inject(name, { type: 'data', seq, box: Buffer.concat([ciphertext, tag]).toString('base64') });
  world.note(`Mallory for ${name}`, `Mallory sends a forged chat as ${name}, seq ${seq}`);
  await world.settle(before);
  world.setValue('forge.tag', tag);
  return [
    `keystream = C1 XOR P1 (P1 = ${known.toString('utf8')})  ${hex(keystream)}`,
    `forged P  ${plaintext.toString('utf8')}`,
    `forged C = P XOR keystream  ${hex(ciphertext)}`,
    `forged tag = GHASH_H(A, C) XOR E_K(J0)  ${hex(tag)}`,
    `Mallory sends {"type":"data","seq":${seq},...} to the server on ${name}'s connection`,
  ];
}
