import type { ServerEvent } from '../protocol/messages.ts';
import { CaseMiss, EXPECT_MS, type Probe } from './server-probe.ts';
import type { ServerCase } from './server-steps.ts';
import { eventLine } from './server-probe.ts';

/*
 * A member that stops reading while two others chat. Linux lets about 4 MiB wait in a loopback
 * connection's buffers before a write blocks, so the talkers send more than that to the silent
 * member: a server that writes to each member in turn and waits for each write stalls the whole
 * room on it, and the talkers' lines stop. A server with a bounded queue per member goes on (and
 * may disconnect the silent one, as dhlab's does with ERR_SLOW_CONSUMER, s.6).
 */

/** What the talkers' lines add up to, for the silent member: beyond the kernel's buffers. */
export const STALL_BYTES = 6 * 1024 * 1024;
/** Each line's length: below the 4096 bytes a chat may hold (s.6.2). */
const LINE_CHARS = 3900;
/** Lines a talker may have in flight before its own echo comes back. */
const WINDOW = 16;

const filler = 'abcdefghijklmnopqrstuvwxyz0123456789 '.repeat(Math.ceil(LINE_CHARS / 37));
const lineText = (index: number) => `${index} ${filler}`.slice(0, LINE_CHARS);

/** Resolves when any probe reports a change, or after `ms`. */
function anyChange(probes: readonly Probe[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const stops: (() => void)[] = [];
    const done = () => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const probe of probes) stops.push(probe.watch(done));
  });
}

interface Talker {
  probe: Probe;
  sent: number;
  /** Its own lines it has seen come back. */
  echoed: number;
  /** How many lines it sends in all: fewer once the server has dropped the silent member. */
  target: number;
  /** It saw the server drop the silent member (the question is settled: the room did not wait). */
  sawLeave: boolean;
}

export function stalledReaderCase(): ServerCase {
  const perTalkerDirect = Math.ceil(STALL_BYTES / LINE_CHARS / 2);
  const hint =
    'never let one member hold up the room: keep a bounded queue of unsent output per member and write without blocking (or drop the member whose queue overflows, ERR_SLOW_CONSUMER); a loop that writes to each member in turn and waits for each write stops when one member stops reading (s.6)';
  return {
    what: `a member that stops reading while two others chat (${perTalkerDirect * 2} lines, ${STALL_BYTES / 1024 / 1024} MiB)`,
    expected: `every line reaches both talkers in order, with no pause of ${EXPECT_MS / 1000} s; the silent member may be disconnected`,
    hint,
    ms: 120_000,
    async play(room, { names: [a, b, c] }) {
      // Through a watcher's tap there are twice the buffers to fill before a blocking write blocks.
      const perTalker = perTalkerDirect * room.bufferingHops;
      const alice = await room.join(a);
      const bob = await room.join(b, [alice]);
      const silent = await room.join(c, [alice, bob]);
      silent.stopReading();
      const talkers: Talker[] = [alice, bob].map((probe) => ({
        probe,
        sent: 0,
        echoed: 0,
        target: perTalker,
        sawLeave: false,
      }));
      // What each talker has received of each talker's lines, in order.
      const heard = new Map(talkers.map((t) => [t.probe, new Map(talkers.map((u) => [u.probe.name, 0]))]));
      const done = () => talkers.every((t) => talkers.every((u) => heard.get(t.probe)?.get(u.probe.name) === u.target));
      let progressAt = Date.now();
      let before = '';
      while (!done()) {
        for (const t of talkers)
          while (t.sent < t.target && t.sent - t.echoed < WINDOW)
            t.probe.send({ type: 'chat', text: lineText(t.sent++) });
        await anyChange(
          talkers.map((t) => t.probe),
          EXPECT_MS,
        );
        for (const t of talkers) takeLines(t, t.probe.takeArrived(), heard, c);
        // Once the silent member is gone, what is already sent must still arrive; no more is needed.
        if (talkers.every((t) => t.sawLeave)) for (const t of talkers) t.target = t.sent;
        const now = talkers.map((t) => [...(heard.get(t.probe)?.values() ?? [])].join()).join('|');
        if (now !== before) [before, progressAt] = [now, Date.now()];
        else if (Date.now() - progressAt >= EXPECT_MS && !done()) {
          const counts = talkers
            .map(
              (t) =>
                `${t.probe.name} has ${[...(heard.get(t.probe)?.values() ?? [])].reduce((x, y) => x + y, 0)} of ${talkers.reduce((sum, u) => sum + u.target, 0)}`,
            )
            .join(', ');
          throw new CaseMiss(
            `the room stopped while ${c} read nothing: ${counts} lines, and nothing more for ${EXPECT_MS / 1000} s; ${alice.ending()}`,
            hint,
          );
        }
      }
    },
  };
}

/** Takes the lines a talker received, in order; anything else (but the silent member leaving) is a miss. */
function takeLines(
  talker: Talker,
  events: readonly ServerEvent[],
  heard: Map<Probe, Map<string, number>>,
  silent: string,
): void {
  const counts = heard.get(talker.probe) as Map<string, number>;
  for (const event of events) {
    if (event.type === 'leave' && event.name === silent) {
      talker.sawLeave = true;
      continue;
    }
    const from = event.type === 'message' ? event.from : null;
    const expected = from === null ? undefined : counts.get(from);
    if (from === null || expected === undefined || event.type !== 'message' || event.text !== lineText(expected))
      throw new CaseMiss(
        `${talker.probe.name} got ${eventLine(event).slice(0, 80)} where the next line of a talker was expected`,
        'relay each line once, to every member, in the order the server received them (s.6)',
      );
    counts.set(from, expected + 1);
    if (from === talker.probe.name) talker.echoed = expected + 1;
  }
}
