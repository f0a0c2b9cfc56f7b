import { bigintToBytes, fromHex, toHex } from '../../crypto/bytes.ts';
import type { DhGroup } from '../../crypto/groups.ts';
import { DirectionalCipher } from '../../protocol/channel.ts';
import { encodeFrame, FrameDecoder, parseFramePayload, type WireFrame } from '../../protocol/frame.ts';
import { deriveSessionKeys, transcriptHash } from '../../protocol/keyschedule.ts';
import { anyGroup } from '../toy-groups.ts';
import { applyRewrites, type Interceptor, type Link, type MalloryOptions } from './interceptor.ts';

/**
 * One end's candidate keys, one per value Z may take (F = p-1 gives Z = 1 or p-1 by the parity
 * of that end's exponent). The first frame that end sends tells her which one it uses; until
 * then she seals for it with her first guess (right half the time for p-1).
 */
interface EndKeys {
  c2s: DirectionalCipher[];
  s2c: DirectionalCipher[];
  known: number | null;
}

/**
 * Key fixing (Cryptopals set 5 challenge 34, adapted): Mallory replaces both public values by
 * F = 1, p-1 or p. Without validation both sides then compute Z = F^x mod p, which is 1 or 0 (or
 * p-1 for an odd x) whatever x is: she knows Z without doing any DH. The transcript is signed, so
 * she also signs the client's transcript with her own host key: the attack needs the host-key
 * check off too, and fails at once when either side validates the public value.
 */
export class FixKeyInterceptor implements Interceptor {
  private readonly up = new FrameDecoder();
  private readonly down = new FrameDecoder();
  private name = '';
  private group: DhGroup | null = null;
  private serverPublic = new Uint8Array();
  private serverHostKey = new Uint8Array();
  private clientPublic = new Uint8Array();
  private clientEnd: EndKeys | null = null;
  private serverEnd: EndKeys | null = null;

  constructor(
    private readonly link: Link,
    private readonly options: MalloryOptions,
  ) {}

  private fixed(group: DhGroup): bigint {
    const choice = this.options.fixedValue ?? 'p';
    return choice === 'one' ? 1n : choice === 'p-1' ? group.p - 1n : group.p;
  }

  /** The values Z can take for y = F, whatever the victim's exponent. */
  private candidates(group: DhGroup): bigint[] {
    const f = this.fixed(group);
    return f === group.p - 1n ? [1n, group.p - 1n] : [f % group.p];
  }

  fromClient(chunk: Uint8Array): void {
    for (const payload of this.up.push(chunk)) {
      let frame = parseFramePayload(payload);
      if (frame.type === 'hello') this.name = this.link.label = String(frame.name);
      if (frame.type === 'client_key' && this.group) {
        this.clientPublic = Uint8Array.from(fromHex(String(frame.y)));
        frame = { ...frame, y: toHex(bigintToBytes(this.fixed(this.group), this.group.byteLength)) };
      }
      if (frame.type === 'data' && this.clientEnd && this.serverEnd)
        frame = this.cross(frame, this.clientEnd, this.serverEnd, 'client->server');
      this.link.toServer(encodeFrame(frame));
    }
  }

  fromServer(chunk: Uint8Array): void {
    for (const payload of this.down.push(chunk)) {
      let frame = parseFramePayload(payload);
      if (frame.type === 'server_key') {
        const group = anyGroup(String(frame.group));
        if (!group) throw new Error(`unknown group ${String(frame.group)}`);
        this.group = group;
        this.serverPublic = Uint8Array.from(fromHex(String(frame.y)));
        this.serverHostKey = Uint8Array.from(fromHex(String(frame.host_key)));
        frame = {
          ...frame,
          y: toHex(bigintToBytes(this.fixed(group), group.byteLength)),
          host_key: toHex(this.options.identity.publicKey),
        };
        this.options.onEvent({
          kind: 'note',
          connection: this.link.label,
          text: `replaced both public values by ${this.options.fixedValue ?? 'p'}`,
        });
      } else if (frame.type === 'server_auth' && this.group) {
        frame = { ...frame, signature: toHex(this.keyBothSides(this.group)) };
      } else if (frame.type === 'data' && this.clientEnd && this.serverEnd)
        frame = this.cross(frame, this.serverEnd, this.clientEnd, 'server->client');
      this.link.toClient(encodeFrame(frame));
    }
  }

  /** Derives both sides' keys from the fixed Z and signs the client's transcript as the "server". */
  private keyBothSides(group: DhGroup): Uint8Array {
    const { engine, identity } = this.options;
    const fixed = bigintToBytes(this.fixed(group), group.byteLength);
    const clientH = transcriptHash(engine, {
      name: this.name,
      group,
      serverPublic: fixed,
      hostKey: identity.publicKey,
      clientPublic: this.clientPublic,
    });
    const serverH = transcriptHash(engine, {
      name: this.name,
      group,
      serverPublic: this.serverPublic,
      hostKey: this.serverHostKey,
      clientPublic: fixed,
    });
    const end = (h: Uint8Array): EndKeys => {
      const keys = this.candidates(group).map((z) => deriveSessionKeys(engine, bigintToBytes(z, group.byteLength), h));
      return {
        c2s: keys.map((k) => new DirectionalCipher(engine, k.clientToServer)),
        s2c: keys.map((k) => new DirectionalCipher(engine, k.serverToClient)),
        known: keys.length === 1 ? 0 : null,
      };
    };
    this.clientEnd = end(clientH);
    this.serverEnd = end(serverH);
    return engine.ed25519Sign(identity.seed, clientH);
  }

  /** Opens a data frame with the sender's key, reads (and maybe rewrites) it, seals it for the receiver. */
  private cross(
    frame: WireFrame,
    sender: EndKeys,
    receiver: EndKeys,
    dir: 'client->server' | 'server->client',
  ): WireFrame {
    const key = dir === 'client->server' ? 'c2s' : 's2c';
    const box = Buffer.from(String(frame.box), 'base64');
    const attempt = (cipher: DirectionalCipher) => {
      try {
        return cipher.open(Number(frame.seq), box).plaintext;
      } catch {
        return null;
      }
    };
    let plaintext: Uint8Array | null = null;
    for (const [index, cipher] of sender[key].entries()) {
      if (sender.known !== null && sender.known !== index) continue;
      plaintext = attempt(cipher);
      if (plaintext) {
        sender.known = index;
        break;
      }
    }
    if (!plaintext) throw new Error('cannot open a data frame with the fixed key');
    let text = Buffer.from(plaintext).toString('utf8');
    const inner = JSON.parse(text) as { type: string; text?: string; from?: string };
    if (inner.type === 'chat' && typeof inner.text === 'string') {
      this.options.onEvent({ kind: 'read', connection: this.link.label, dir, text: inner.text });
      const rewritten = applyRewrites(inner.text, this.options.rewrites);
      if (rewritten !== inner.text) {
        this.options.onEvent({ kind: 'rewrote', connection: this.link.label, from: inner.text, to: rewritten });
        text = JSON.stringify({ ...inner, text: rewritten });
      }
    } else if (inner.type === 'message')
      this.options.onEvent({ kind: 'read', connection: this.link.label, dir, text: `<${inner.from}> ${inner.text}` });
    // Every candidate seals, so all counters stay in step; the one sent is the known or first guess.
    const sealed = receiver[key].map((cipher) => cipher.seal(Buffer.from(text, 'utf8')));
    const record = sealed[receiver.known ?? 0] as ReturnType<DirectionalCipher['seal']>;
    return { type: 'data', seq: record.seq, box: Buffer.from(record.sealed).toString('base64') };
  }
}
