import net from 'node:net';
import { bigintToBytes, bytesToBigint } from '../../crypto/bytes.ts';
import { modPow, type DhGroup } from '../../crypto/groups.ts';
import { DhlabError } from '../../errors.ts';
import { crt, elementOfOrder } from '../../insecure/attacks/small-subgroup.ts';
import { anyGroup } from '../../insecure/toy-groups.ts';
import { aadFor, nonceFor } from '../../protocol/channel.ts';
import { encodeFrame, FrameDecoder, parseFramePayload, type WireFrame } from '../../protocol/frame.ts';
import { deriveSessionKeys, transcriptHash } from '../../protocol/keyschedule.ts';
import type { Action } from '../types.ts';
import { showValue } from '../runtime/run-record.ts';
import type { ActionContext } from './action-context.ts';

/** Frames from one TCP connection, awaited one at a time. */
class FrameReader {
  private readonly frames: WireFrame[] = [];
  private readonly decoder = new FrameDecoder();
  private wake: (() => void) | null = null;
  private ended = false;

  constructor(socket: net.Socket) {
    socket.on('data', (chunk) => {
      for (const payload of this.decoder.push(chunk)) this.frames.push(parseFramePayload(payload));
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  async next(): Promise<WireFrame | null> {
    while (this.frames.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.frames.shift() ?? null;
  }
}

type ProbeResult = { residue: bigint; tried: number; serverPublic: bigint } | { refused: string };

/**
 * One probe: Mallory connects as a client named `name` and sends h (of order r) as her public
 * value. The server computes Z = h^x_s, one of only r values, and seals its welcome with keys from
 * it; the value of j for which Z = h^j opens that welcome is x_s mod r.
 */
async function probe(world: ActionContext, group: DhGroup, name: string, h: bigint, r: bigint): Promise<ProbeResult> {
  const socket = net.connect({ host: '127.0.0.1', port: world.wirePort });
  const reader = new FrameReader(socket);
  try {
    const send = (frame: WireFrame) => {
      const wire = encodeFrame(frame);
      socket.write(wire);
      world.sentToServer(name, frame, wire);
    };
    send({ type: 'hello', version: 1, name });
    const serverKey = await reader.next();
    if (serverKey?.type !== 'server_key') return { refused: refusalOf(serverKey) };
    const clientPublic = bigintToBytes(h, group.byteLength);
    send({ type: 'client_key', y: Buffer.from(clientPublic).toString('hex') });
    const auth = await reader.next();
    if (auth?.type !== 'server_auth') return { refused: refusalOf(auth) };
    const welcome = await reader.next();
    if (welcome?.type !== 'data') return { refused: 'no sealed welcome' };
    const box = Buffer.from(String(welcome.box), 'base64');
    const transcript = transcriptHash(world.engine, {
      name,
      group,
      serverPublic: Buffer.from(String(serverKey.y), 'hex'),
      hostKey: Buffer.from(String(serverKey.host_key), 'hex'),
      clientPublic,
    });
    let z = 1n; // h^0
    for (let j = 0n; j < r; j++) {
      const keys = deriveSessionKeys(world.engine, bigintToBytes(z, group.byteLength), transcript);
      if (world.engine.aesGcmOpen(keys.serverToClient, nonceFor(0), box, aadFor('data', 0)) !== null)
        return { residue: j, tried: Number(j) + 1, serverPublic: BigInt(`0x${String(serverKey.y)}`) };
      z = (z * h) % group.p;
    }
    return { refused: `no Z = h^j opened the welcome (is x_s static, and validation off?)` };
  } finally {
    socket.destroy();
  }
}

/**
 * Lesson 10: small-subgroup probes against a server with a static key and no validation, one per
 * prime factor r of p - 1, then the Chinese remainder theorem. Against a safe-prime group with
 * validation, the only small order is 2 (y = p - 1), and the server refuses it.
 */
export async function smallSubgroup(
  world: ActionContext,
  action: Extract<Action, { kind: 'small_subgroup' }>,
): Promise<string[]> {
  const group = anyGroup(world.scenario.server.group) as DhGroup;
  const lines = [
    `p - 1 = ${showValue(group.p - 1n)}; Mallory probes with elements of order ${action.orders.join(', ')}`,
  ];
  const residues: { residue: bigint; modulus: bigint }[] = [];
  let serverPublic: bigint | null = null;
  for (const r of action.orders) {
    let h: bigint;
    try {
      h = elementOfOrder(group, r);
    } catch (error) {
      throw new DhlabError('ERR_SCENARIO', `${world.scenario.file}: small_subgroup: ${(error as Error).message}`);
    }
    const result = await probe(world, group, `mallory${r}`, h, r);
    // The room hears the probe join and leave; the step is over when everyone has (a step is a state).
    // (Past 10 announcements a second the server holds joins, and a held join that leaves is never
    // announced: lesson 10's four probes and Alice's join stay under that.)
    if (!('refused' in result)) await world.heardLeave(`mallory${r}`);
    if ('refused' in result) {
      lines.push(`order ${r}: Mallory sends y_c = ${showValue(h)}; the server refuses: ${result.refused}`);
      continue;
    }
    residues.push({ residue: result.residue, modulus: r });
    serverPublic = result.serverPublic;
    lines.push(
      `order ${r}: y_c = h = ${showValue(h)}; the welcome opened with Z = h^${result.residue} (${result.tried} keys tried): x_s = ${result.residue} (mod ${r})`,
    );
  }
  if (residues.length === 0) return lines;
  // x_s mod 2 needs no probe when g generates the whole group (g is then not a square): y_s = g^x_s
  // is a square exactly when x_s is even, and Euler's criterion tells squares apart.
  const p = group.p;
  if (
    serverPublic !== null &&
    (p - 1n) % 2n === 0n &&
    !action.orders.includes(2n) &&
    modPow(group.g, (p - 1n) / 2n, p) === p - 1n
  ) {
    const square = modPow(serverPublic, (p - 1n) / 2n, p) === 1n;
    residues.unshift({ residue: square ? 0n : 1n, modulus: 2n });
    lines.push(
      `order 2 needs no probe: y_s^((p-1)/2) mod p = ${square ? 1 : 'p - 1'}, so y_s is ${square ? '' : 'not '}a square and x_s = ${square ? 0 : 1} (mod 2)`,
    );
  }
  const { x, modulus } = crt(residues);
  lines.push(`Chinese remainder theorem: x_s = ${showValue(x)} (mod ${showValue(modulus)})`);
  if (modulus === group.p - 1n) {
    world.setValue(action.as, x);
    const ys = world.value(`eve/${world.scenario.clients[0]?.name}.y_s`);
    lines.push(
      `check: g^x_s mod p = ${showValue(modPow(group.g, x, group.p))}${ys instanceof Uint8Array ? `, the server's y_s on the wire: ${showValue(bytesToBigint(ys))}` : ''}`,
    );
  } else
    lines.push(
      `the residues cover ${showValue(modulus)}, not all of p - 1 = ${showValue(group.p - 1n)}: x_s is not yet determined`,
    );
  return lines;
}

/** What the server said instead of the frame the attack needed: its code and message, or "closed". */
function refusalOf(frame: WireFrame | null): string {
  const text = (value: unknown) =>
    typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return `${frame ? text(frame.code) || 'closed' : 'closed'} ${frame ? text(frame.message) : ''}`.trim();
}
