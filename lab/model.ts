import type { ServerEvent } from '../src/protocol/messages.ts';
import type { TraceEvent } from '../src/protocol/trace.ts';
import { ladderSteps, updateHandContext, type HandContext, type LadderStep } from './ladder.ts';
import { Ring } from './ring.ts';
import type { ValueKind } from './values.ts';

/** The frames pane keeps this many rows per perspective: a flood cannot grow the lab without bound. */
const FRAME_CAPACITY = 10_000;
const CHAT_CAPACITY = 2_000;

/** One frame as a row of the frames pane. */
export interface FrameRow {
  /** Sent by this side (→) or received (←); for Eve, client to server (→) or back (←). */
  dir: '→' | '←';
  /** The other end: "server", a client's name, or for Eve "alice⇄server". */
  peer: string;
  type: string;
  /** Bytes on the wire, the 4-byte length prefix included. */
  size: number;
  seq?: number;
  /** Only in the trace perspectives of the two ends, never in Eve's. */
  plaintext?: string;
  nonce?: Uint8Array;
  aad?: Uint8Array;
  /** The sealed record: ciphertext + 16-byte GCM tag, or with `layout: 'cbc'` IV + ciphertext. */
  sealed?: Uint8Array;
  /** How `sealed` is laid out: GCM unless the session said a lesson swapped in CBC. */
  layout?: RecordLayout;
  /** Public fields of a handshake frame, as Eve or anyone on the path reads them. */
  fields?: string;
  at: number;
}

export type RecordLayout = 'gcm' | 'cbc';

export interface ChatLine {
  text: string;
  kind: ValueKind;
}

export type PerspectiveKind = 'client' | 'server' | 'eve';

/** What one perspective has seen: the data a view renders, and nothing else. */
export class Perspective {
  readonly frames = new Ring<FrameRow>(FRAME_CAPACITY);
  readonly chat = new Ring<ChatLine>(CHAT_CAPACITY);
  /** Handshake ladders by connection, in the order connections appeared. */
  readonly ladders = new Map<string, LadderStep[]>();
  /** Bumped on every change: the view redraws only when it moved. */
  version = 0;

  constructor(
    readonly name: string,
    readonly kind: PerspectiveKind,
  ) {}

  protected ladder(connection: string): LadderStep[] {
    let steps = this.ladders.get(connection);
    if (!steps) this.ladders.set(connection, (steps = []));
    return steps;
  }

  protected addFrame(row: FrameRow): void {
    this.frames.push(row);
    this.version++;
  }

  addChat(line: ChatLine): void {
    this.chat.push(line);
    this.version++;
  }
}

/**
 * A perspective fed by one side's trace events (a client, or the server with one trace stream
 * per connection): it sees its own secrets and plaintexts.
 */
export class TracePerspective extends Perspective {
  private readonly pendingSeal = new Map<string, Extract<TraceEvent, { kind: 'seal' | 'open' }>>();
  private readonly lastReceived = new Map<string, FrameRow>();
  private readonly hand = new Map<string, HandContext>();
  /** Connections whose record layer is the teaching-only AES-CBC (from their `established` trace). */
  private readonly cbc = new Set<string>();

  private layoutOf(connection: string): RecordLayout {
    return this.cbc.has(connection) ? 'cbc' : 'gcm';
  }

  /** `connection` names the peer: "server" for a client, the client's name for the server. */
  onTrace(connection: string, event: TraceEvent): void {
    let ctx = this.hand.get(connection);
    if (!ctx) this.hand.set(connection, (ctx = {}));
    updateHandContext(ctx, event);
    const steps = ladderSteps(event, ctx);
    if (steps.length > 0) {
      this.ladder(connection).push(...steps);
      this.version++;
    }
    switch (event.kind) {
      case 'established':
        if (event.cipher.startsWith('AES-256-CBC')) this.cbc.add(connection);
        return;
      case 'seal':
        this.pendingSeal.set(connection, event);
        return;
      case 'open': {
        const row = this.lastReceived.get(connection);
        if (row && row.seq === event.seq) Object.assign(row, { plaintext: event.plaintext, nonce: event.nonce, aad: event.aad, sealed: event.ciphertext, layout: this.layoutOf(connection) });
        if (this.kind === 'server') this.noteRelayed(connection, event.plaintext);
        this.version++;
        return;
      }
      case 'wire': {
        const row: FrameRow = { dir: event.dir === 'send' ? '→' : '←', peer: connection, type: event.frame.type, size: event.bytes.length + 4, at: Date.now() };
        if (event.frame.type === 'data') {
          row.seq = Number(event.frame.seq);
          const seal = this.pendingSeal.get(connection);
          if (event.dir === 'send' && seal && seal.seq === row.seq) {
            Object.assign(row, { plaintext: seal.plaintext, nonce: seal.nonce, aad: seal.aad, sealed: seal.ciphertext, layout: this.layoutOf(connection) });
            this.pendingSeal.delete(connection);
          }
        }
        if (event.dir === 'recv') this.lastReceived.set(connection, row);
        this.addFrame(row);
        return;
      }
      case 'error':
        this.addChat({ text: `! ${connection}: ${event.code} ${event.message}`, kind: 'error' });
        return;
      default:
        return;
    }
  }

  /** The server's chat pane: every chat it relays, as it decrypted it. */
  private noteRelayed(connection: string, plaintext: string): void {
    try {
      const request = JSON.parse(plaintext) as { type?: unknown; text?: unknown };
      if (request.type === 'chat' && typeof request.text === 'string') this.addChat({ text: `<${connection}> ${request.text}`, kind: 'plain' });
    } catch {
      // Not JSON: the session already failed it.
    }
  }

  /** A client perspective's chat pane: what its client was told. */
  onServerEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'message':
        return this.addChat({ text: `<${event.from}> ${event.text}`, kind: 'plain' });
      case 'join':
        return this.addChat({ text: `* ${event.name} joined`, kind: 'public' });
      case 'leave':
        return this.addChat({ text: `* ${event.name} left (${event.reason})`, kind: 'public' });
      case 'welcome':
        return this.addChat({ text: `* joined as ${event.name}; in the room: ${event.members.join(', ')}`, kind: 'public' });
      case 'who':
        return this.addChat({ text: `* in the room: ${event.members.join(', ')}`, kind: 'public' });
      case 'bye':
        return this.addChat({ text: `* server closed the session: ${event.reason}`, kind: 'public' });
      case 'error':
        return this.addChat({ text: `! ${event.code}: ${event.message}`, kind: 'error' });
    }
  }
}
