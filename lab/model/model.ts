import { safeExcerpt } from '../../src/terminal/safe-text.ts';
import type { ServerEvent } from '../../src/protocol/messages.ts';
import type { RecordLayout, TraceEvent } from '../../src/protocol/trace.ts';
import { ladderSteps, updateHandContext, type HandContext, type LadderStep } from './ladder.ts';
import { Ring } from './ring.ts';
import type { ValueKind } from './values.ts';

/**
 * What a perspective keeps, bounded by count and by bytes, so a flood (or a hostile peer's
 * 64 KiB frames) cannot grow the lab without bound: the frames pane's newest rows, the chat's
 * newest lines, the ladders of the newest connections.
 */
export const LIMITS = {
  frames: 10_000,
  frameBytes: 16 * 2 ** 20,
  chatLines: 2_000,
  chatBytes: 2 * 2 ** 20,
  ladders: 256,
  stepsPerLadder: 64,
} as const;

/** About what a row holds in memory: its byte arrays, its strings (UTF-16) and the object itself. */
export function rowBytes(row: FrameRow): number {
  const strings = row.peer.length + row.type.length + (row.plaintext?.length ?? 0) + (row.fields?.length ?? 0);
  return 200 + 2 * strings + (row.sealed?.byteLength ?? 0) + (row.nonce?.byteLength ?? 0) + (row.aad?.byteLength ?? 0);
}

/** A copy when `bytes` is a view into a larger buffer (a socket chunk's backing store stays alive otherwise). */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : Uint8Array.from(bytes);
}

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

export interface ChatLine {
  text: string;
  kind: ValueKind;
}

/** Whose eyes: a client, the server, Eve on the wire, or Mallory (a server to each client, a client to the server). */
export type PerspectiveKind = 'client' | 'server' | 'eve' | 'mallory';

/** What one perspective has seen: the data a view renders, and nothing else. */
export class Perspective {
  readonly frames = new Ring<FrameRow>(LIMITS.frames, LIMITS.frameBytes, rowBytes);
  readonly chat = new Ring<ChatLine>(LIMITS.chatLines, LIMITS.chatBytes, (line) => 100 + 2 * line.text.length);
  /** Handshake ladders by connection, in the order connections appeared. */
  readonly ladders = new Map<string, LadderStep[]>();
  /** Bumped on every change: the view redraws only when it moved. */
  version = 0;

  constructor(
    readonly name: string,
    readonly kind: PerspectiveKind,
  ) {}

  /** This connection's ladder; a new one evicts the oldest past LIMITS.ladders. */
  protected ladder(connection: string): LadderStep[] {
    let steps = this.ladders.get(connection);
    if (!steps) {
      this.ladders.set(connection, (steps = []));
      for (const oldest of this.ladders.keys()) {
        if (this.ladders.size <= LIMITS.ladders) break;
        this.ladders.delete(oldest);
        this.forget(oldest);
      }
    }
    return steps;
  }

  /** Adds steps to a ladder, at most LIMITS.stepsPerLadder in all. */
  protected addSteps(connection: string, steps: LadderStep[]): void {
    const ladder = this.ladder(connection);
    ladder.push(...steps.slice(0, Math.max(0, LIMITS.stepsPerLadder - ladder.length)));
  }

  /** A connection's ladder was evicted: drop what else was kept for it. */
  protected forget(_connection: string): void {}

  protected addFrame(row: FrameRow): void {
    this.frames.push(row);
    this.version++;
  }

  /** A TCP segment a relay wrote to this side, beside the frames (lesson 12): what it carries, in words. */
  addSegment(from: string, bytes: number, carries: string): void {
    this.addFrame({ dir: '←', peer: from, type: 'tcp segment', size: bytes, fields: carries, at: Date.now() });
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
  /** A client's session ended with this code (a bye received, or an error): said once in the chat. */
  endedWith: string | null = null;

  protected override forget(connection: string): void {
    this.pendingSeal.delete(connection);
    this.lastReceived.delete(connection);
    this.hand.delete(connection);
    this.cbc.delete(connection);
  }

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
      this.addSteps(connection, steps);
      this.version++;
    }
    switch (event.kind) {
      case 'established':
        if (event.record === 'cbc') this.cbc.add(connection);
        return;
      case 'seal':
        this.pendingSeal.set(connection, event);
        return;
      case 'open': {
        const row = this.lastReceived.get(connection);
        if (row && row.seq === event.seq) {
          Object.assign(row, {
            plaintext: event.plaintext,
            nonce: own(event.nonce),
            aad: own(event.aad),
            sealed: own(event.ciphertext),
            layout: this.layoutOf(connection),
          });
          this.frames.resized(row);
        }
        if (this.kind === 'server' || this.kind === 'mallory') this.noteRelayed(connection, event.plaintext);
        this.version++;
        return;
      }
      case 'wire': {
        // The wire trace comes before validation: the type is the peer's word, escaped and cut.
        const row: FrameRow = {
          dir: event.dir === 'send' ? '→' : '←',
          peer: connection,
          type: safeExcerpt(event.frame.type, 40),
          size: event.bytes.length + 4,
          at: Date.now(),
        };
        if (event.frame.type === 'data') {
          row.seq = Number(event.frame.seq);
          const seal = this.pendingSeal.get(connection);
          if (event.dir === 'send' && seal && seal.seq === row.seq) {
            Object.assign(row, {
              plaintext: seal.plaintext,
              nonce: own(seal.nonce),
              aad: own(seal.aad),
              sealed: own(seal.ciphertext),
              layout: this.layoutOf(connection),
            });
            this.pendingSeal.delete(connection);
          }
        }
        if (event.dir === 'recv') this.lastReceived.set(connection, row);
        this.addFrame(row);
        return;
      }
      case 'error':
        // The server's bye already said why, in its own words.
        if (this.kind === 'client' && event.remote && this.endedWith === event.code) return;
        if (this.kind === 'client') this.endedWith = event.code;
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
      if (request.type === 'chat' && typeof request.text === 'string')
        this.addChat({ text: `<${connection}> ${request.text}`, kind: 'plain' });
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
        return this.addChat({
          text: `* joined as ${event.name}; in the room: ${event.members.join(', ')}`,
          kind: 'public',
        });
      case 'who':
        return this.addChat({ text: `* in the room: ${event.members.join(', ')}`, kind: 'public' });
      case 'bye':
        this.endedWith = event.code;
        return this.addChat({
          text: `* the server closed the session: ${event.reason}${event.code === 'OK' ? '' : ` (${event.code})`}`,
          kind: 'public',
        });
      case 'error':
        return this.addChat({ text: `! ${event.code}: ${event.message}`, kind: 'error' });
    }
  }
}
