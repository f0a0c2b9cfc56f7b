import { DhlabError } from '../errors.ts';
import { fromHex, toHex } from '../crypto/bytes.ts';
import { generatePrivateKey, validatePublicKey } from '../crypto/dh.ts';
import type { DhGroup } from '../crypto/groups.ts';
import type { HostIdentity } from './identity.ts';
import { deriveSessionKeys, transcriptHash } from './keyschedule.ts';
import {
  PROTOCOL_VERSION,
  validateClientRequest,
  type ClientKeyFrame,
  type ClientRequest,
  type HelloFrame,
  type OuterFrame,
  type ServerEvent,
} from './messages.ts';
import { recordCipherFor, Session, type SessionIO, type SessionOptions } from './session.ts';

export interface ServerSessionOptions extends SessionOptions {
  group: DhGroup;
  host: HostIdentity;
  /** Accepts or rejects a name (throws ERR_BAD_NAME / ERR_NAME_TAKEN); the room reserves it. */
  admitName(name: string): void;
}

export type ServerSessionEvent =
  { type: 'hello'; name: string } | { type: 'established'; name: string } | { type: 'request'; request: ClientRequest };

/** Keeps a sealed batch (base64 grows it by 4/3) well inside the 64 KiB frame limit. */
const MAX_BATCH_BYTES = 32 * 1024;
const BATCH_HEAD = Buffer.from('{"type":"batch","events":[');
const BATCH_TAIL = Buffer.from(']}');
const COMMA = Buffer.from(',');

function batchOf(events: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [BATCH_HEAD];
  events.forEach((event, i) => parts.push(...(i > 0 ? [COMMA, event] : [event])));
  parts.push(BATCH_TAIL);
  return Buffer.concat(parts);
}

type State =
  | { step: 'await_hello' }
  | { step: 'await_client_key'; name: string; privateKey: Uint8Array; serverPublic: Uint8Array }
  | { step: 'established'; name: string };

/**
 * The server's half of docs/PROTOCOL.md s.4:
 *   hello -> server_key -> client_key -> server_auth -> sealed data both ways.
 */
export class ServerSession extends Session<ServerSessionEvent> {
  protected readonly role = 'server' as const;
  private state: State = { step: 'await_hello' };

  constructor(
    protected override readonly options: ServerSessionOptions,
    io: SessionIO<ServerSessionEvent>,
  ) {
    super(options, io);
  }

  get name(): string | null {
    return this.state.step === 'await_hello' ? null : this.state.name;
  }

  /** Seal an event for this client. */
  send(event: ServerEvent): void {
    if (this.isClosed) return;
    this.sendSealed(event);
  }

  /**
   * Seal UTF-8 JSON events, several to a data frame (docs/PROTOCOL.md s.5.1): one AES-GCM
   * operation and one write per recipient however many messages arrived in the same turn.
   */
  sendSerialized(events: readonly Uint8Array[]): void {
    for (let start = 0; start < events.length && !this.isClosed;) {
      let end = start + 1;
      let size = (events[start] as Uint8Array).length;
      while (end < events.length && size + (events[end] as Uint8Array).length + 1 <= MAX_BATCH_BYTES)
        size += (events[end++] as Uint8Array).length + 1;
      this.sealPlaintext(end - start === 1 ? (events[start] as Uint8Array) : batchOf(events.slice(start, end)));
      start = end;
    }
  }

  protected handleFrame(frame: Exclude<OuterFrame, { type: 'error' }>): void {
    switch (this.state.step) {
      case 'await_hello':
        if (frame.type !== 'hello') this.unexpected(frame, 'hello');
        this.onHello(frame);
        return;
      case 'await_client_key':
        if (frame.type !== 'client_key') this.unexpected(frame, 'client_key');
        this.onClientKey(frame, this.state);
        return;
      case 'established': {
        if (frame.type !== 'data') this.unexpected(frame, 'data');
        const request = validateClientRequest(this.openData(frame));
        // The client's own sealed report of why it leaves: authentic, so it ends the session.
        if (request.type === 'error') this.finish(new DhlabError(request.code, request.message), true);
        else this.io.event({ type: 'request', request });
        return;
      }
    }
  }

  private onHello(frame: HelloFrame): void {
    if (frame.version !== PROTOCOL_VERSION) {
      throw new DhlabError(
        'ERR_VERSION',
        `protocol version ${frame.version} is not supported (this server speaks ${PROTOCOL_VERSION})`,
      );
    }
    this.options.admitName(frame.name);
    this.io.event({ type: 'hello', name: frame.name });
    const { engine, group, host } = this.options;
    // A fresh ephemeral key per connection: forward secrecy between clients and sessions.
    const privateKey =
      this.options.privateKey ?? this.options.insecure?.newPrivateKey?.(group) ?? generatePrivateKey(engine);
    const serverPublic = engine.dhPublic(group, privateKey);
    this.emit({ kind: 'group', secret: false, group: group.name, p: group.p, g: group.g });
    this.emitSecret(() => ({ kind: 'private_key', secret: true, x: privateKey }));
    this.emit({ kind: 'public_key', secret: false, owner: 'server', y: serverPublic });
    this.state = { step: 'await_client_key', name: frame.name, privateKey, serverPublic };
    const announced = this.options.insecure?.announce ?? [];
    this.sendFrame({
      type: 'server_key',
      group: group.name,
      y: toHex(serverPublic),
      host_key: toHex(host.publicKey),
      ...(announced.length > 0 ? { insecure: [...announced] } : {}),
    });
  }

  private onClientKey(frame: ClientKeyFrame, state: Extract<State, { step: 'await_client_key' }>): void {
    const { engine, group, host } = this.options;
    const clientPublic = fromHex(frame.y);
    this.emit({ kind: 'public_key', secret: false, owner: 'client', y: clientPublic });
    (this.options.insecure?.validatePublicValue ?? validatePublicKey)(group, clientPublic);
    const checked = this.options.insecure?.validationOff ? 'length only' : 'range and subgroup';
    this.emit({ kind: 'public_key_valid', secret: false, owner: 'client', y: clientPublic, checked });

    const sharedSecret = engine.dhShared(group, state.privateKey, clientPublic);
    const transcript = transcriptHash(engine, {
      name: state.name,
      group,
      serverPublic: state.serverPublic,
      hostKey: host.publicKey,
      clientPublic,
    });
    const keys = deriveSessionKeys(engine, sharedSecret, transcript);
    this.options.keyLog?.({ clientPublic, clientToServer: keys.clientToServer, serverToClient: keys.serverToClient });
    const signature = engine.ed25519Sign(host.seed, transcript);
    this.emitSecret(() => ({ kind: 'shared_secret', secret: true, z: sharedSecret }));
    this.emitSecret(() => ({ kind: 'hashed_secret', secret: true, k: keys.hashedSecret }));
    this.emit({ kind: 'transcript', secret: false, h: transcript });
    this.emitSecret(() => ({
      kind: 'session_keys',
      secret: true,
      clientToServer: keys.clientToServer,
      serverToClient: keys.serverToClient,
    }));
    this.emit({
      kind: 'host_signature',
      secret: false,
      hostKey: host.publicKey,
      fingerprint: host.fingerprint,
      signature,
      verified: true,
    });

    this.sendCipher = recordCipherFor(this.options, keys.serverToClient);
    this.receiveCipher = recordCipherFor(this.options, keys.clientToServer);
    this.state = { step: 'established', name: state.name };
    this.sendFrame({ type: 'server_auth', signature: toHex(signature) });
    this.emit({ kind: 'established', secret: false, name: state.name, ...this.recordLayer });
    this.io.event({ type: 'established', name: state.name });
  }
}
