import type net from 'node:net';
import { DhlabError } from '../errors.ts';
import type { ClientRequest } from '../protocol/messages.ts';
import type { ServerSession } from '../protocol/server-session.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import type { FanoutPacer } from './fanout-pacer.ts';
import type { TokenBucket } from './token-bucket.ts';

/** What the server keeps per TCP connection, from accept to close. */
export interface Connection {
  /** Bytes waiting to be sent to it (what the slow-consumer policy measures). */
  queuedBytes(): number;
  readonly id: number;
  readonly socket: net.Socket;
  readonly label: string;
  session: ServerSession;
  handshakeTimer: NodeJS.Timeout | null;
  /** Running while a frame is partly received. */
  frameTimer: NodeJS.Timeout | null;
  /** session.framesReceived when frameTimer started: a frame finished since means a new frame. */
  frameTimerFrames: number;
  /** Serialized events waiting for the end of this event-loop turn, sealed together. */
  outbox: Uint8Array[];
  /** Its requests: rateLimit a second, bursts of twice that. */
  requests: TokenBucket;
  /** Its chat's cost to the room, paced to fanoutLimit. */
  pacer: FanoutPacer<ClientRequest>;
  /** Counted by admission control until it closes (null: refused before admission). */
  address: string | null;
  /** The name the room gave it (validated), kept after it leaves so its last trace events carry it too. */
  name: string | null;
  /** Its hello, traced before the room decided on the name (traceOf); held for that one call. */
  heldHello: TraceEvent | null;
  handshaken: boolean;
}

/** The handshake must end within `ms` of admission, or the connection fails with ERR_HANDSHAKE_TIMEOUT. */
export function startHandshakeTimer(connection: Connection, ms: number): void {
  connection.handshakeTimer = setTimeout(() => {
    connection.session.fail(new DhlabError('ERR_HANDSHAKE_TIMEOUT', `handshake not finished within ${ms / 1000} s`));
  }, ms);
}

/**
 * A started frame must finish within `ms`: the decoder holds at most one frame per connection,
 * and this bounds how long. The timer runs from the first byte of a frame, so dripping a byte
 * now and then does not extend it.
 */
export function watchPartialFrame(connection: Connection, ms: number): void {
  const partial = connection.session.partialFrameBytes > 0 && !connection.session.isClosed;
  const newFrame = connection.session.framesReceived !== connection.frameTimerFrames;
  if (connection.frameTimer && (!partial || newFrame)) {
    clearTimeout(connection.frameTimer);
    connection.frameTimer = null;
  }
  if (partial && !connection.frameTimer) {
    connection.frameTimerFrames = connection.session.framesReceived;
    connection.frameTimer = setTimeout(() => {
      connection.frameTimer = null;
      const got = connection.session.partialFrameBytes;
      connection.session.fail(
        new DhlabError(
          'ERR_FRAME_TIMEOUT',
          `a frame was started ${ms / 1000} s ago and is still incomplete (${got} bytes so far)`,
        ),
      );
    }, ms);
  }
}
