import { fromHex } from '../../src/crypto/bytes.ts';
import { anyGroup, describeGroup } from '../../src/insecure/toy-groups.ts';
import type { DhGroup } from '../../src/crypto/groups.ts';
import type { WireFrame } from '../../src/protocol/frame.ts';
import type { TapObservation } from '../../src/tap/tap-proxy.ts';
import { safeExcerpt } from '../../src/terminal/safe-text.ts';
import { LIMITS, Perspective, type FrameRow } from './model.ts';
import { valueOf, valueOfBigint } from './values.ts';

const HEX = /^(?:[0-9a-f]{2})+$/;
/** Characters of a hello name Eve shows (PROTOCOL s.6.1 allows 32; a hostile frame can hold 64 KiB). */
const NAME_SHOWN = 32;
const HANDSHAKE_DIRECTION: Record<string, TapObservation['dir']> = {
  hello: 'client->server',
  client_key: 'client->server',
  server_key: 'server->client',
  server_auth: 'server->client',
};
const hexValue = (field: unknown) =>
  typeof field === 'string' && HEX.test(field) ? valueOf(fromHex(field)) : undefined;

/**
 * Eve's perspective: fed only by TapObservations, the bytes on the wire and what they parse to.
 * It has no way to receive a trace event, so it cannot show a secret or a plaintext: sealed
 * frames stay opaque and are marked as such.
 */
export class EvePerspective extends Perspective {
  /** Each connection's name from its hello, cut for display (Eve reads it before any validation). */
  private readonly names = new Map<number, string>();
  /** The group each connection's server_key named, so what Eve is told fits it (toy or RFC 3526). */
  private readonly groups = new Map<string, DhGroup>();
  /** Clients whose keys Eve derived by attack (a scenario's eve_decrypt): her view says so. */
  /** Connections Eve read by attack, and how: with their keys, or by XOR with a known plaintext. */
  private readonly broken = new Map<string, 'keys' | 'xor'>();
  /** Handshake frames already learned from, per connection: one of each, in its own direction. */
  private readonly learned = new Map<string, Set<string>>();

  constructor() {
    super('eve', 'eve');
  }

  private connectionLabel(o: TapObservation): string {
    return `#${o.connection} ${this.names.get(o.connection) ?? '?'}⇄server`;
  }

  /**
   * `opened`: the plaintext a key log gave (`dhlab eve --read --keylog`, the teacher's view of a
   * capture); a live Eve never has one.
   */
  onObservation(o: TapObservation, opened?: string): void {
    const frame = o.frame;
    if (
      frame?.type === 'hello' &&
      o.dir === 'client->server' &&
      typeof frame.name === 'string' &&
      !this.names.has(o.connection)
    ) {
      this.names.set(o.connection, safeExcerpt(frame.name, NAME_SHOWN));
      // Connections Eve no longer shows a ladder for need no name either.
      for (const oldest of this.names.keys()) {
        if (this.names.size <= LIMITS.ladders * 2) break;
        this.names.delete(oldest);
      }
    }
    const connection = this.connectionLabel(o);
    // Every field of a frame is the peer's choice: shown escaped and cut (FrameRow fields are drawn as is).
    const type = frame ? safeExcerpt(frame.type, 40) : 'unreadable';
    const row: FrameRow = {
      dir: o.dir === 'client->server' ? '→' : '←',
      peer: connection,
      type,
      size: o.bytes.length + 4,
      at: Date.now(),
    };
    if (frame?.type === 'data') {
      row.seq = Number(frame.seq);
      if (typeof frame.box === 'string') row.sealed = Uint8Array.from(Buffer.from(frame.box, 'base64'));
      const name = this.names.get(o.connection);
      const how = name === undefined ? undefined : this.broken.get(name);
      const fate =
        how === 'keys'
          ? 'Eve has the keys (the attack): she can open it'
          : how === 'xor'
            ? 'Eve has no key: she reads a frame only by XOR with one whose plaintext she knows, under the same counter'
            : 'Eve cannot open it';
      if (opened !== undefined) {
        row.plaintext = safeExcerpt(opened, 2000);
        this.addChat({ text: `opened with the key log: ${connection} ${row.dir} ${row.plaintext}`, kind: 'secret' });
      } else
        // Named as the frames pane names it: direction, type, #seq, bytes on the wire.
        this.addChat({
          text: `sealed: ${connection} ${row.dir} data #${row.seq} ${row.size} B; ${fate}`,
          kind: 'wire',
        });
    } else if (frame) {
      row.fields = safeExcerpt(publicFields(frame), 200);
      if (this.firstOfItsKind(connection, frame.type, o.dir)) this.learn(connection, frame);
    }
    this.addFrame(row);
  }

  /**
   * A handshake has one hello and one client_key from the client, one server_key and one
   * server_auth from the server: anything more (a hostile peer's repeats) adds nothing to what
   * Eve knows, and must not grow it.
   */
  private firstOfItsKind(connection: string, type: string, dir: TapObservation['dir']): boolean {
    const expected = HANDSHAKE_DIRECTION[type];
    if (expected === undefined || expected !== dir) return false;
    let seen = this.learned.get(connection);
    if (!seen) this.learned.set(connection, (seen = new Set()));
    if (seen.has(type)) return false;
    seen.add(type);
    return true;
  }

  /**
   * Eve recovered a server exponent and opened what she captured of `name`'s connection: from
   * now on her view shows that chat, marked as read by the attack, and her ladder says the keys
   * are no longer out of reach.
   */
  readByAttack(name: string, read: { dir: string; seq: number; text: string }[], how: 'keys' | 'xor' = 'keys'): void {
    this.broken.set(name, how);
    for (const r of read)
      this.addChat({
        text: `read by the attack: ${name} ${r.dir} data #${r.seq}: ${safeExcerpt(r.text, 300)}`,
        kind: 'error',
      });
    for (const [connection, steps] of this.ladders) {
      if (!connection.endsWith(` ${name}⇄server`)) continue;
      for (const step of steps) {
        if (step.label === 'from here on: sealed frames')
          step.note =
            how === 'keys'
              ? 'opened: Eve derived the keys from the exponent she recovered (the attack)'
              : 'sealed under one reused counter: Eve read one by XOR with a plaintext she knew; she has no key';
        if (step.label === 'to read the chat Eve needs x')
          step.note =
            how === 'keys'
              ? 'she has it now (the attack)'
              : 'she still does not: the reused counter let her read without it';
      }
    }
    this.version++;
  }

  protected override forget(connection: string): void {
    this.groups.delete(connection);
    this.learned.delete(connection);
  }

  /** Adds to "what Eve knows" for this connection. */
  private learn(connection: string, frame: WireFrame): void {
    const steps = this.ladder(connection);
    switch (frame.type) {
      case 'hello':
        steps.push({
          label: `name "${safeExcerpt(String(frame.name), NAME_SHOWN)}"`,
          kind: 'wire',
          detail: 'basic',
          note: 'sent in clear in hello',
        });
        break;
      case 'server_key': {
        const group = typeof frame.group === 'string' ? anyGroup(frame.group) : undefined;
        if (group) {
          this.groups.set(connection, group);
          steps.push({
            label: `group ${group.name}`,
            kind: 'public',
            detail: 'basic',
            note: `${group.p.toString(2).length}-bit, public`,
          });
          steps.push({
            label: 'p',
            kind: 'public',
            detail: 'basic',
            value: valueOfBigint(group.p),
            note: describeGroup(group),
          });
          steps.push({ label: 'g', kind: 'public', detail: 'basic', value: valueOfBigint(group.g), note: 'public' });
        }
        steps.push({ label: 'y_s (server public value)', kind: 'wire', detail: 'basic', value: hexValue(frame.y) });
        steps.push({ label: 'host key', kind: 'wire', detail: 'full', value: hexValue(frame.host_key) });
        break;
      }
      case 'client_key': {
        steps.push({ label: 'y_c (client public value)', kind: 'wire', detail: 'basic', value: hexValue(frame.y) });
        steps.push({
          label: 'to read the chat Eve needs x',
          kind: 'error',
          detail: 'basic',
          note: discreteLogNote(this.groups.get(connection)),
        });
        break;
      }
      case 'server_auth': {
        const toy = this.groups.get(connection)?.insecure === true;
        steps.push({
          label: 'signature over H',
          kind: 'wire',
          detail: 'full',
          value: hexValue(frame.signature),
          note: 'public; H is computable from what Eve saw',
        });
        steps.push({
          label: 'from here on: sealed frames',
          kind: 'wire',
          detail: 'basic',
          note: toy
            ? 'sealed under keys Eve derives as soon as she has x (toy group)'
            : 'AES-256-GCM under keys Eve cannot derive',
        });
        break;
      }
      default:
        return;
    }
    this.version++;
  }
}

/**
 * How hard x is to get from y, for the group on this connection. RFC 3526 s.8 puts the 2048-bit
 * group at 110-160 bits of strength against the number field sieve; in a toy group baby-step
 * giant-step needs about sqrt(q) steps (scenario 5 runs it).
 */
function discreteLogNote(group: DhGroup | undefined): string {
  if (group?.insecure) {
    const bits = group.q.toString(2).length;
    return `finding it from y = g^x mod p in ${group.name}: q has ${bits} bits, so baby-step giant-step needs about 2^${Math.ceil(bits / 2)} steps; within reach`;
  }
  const bits = group ? group.p.toString(2).length : 2048;
  return `finding it from y = g^x mod p is a discrete logarithm in a ${bits}-bit group (2^110 work or more by the number field sieve); out of reach`;
}

/** The public fields of a handshake frame, short, for the frames pane. */
function publicFields(frame: WireFrame): string {
  switch (frame.type) {
    case 'hello':
      return `name "${String(frame.name)}" version ${String(frame.version)}`;
    case 'server_key':
      return `group ${String(frame.group)}, y_s, host_key`;
    case 'client_key':
      return 'y_c';
    case 'server_auth':
      return 'signature';
    case 'error':
      return `${String(frame.code)} "${String(frame.message)}" (plaintext)`;
    default:
      return '';
  }
}
