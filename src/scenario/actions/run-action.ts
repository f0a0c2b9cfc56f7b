import crypto from 'node:crypto';
import { bytesToBigint } from '../../crypto/bytes.ts';
import { modPow, type DhGroup } from '../../crypto/groups.ts';
import { DhlabError } from '../../errors.ts';
import { forgeCbcIv } from '../../insecure/attacks/cbc-bitflip.ts';
import { keysFromServerExponent, openCaptured } from '../../insecure/attacks/eve-derivation.ts';
import {
  babyStepGiantStep,
  estimateSeconds,
  humanDuration,
  orderOfGenerator,
} from '../../insecure/attacks/discrete-log.ts';
import { randomBelow } from '../../insecure/hooks.ts';
import { anyGroup } from '../../insecure/toy-groups.ts';
import { DirectionalCipher } from '../../protocol/channel.ts';
import { aesBlock } from './aes-block.ts';
import { eveXor, forbiddenAttack, forge } from './nonce-reuse.ts';
import { smallSubgroup } from './small-subgroup.ts';
import { naiveRead, sayTogether } from './framing.ts';
import type { Action } from '../types.ts';
import { showValue } from '../runtime/run-record.ts';
import type { ActionContext } from './action-context.ts';

function scenarioError(world: ActionContext, message: string): DhlabError {
  return new DhlabError('ERR_SCENARIO', `${world.scenario.file}: ${message}`);
}

function asBigint(world: ActionContext, name: string): bigint {
  const value = world.value(name);
  if (value === undefined) throw scenarioError(world, `the value ${name} does not exist at this step`);
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') throw scenarioError(world, `${name} is not a number`);
  return bytesToBigint(value);
}

function asBytes(world: ActionContext, name: string): Uint8Array {
  const value = world.value(name);
  if (!(value instanceof Uint8Array))
    throw scenarioError(world, `the value ${name} does not exist at this step (or is not bytes)`);
  return value;
}

function serverGroup(world: ActionContext): DhGroup {
  return anyGroup(world.scenario.server.group) as DhGroup;
}

/**
 * Seconds per BSGS step (one modular multiplication and a table probe) in this group: measured
 * once per run and kept, so every estimate of one lesson uses the same figure (it was measured
 * per action, and two lessons on one machine said 3.8 and 7.02 µs).
 */
function secondsPerStep(world: ActionContext, group: DhGroup): number {
  return world.measuredOnce(`bsgs-step/${group.name}`, () => measureStep(group));
}

function measureStep(group: DhGroup): number {
  const steps = (rounds: number): number => {
    let x = group.g;
    const table = new Map<bigint, number>();
    const started = performance.now();
    for (let i = 0; i < rounds; i++) {
      x = (x * group.g + 1n) % group.p;
      table.set(x, i);
    }
    return (performance.now() - started) / 1000 / rounds;
  };
  steps(2_000); // warm-up: the first thousands of steps include compiling the loop
  return steps(20_000);
}

function discreteLog(world: ActionContext, action: Extract<Action, { kind: 'discrete_log' }>): string[] {
  const group = serverGroup(world);
  const y = asBigint(world, action.of);
  // Without a bound the search covers every exponent that matters: x modulo the order of g (q in
  // the RFC and toy groups; 2q in textbook23, where g = 5 generates the whole group).
  const order = orderOfGenerator(group);
  const bound = action.boundBits === undefined ? order : 1n << BigInt(action.boundBits);
  const boundText =
    action.boundBits === undefined
      ? order === group.q
        ? `q = ${showValue(group.q)}, the order of g`
        : `${showValue(order)}, the order of g`
      : `2^${action.boundBits}`;
  const result = babyStepGiantStep(group.g, y, group.p, bound);
  const lines = [
    `baby-step giant-step for ${action.of} = g^x mod p, x below ${boundText}: ${result.tableSize} table entries, ${result.steps} steps, ${result.ms.toFixed(0)} ms`,
  ];
  if (result.x !== null) {
    world.setValue(action.as, result.x);
    lines.push(
      `found ${action.as} = ${showValue(result.x)}; check: g^x mod p = ${showValue(modPow(group.g, result.x, group.p))}`,
    );
  } else {
    const perStep = secondsPerStep(world, group);
    const bits = group.insecure ? group.q.toString(2).length : 256;
    lines.push(`no x below ${boundText}: the exponent is larger than the search covered`);
    lines.push(
      `the same search over all ${bits}-bit exponents: about 2^${bits / 2 + 1} steps and a 2^${bits / 2}-entry table, ${humanDuration(estimateSeconds(bits, perStep))} at ${(perStep * 1e6).toFixed(2)} µs per step (measured once on this machine for this run)`,
    );
  }
  return lines;
}

/** Eve with the server's exponent: Z from the client's public value, then keys from the public transcript. */
function eveDecrypt(world: ActionContext, action: Extract<Action, { kind: 'eve_decrypt' }>): string[] {
  const name = action.connection;
  const seen = {
    name,
    group: serverGroup(world),
    serverPublic: asBytes(world, `eve/${name}.y_s`),
    hostKey: asBytes(world, `eve/${name}.host_key`),
    clientPublic: asBytes(world, `eve/${name}.y_c`),
  };
  const { sharedSecret: z, keys } = keysFromServerExponent(world.engine, asBigint(world, action.exponent), seen);
  world.setValue(`eve/${name}.Z`, z);
  world.setValue(`eve/${name}.K`, keys.hashedSecret);
  const lines = [
    `Eve computes Z = y_c^x mod p = ${showValue(z, false, 'Z')}, K = SHA-256(Z) = ${showValue(keys.hashedSecret)}, and both HKDF keys from the transcript she saw`,
  ];
  const captured = world
    .observationsOf(name)
    .flatMap((o) =>
      o.frame?.type === 'data'
        ? [{ dir: o.dir, seq: Number(o.frame.seq), sealed: Buffer.from(String(o.frame.box), 'base64') }]
        : [],
    );
  const read: { dir: string; seq: number; text: string }[] = [];
  for (const frame of openCaptured(world.engine, keys, captured)) {
    if (frame.text === null) {
      lines.push(`  Eve cannot open ${frame.dir} seq ${frame.seq}`);
      continue;
    }
    read.push({ dir: frame.dir, seq: frame.seq, text: frame.text });
    lines.push(`  Eve reads ${frame.dir} seq ${frame.seq}: ${frame.text}`);
  }
  world.reportEveDecrypted(name, read);
  return lines;
}

function cost(world: ActionContext, groups: string[]): string[] {
  const lines: string[] = [];
  for (const name of groups) {
    const group = anyGroup(name) as DhGroup;
    const qBits = group.q.toString(2).length;
    if (qBits <= 34) {
      const x = randomBelow(world.engine, 2n, group.q);
      const result = babyStepGiantStep(group.g, modPow(group.g, x, group.p), group.p, group.q);
      lines.push(
        `${name}: q has ${qBits} bits; BSGS recovered x = ${showValue(result.x ?? -1n)} (was ${showValue(x)}) in ${result.steps} steps, ${result.ms.toFixed(1)} ms`,
      );
      world.setValue(`cost.${name}.x`, result.x ?? 0n);
      world.setValue(`cost.${name}.secret`, x);
    } else {
      const perStep = secondsPerStep(world, group);
      const bits = group.insecure ? qBits : 256;
      const what = group.insecure ? `q has ${qBits} bits` : `q has ${qBits} bits, dhlab's exponents 256`;
      const gib = (2 ** (bits / 2) * (group.byteLength + 48)) / 2 ** 30;
      lines.push(
        `${name}: ${what}; BSGS needs 2^${bits / 2} table entries (~${gib < 1e6 ? gib.toPrecision(2) : gib.toExponential(1)} GiB) and ~${humanDuration(estimateSeconds(bits, perStep))} (${(perStep * 1e6).toFixed(2)} µs per step, measured once on this machine for this run)`,
      );
    }
  }
  lines.push(
    '(the best attack on the 2048-bit group is the number field sieve, not BSGS: about 2^112 work, NIST SP 800-57 table 2)',
  );
  return lines;
}

/** AES-256-CBC with no MAC, as the original project: flipping IV bits flips the same plaintext bits. */
function cbcBitflip(world: ActionContext, action: Extract<Action, { kind: 'cbc_bitflip' }>): string[] {
  const key = asBytes(world, action.key);
  const at = action.text.indexOf(action.from);
  if (at < 0 || action.from.length !== action.to.length || at + action.from.length > 16) {
    throw scenarioError(
      world,
      `cbc_bitflip: "${action.from}" must occur in the first block of "${action.text}" and be as long as "${action.to}"`,
    );
  }
  const iv = Buffer.from(world.engine.randomBytes(16));
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(action.text, 'utf8'), cipher.final()]);
  const from = Buffer.from(action.from, 'utf8');
  const forged = Buffer.from(forgeCbcIv(iv, at, from, Buffer.from(action.to, 'utf8')));
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, forged);
  const tampered = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  world.setValue('cbc.iv', Uint8Array.from(iv));
  world.setValue('cbc.forged_iv', Uint8Array.from(forged));
  world.setValue('cbc.tampered', tampered);

  // The same experiment against AES-256-GCM: every single-bit flip of ciphertext or tag is refused.
  const gcm = new DirectionalCipher(world.engine, key).seal(Buffer.from(action.text, 'utf8'));
  let accepted = 0;
  for (let bit = 0; bit < gcm.sealed.length * 8; bit++) {
    const flipped = Uint8Array.from(gcm.sealed);
    flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (0x80 >> (bit & 7));
    if (world.engine.aesGcmOpen(key, gcm.nonce, flipped, gcm.aad) !== null) accepted++;
  }
  world.setValue('gcm.flips_tried', BigInt(gcm.sealed.length * 8));
  world.setValue('gcm.flips_accepted', BigInt(accepted));
  return [
    `CBC: IV ${iv.toString('hex')}, ciphertext ${ciphertext.toString('hex')} ("${action.text}", key ${action.key})`,
    `Mallory XORs IV bytes ${at}..${at + from.length - 1} with "${action.from}" XOR "${action.to}": IV ${forged.toString('hex')}`,
    `the receiver decrypts "${tampered}" and has no way to notice`,
    `GCM: ${gcm.sealed.length * 8} single-bit flips of ciphertext and tag tried, ${accepted} accepted`,
  ];
}

/** Runs one step's action against the world; returns the transcript lines it produced. */
export async function runAction(world: ActionContext, action: Action): Promise<string[]> {
  switch (action.kind) {
    case 'none':
      return [];
    case 'connect': {
      const before = world.mark();
      const error = await world.connect(action.name);
      // Joined: the others hear of it. Refused: the error is the answer.
      if (error === null) await world.settle(before);
      return [
        error ? `${action.name} could not join: ${error.code}: ${error.message}` : `${action.name} joined the room`,
      ];
    }
    case 'leave': {
      const client = world.clients.get(action.name);
      if (!client || client.closed) return [`${action.name} is not connected`];
      const before = world.mark();
      before.events.delete(action.name);
      await client.quit();
      await world.settle(before);
      return [`${action.name} left`];
    }
    case 'say': {
      const client = world.clients.get(action.from);
      if (!client || client.closed) return [`${action.from} is not connected: nothing sent`];
      const before = world.mark();
      try {
        client.say(action.text);
      } catch (error) {
        if (!(error instanceof DhlabError)) throw error;
        return [`${action.from} could not send: ${error.code}: ${error.message}`];
      }
      await world.settle(before);
      return [`${action.from} says "${action.text}"`];
    }
    case 'discrete_log':
      return discreteLog(world, action);
    case 'eve_decrypt':
      return eveDecrypt(world, action);
    case 'cost':
      return cost(world, action.groups);
    case 'flip':
      if (!world.mallory) throw scenarioError(world, 'flip needs Mallory (actors.mallory)');
      world.mallory.tamperNext(action.connection, action.offset, action.xor);
      return [`Mallory will flip ${action.what} of the next frame ${action.connection} sends`];
    case 'replay': {
      if (!world.mallory) throw scenarioError(world, 'replay needs Mallory (actors.mallory)');
      const before = world.mark();
      const { seq, sentAs } = world.mallory.replayLast(action.connection, action.rewriteSeq);
      await world.settle(before);
      return [
        sentAs === seq
          ? `Mallory sends ${action.connection}'s data frame seq ${seq} to the server again, as it was`
          : `Mallory sends ${action.connection}'s data frame seq ${seq} to the server again, its seq field rewritten to ${sentAs} (the number the server expects)`,
      ];
    }
    case 'cbc_bitflip':
      return cbcBitflip(world, action);
    case 'aes_block':
      return aesBlock(world, action);
    case 'small_subgroup':
      return smallSubgroup(world, action);
    case 'naive_read':
      return naiveRead(world, action);
    case 'say_together':
      return sayTogether(world, action);
    case 'eve_xor':
      return eveXor(world, action);
    case 'forbidden_attack':
      return forbiddenAttack(world, action);
    case 'forge':
      return forge(world, action);
    case 'restart':
      throw scenarioError(world, 'restart is run by the scenario runner');
  }
}
