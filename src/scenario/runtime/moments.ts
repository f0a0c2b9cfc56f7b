import type { MalloryEvent } from '../../insecure/mallory/mallory.ts';
import type { TraceEvent } from '../../protocol/trace.ts';

/**
 * The moment a refusal writes on the refusing side's lifeline ("server refuses alice - CODE -
 * why"). The other side only reads the error frame, if one is sent; Mallory's refusals are hers.
 */
export function refusalMoment(
  prefix: string,
  event: Extract<TraceEvent, { kind: 'error' }>,
): { over: string; text: string } | null {
  if (event.remote || prefix.startsWith('mallory/')) return null;
  const [over, connection] = prefix.startsWith('server/') ? ['server', prefix.slice('server/'.length)] : [prefix, ''];
  return {
    over,
    text: `${over} refuses${connection ? ` ${connection}` : ''} - ${event.code} - ${event.message.slice(0, 60)}`,
  };
}

/** What Mallory's lifeline says of what she did, or null for what it does not show. */
export function malloryMoment(event: MalloryEvent): string | null {
  switch (event.kind) {
    case 'rewrote':
      return `Mallory rewrites "${event.from}" to "${event.to}"`;
    case 'tampered':
      return `Mallory flips bits at byte ${event.offset} of the sealed box (XOR ${event.xor})`;
    case 'replayed':
      return event.sentAs === event.seq
        ? `Mallory replays data seq ${event.seq} as it was`
        : `Mallory replays data seq ${event.seq} with its seq field rewritten to ${event.sentAs}`;
    case 'note':
      return event.text;
    default:
      return null;
  }
}
