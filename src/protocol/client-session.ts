import { DhlabError } from '../errors.ts';
import { fromHex, toHex } from '../crypto/bytes.ts';
import { generatePrivateKey, validatePublicKey } from '../crypto/dh.ts';
import { GROUPS, isGroupName, type DhGroup } from '../crypto/groups.ts';
import { fingerprint } from './identity.ts';
import { deriveSessionKeys, transcriptHash } from './keyschedule.ts';
import {
  PROTOCOL_VERSION,
  validateServerEvents,
  type ClientRequest,
  type OuterFrame,
  type ServerAuthFrame,
  type ServerEvent,
  type ServerKeyFrame,
} from './messages.ts';
import { recordCipherFor, Session, type SessionIO, type SessionOptions } from './session.ts';

export interface ClientSessionOptions extends SessionOptions {
  name: string;
  /**
   * Called with the server's host key before our key is sent; throws ERR_HOST_KEY_CHANGED when a
   * different key is pinned for this server. Pin a new key only after `established`, once the
   * signature has proved the server holds it.
   */
  checkHostKey?(hostKey: Uint8Array, fingerprint: string): void;
  /**
   * The exponent picked after y_s is seen: the server exercise's grader forces a Z whose first
   * byte is 0 (s.4.3), which only the side that speaks second can do.
   */
  choosePrivateKey?(group: DhGroup, serverPublic: Uint8Array): Uint8Array;
}

export type ClientSessionEvent =
  { type: 'established'; hostKey: Uint8Array; fingerprint: string } | { type: 'server'; event: ServerEvent };

type State =
  | { step: 'idle' }
  | { step: 'await_server_key' }
  | {
      step: 'await_server_auth';
      hostKey: Uint8Array;
      fingerprint: string;
      transcript: Uint8Array;
      keys: ReturnType<typeof deriveSessionKeys>;
    }
  | { step: 'established' };

/** The client's half of docs/PROTOCOL.md s.4. Call start() once the transport is open. */
export class ClientSession extends Session<ClientSessionEvent> {
  protected readonly role = 'client' as const;
  private state: State = { step: 'idle' };

  constructor(
    protected override readonly options: ClientSessionOptions,
    io: SessionIO<ClientSessionEvent>,
  ) {
    super(options, io);
  }

  start(): void {
    if (this.state.step !== 'idle') return;
    this.state = { step: 'await_server_key' };
    this.sendFrame({ type: 'hello', version: PROTOCOL_VERSION, name: this.options.name });
  }

  send(request: ClientRequest): void {
    if (!this.isEstablished) throw new DhlabError('ERR_SESSION_CLOSED', 'session is not established');
    this.sendSealed(request);
  }

  protected handleFrame(frame: Exclude<OuterFrame, { type: 'error' }>): void {
    switch (this.state.step) {
      case 'idle':
      case 'await_server_key':
        if (frame.type !== 'server_key') this.unexpected(frame, 'server_key');
        this.onServerKey(frame);
        return;
      case 'await_server_auth':
        if (frame.type !== 'server_auth') this.unexpected(frame, 'server_auth');
        this.onServerAuth(frame, this.state);
        return;
      case 'established': {
        if (frame.type !== 'data') this.unexpected(frame, 'data');
        for (const event of validateServerEvents(this.openData(frame))) {
          if (this.isClosed) return;
          this.io.event({ type: 'server', event });
          if (event.type === 'bye')
            this.finish(event.code === 'OK' ? null : new DhlabError(event.code, event.reason), true);
          else if (event.type === 'error') this.finish(new DhlabError(event.code, event.message), true);
        }
        return;
      }
    }
  }

  /**
   * The group server_key names, after its announcement is checked.
   * @throws DhlabError ERR_INSECURE_SERVER, ERR_BAD_GROUP
   */
  private groupOf(frame: ServerKeyFrame): DhGroup {
    // An honest teaching server says it is weak; a client started without any --insecure-...
    // flag does not join one unawares (a lying server can stay silent: this is a label, not a defence).
    if (frame.insecure && !this.options.insecure) {
      throw new DhlabError(
        'ERR_INSECURE_SERVER',
        `the server announces teaching-only weakenings (${frame.insecure.join(', ')}); join it only with the matching --insecure-... flags`,
      );
    }
    if (frame.insecure) this.emit({ kind: 'announced', secret: false, weakenings: frame.insecure });
    this.options.insecure?.checkAnnounced?.(frame.insecure ?? []);
    const group = isGroupName(frame.group) ? GROUPS[frame.group] : this.options.insecure?.resolveGroup?.(frame.group);
    if (!group)
      throw new DhlabError(
        'ERR_BAD_GROUP',
        `unknown group "${frame.group}" (this client accepts modp14, modp15 and modp16)`,
      );
    return group;
  }

  private onServerKey(frame: ServerKeyFrame): void {
    const { engine } = this.options;
    const group = this.groupOf(frame);
    const hostKey = fromHex(frame.host_key); // 32 bytes: validateOuterFrame checked its length
    const hostFingerprint = fingerprint(engine, hostKey);
    const serverPublic = fromHex(frame.y);
    this.emit({ kind: 'group', secret: false, group: group.name, p: group.p, g: group.g });
    this.emit({ kind: 'public_key', secret: false, owner: 'server', y: serverPublic });
    (this.options.insecure?.validatePublicValue ?? validatePublicKey)(group, serverPublic);
    const checked = this.options.insecure?.validationOff ? 'length only' : 'range and subgroup';
    this.emit({ kind: 'public_key_valid', secret: false, owner: 'server', y: serverPublic, checked });
    this.options.checkHostKey?.(hostKey, hostFingerprint);

    const privateKey =
      this.options.privateKey ??
      this.options.choosePrivateKey?.(group, serverPublic) ??
      this.options.insecure?.newPrivateKey?.(group) ??
      generatePrivateKey(engine);
    const clientPublic = engine.dhPublic(group, privateKey);
    this.emitSecret(() => ({ kind: 'private_key', secret: true, x: privateKey }));
    this.emit({ kind: 'public_key', secret: false, owner: 'client', y: clientPublic });
    const sharedSecret = engine.dhShared(group, privateKey, serverPublic);
    const transcript = transcriptHash(engine, { name: this.options.name, group, serverPublic, hostKey, clientPublic });
    const keys = deriveSessionKeys(engine, sharedSecret, transcript);
    this.options.keyLog?.({ clientPublic, clientToServer: keys.clientToServer, serverToClient: keys.serverToClient });
    this.emitSecret(() => ({ kind: 'shared_secret', secret: true, z: sharedSecret }));
    this.emitSecret(() => ({ kind: 'hashed_secret', secret: true, k: keys.hashedSecret }));
    this.emit({ kind: 'transcript', secret: false, h: transcript });
    this.emitSecret(() => ({
      kind: 'session_keys',
      secret: true,
      clientToServer: keys.clientToServer,
      serverToClient: keys.serverToClient,
    }));
    this.state = { step: 'await_server_auth', hostKey, fingerprint: hostFingerprint, transcript, keys };
    this.sendFrame({ type: 'client_key', y: toHex(clientPublic) });
  }

  private onServerAuth(frame: ServerAuthFrame, state: Extract<State, { step: 'await_server_auth' }>): void {
    const { engine } = this.options;
    const signature = fromHex(frame.signature);
    const verified = engine.ed25519Verify(state.hostKey, state.transcript, signature);
    this.emit({
      kind: 'host_signature',
      secret: false,
      hostKey: state.hostKey,
      fingerprint: state.fingerprint,
      signature,
      verified,
    });
    if (!verified)
      throw new DhlabError(
        'ERR_BAD_SIGNATURE',
        `the server's signature over the transcript does not verify for host key ${state.fingerprint}`,
      );
    this.sendCipher = recordCipherFor(this.options, state.keys.clientToServer);
    this.receiveCipher = recordCipherFor(this.options, state.keys.serverToClient);
    this.state = { step: 'established' };
    this.emit({ kind: 'established', secret: false, name: this.options.name, ...this.recordLayer });
    this.io.event({ type: 'established', hostKey: state.hostKey, fingerprint: state.fingerprint });
  }
}
