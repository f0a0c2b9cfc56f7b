import { DhlabError } from '../errors.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import type { DhGroup } from '../crypto/groups.ts';
import { encodeFrame, FrameDecoder, parseFramePayload, type WireFrame } from './frame.ts';
import { DirectionalCipher, type RecordCipher } from './channel.ts';
import { validateOuterFrame, type DataFrame, type OuterFrame } from './messages.ts';
import type { RecordLayout, Role, TraceEvent, TraceSink } from './trace.ts';
import type { KeyLogEntry } from './key-log.ts';

export interface SessionOptions {
  engine: CryptoEngine;
  /** Receives trace events; secret ones only when revealSecrets is true. */
  trace?: TraceSink;
  revealSecrets?: boolean;
  /**
   * `--keylog`: called once the direction keys exist, with y_c to name the connection. Only
   * when asked: the entry is every secret a reader of the chat needs.
   */
  keyLog?: (entry: KeyLogEntry) => void;
  /** Fixed private exponent, for test vectors and classroom scenarios only. */
  privateKey?: Uint8Array;
  /** Teaching-only replacements for handshake steps (src/insecure/); never set by default. */
  insecure?: InsecureHooks;
}

/**
 * The handshake steps a scenario may weaken. Each is consulted once per handshake, never per
 * message; the defaults are the secure functions (src/crypto/dh.ts, the RFC 3526 groups).
 */
export interface InsecureHooks {
  /** Draws the private exponent (short exponents, seeded draws). */
  newPrivateKey?(group: DhGroup): Uint8Array;
  /** Replaces public-value validation (checks only the length when validation is off). */
  validatePublicValue?(group: DhGroup, encoded: Uint8Array): bigint;
  /** Set with a validatePublicValue that checks the length alone: the trace must not say "valid". */
  validationOff?: boolean;
  /** Client side: resolves a group name the RFC list does not know (the toy groups). */
  resolveGroup?(name: string): DhGroup | undefined;
  /** Replaces AES-256-GCM for one direction (AES-CBC without a MAC, as the original project). */
  recordCipher?(engine: CryptoEngine, key: Uint8Array): RecordCipher;
  /**
   * Server side: the weakenings, in a word or two each, that `server_key.insecure` announces
   * (docs/PROTOCOL.md s.4.1), so a secure client refuses rather than joins unawares.
   */
  announce?: readonly string[];
  /**
   * Client side: refuses (ERR_INSECURE_SERVER, before any key is agreed) a server whose announced
   * weakenings this client cannot speak, or that lacks one this client's record layer needs.
   */
  checkAnnounced?(weakenings: readonly string[]): void;
}

/** The record layer for a direction key: AES-256-GCM unless a teaching scenario asked otherwise. */
export function recordCipherFor(options: SessionOptions, key: Uint8Array): RecordCipher {
  return options.insecure?.recordCipher?.(options.engine, key) ?? new DirectionalCipher(options.engine, key);
}

export interface SessionIO<E> {
  /** Bytes to write to the peer, in order. */
  send(bytes: Uint8Array): void;
  /** Application-level events (handshake done, messages). */
  event(event: E): void;
  /**
   * Called once when the session is over. error is null for a clean end; remote says the peer
   * reported the error. The I/O layer then closes the transport.
   */
  close(error: DhlabError | null, remote: boolean): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type TraceInput = DistributiveOmit<TraceEvent, 'role'>;
/** What anyone tracing a session may see. */
export type PublicTraceInput = Extract<TraceInput, { secret: false }>;
/** Private exponents, shared secrets, keys, plaintext: only with revealSecrets. */
export type SecretTraceInput = Extract<TraceInput, { secret: true }>;

/** base64(plaintext + 16-byte tag) plus the data frame's JSON must stay within MAX_FRAME_BYTES. */
export const MAX_SEALED_PLAINTEXT_BYTES = 47 * 1024;

export function asDhlabError(error: unknown): DhlabError {
  if (error instanceof DhlabError) return error;
  // Anything else is a bug or an engine failure; never echo its text, it might hold key material.
  return new DhlabError('ERR_BAD_FRAME', 'internal error while processing a frame');
}

/**
 * What client and server sessions share: framing, sealing and opening data frames, tracing and
 * the rule that the first fatal error ends the session for good (cf. ssh2's protocol core).
 * No sockets here: the owner feeds bytes in and writes out what io.send() receives.
 */
export abstract class Session<E> {
  protected abstract readonly role: Role;
  protected sendCipher: RecordCipher | null = null;
  protected receiveCipher: RecordCipher | null = null;
  private readonly decoder = new FrameDecoder();
  private closed = false;
  private parsedFrames = 0;

  protected constructor(
    protected readonly options: SessionOptions,
    protected readonly io: SessionIO<E>,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes of a frame that has started but not finished (0 between frames): drives ERR_FRAME_TIMEOUT. */
  get partialFrameBytes(): number {
    return this.decoder.pendingBytes;
  }

  /** Frames received that were well-formed JSON frames: 0 means the peer never spoke dhlab. */
  get framesReceived(): number {
    return this.parsedFrames;
  }

  /** The record layer, as data and in words, for traces: AES-256-GCM unless a teaching scenario replaced it. */
  protected get recordLayer(): { record: RecordLayout; cipher: string } {
    return this.sendCipher?.layout ?? { record: 'gcm', cipher: 'AES-256-GCM' };
  }

  get isEstablished(): boolean {
    return this.sendCipher !== null && !this.closed;
  }

  /** Feed bytes received from the peer, in any chunking. Once the session is over, nothing is read. */
  feed(chunk: Uint8Array): void {
    try {
      for (const payload of this.decoder.push(chunk)) {
        if (this.closed) return;
        const raw = parseFramePayload(payload);
        this.parsedFrames++;
        this.emit({ kind: 'wire', secret: false, dir: 'recv', bytes: payload, frame: raw });
        const frame = validateOuterFrame(raw);
        if (frame.type === 'error') {
          // Once keys exist only a sealed frame may end the session: a plaintext error could be
          // injected by anyone on the path (docs/PROTOCOL.md s.7).
          if (this.receiveCipher) this.unexpected(frame, 'a sealed data frame');
          this.finish(new DhlabError(frame.code, frame.message), true);
          return;
        }
        this.handleFrame(frame);
      }
    } catch (error) {
      this.fail(asDhlabError(error));
    }
  }

  /** The transport closed (peer hung up or we did). After the session ended this changes nothing. */
  end(): void {
    try {
      this.decoder.end();
    } catch (error) {
      this.finish(asDhlabError(error), false);
      return;
    }
    this.finish(new DhlabError('ERR_CONNECTION', 'connection closed by peer'), true);
  }

  /** Report a fatal error to the peer (sealed once keys exist) and end the session. */
  fail(error: DhlabError): void {
    if (this.closed) return;
    try {
      const notice = { type: 'error', code: error.code, message: error.message };
      if (this.sendCipher) this.sendSealed(notice);
      else this.sendFrame(notice);
    } catch {
      // The notice is best effort; the session ends either way.
    }
    this.finish(error, false);
  }

  /** The transport failed (no connection, a reset): the session ends with `error` and sends nothing. */
  abort(error: DhlabError): void {
    this.finish(error, false);
  }

  /** End the session without error (after a quit or bye has been sent or received). */
  close(): void {
    this.finish(null, false);
  }

  protected abstract handleFrame(frame: Exclude<OuterFrame, { type: 'error' }>): void;

  protected unexpected(frame: { type: string }, expected: string): never {
    throw new DhlabError('ERR_UNEXPECTED_FRAME', `received ${frame.type} instead of ${expected}`);
  }

  protected finish(error: DhlabError | null, remote: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (error) this.emit({ kind: 'error', secret: false, code: error.code, message: error.message, remote });
    this.io.close(error, remote);
  }

  /** A step anyone tracing this session may see (the wire, public values, errors). */
  protected emit(event: PublicTraceInput): void {
    if (this.options.trace) this.options.trace({ ...event, role: this.role });
  }

  /**
   * A step that carries a secret. The only way one leaves a session: built (and its plaintext
   * decoded) only when someone traces with revealSecrets, so by default it costs nothing and
   * cannot leak. The types keep secret events out of emit().
   */
  protected emitSecret(build: () => SecretTraceInput): void {
    if (this.options.trace && this.options.revealSecrets === true) this.options.trace({ ...build(), role: this.role });
  }

  protected sendFrame(frame: WireFrame): void {
    const bytes = encodeFrame(frame);
    this.emit({ kind: 'wire', secret: false, dir: 'send', bytes: bytes.subarray(4), frame });
    this.io.send(bytes);
  }

  protected sendSealed(inner: WireFrame): void {
    this.sealPlaintext(Buffer.from(JSON.stringify(inner), 'utf8'));
  }

  /** Seals an already serialized inner message (the server serializes a broadcast once). */
  protected sealPlaintext(plaintext: Uint8Array): void {
    if (!this.sendCipher) throw new DhlabError('ERR_SESSION_CLOSED', 'no keys yet');
    // Refuse before sealing: a sealed frame that cannot be sent would skip a sequence number.
    if (plaintext.length > MAX_SEALED_PLAINTEXT_BYTES) {
      throw new DhlabError(
        'ERR_FRAME_LENGTH',
        `sealed message of ${plaintext.length} bytes would not fit in one frame`,
      );
    }
    const record = this.sendCipher.seal(plaintext);
    this.emitSecret(() => ({
      kind: 'seal',
      secret: true,
      seq: record.seq,
      nonce: record.nonce,
      aad: record.aad,
      plaintext: Buffer.from(plaintext).toString('utf8'),
      ciphertext: record.sealed,
    }));
    this.sendFrame({ type: 'data', seq: record.seq, box: Buffer.from(record.sealed).toString('base64') });
  }

  protected openData(frame: DataFrame): WireFrame {
    if (!this.receiveCipher) this.unexpected(frame, 'a handshake frame');
    const { record, plaintext } = this.receiveCipher.open(frame.seq, Buffer.from(frame.box, 'base64'));
    const inner = parseFramePayload(plaintext);
    this.emitSecret(() => ({
      kind: 'open',
      secret: true,
      seq: record.seq,
      nonce: record.nonce,
      aad: record.aad,
      plaintext: Buffer.from(plaintext).toString('utf8'),
      ciphertext: record.sealed,
    }));
    return inner;
  }
}
