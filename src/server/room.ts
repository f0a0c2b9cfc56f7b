import { DhlabError } from '../errors.ts';
import { Announcements } from './announcements.ts';

/** Announcements in any second before joins are held (docs/PROTOCOL.md s.6). */
const ANNOUNCEMENT_BURST = 10;
/** Above this many members, joins are announced in the once-a-second batch only (PROTOCOL s.6). */
export const LARGE_ROOM = 1000;
import { nameKeys, nameProblem } from '../protocol/names.ts';
import { MAX_LISTED_MEMBERS, type ServerEvent } from '../protocol/messages.ts';

/**
 * The chat room without sockets: who holds which name, who is a member (in join order), message
 * ids, and one room-wide order of events. `deliver` receives each event serialized once, for each
 * member it goes to; the server queues it on that member's connection.
 *
 * A name is reserved at hello (so two handshakes cannot take the same name) and kept until the
 * holder leaves; it counts as taken against any name with the same key (names.ts: case and
 * confusable skeleton).
 */
export class Room<M> {
  private readonly holders = new Map<string, M>(); // name key -> who holds it
  private readonly names = new Map<M, string>(); // who -> the name it holds (joining or member)
  private readonly members = new Map<string, M>(); // members, in join order
  private nextMessageId = 1;
  private readonly announcements: Announcements<M>;
  /** Set only while announcements.left() runs: it calls back at once with the member already gone. */
  private leaving: { name: string; reason: string } | null = null;

  constructor(private readonly deliver: (member: M, event: Uint8Array) => void) {
    this.announcements = new Announcements<M>(
      (member) => this.broadcast({ type: 'join', name: this.names.get(member) as string }, member),
      () => {
        const { name, reason } = this.leaving as { name: string; reason: string };
        this.broadcast({ type: 'leave', name, reason });
      },
      ANNOUNCEMENT_BURST,
      undefined,
      () => this.members.size > LARGE_ROOM,
    );
  }

  /** At hello: refuses a name that breaks the profile (ERR_BAD_NAME) or is taken (ERR_NAME_TAKEN). */
  reserve(who: M, name: string): void {
    const problem = nameProblem(name);
    if (problem) throw new DhlabError('ERR_BAD_NAME', problem);
    const keys = nameKeys(name);
    const holder = keys.map((key) => this.holders.get(key)).find((h) => h !== undefined);
    if (holder !== undefined) {
      const held = this.names.get(holder) as string;
      const same = held === name ? '' : ` (it looks like "${held}", who is here)`;
      throw new DhlabError('ERR_NAME_TAKEN', `the name "${name}" is taken${same}`);
    }
    for (const key of keys) this.holders.set(key, who);
    this.names.set(who, name);
  }

  /** The handshake finished: `who` is a member; the room hears of it (perhaps later, in a burst). */
  join(who: M): { name: string; members: string[]; count: number } {
    const name = this.names.get(who);
    if (name === undefined) throw new Error('join before reserve'); // a bug in the caller, not input
    this.members.set(name, who);
    const welcome = { name, ...this.roster() };
    return welcome;
  }

  /** After the newcomer's welcome has been queued: announce it (the joiner gets no join of its own). */
  announceJoin(who: M): void {
    this.announcements.joined(who);
  }

  /**
   * `who` left (or never finished its handshake): frees its name. A member's leave is announced
   * unless `announce` is false (at shutdown everyone gets a bye instead).
   */
  leave(who: M, reason: string, announce = true): void {
    const name = this.names.get(who);
    if (name === undefined) return;
    for (const key of nameKeys(name)) this.holders.delete(key); // reserve() gave every key to `who` alone
    this.names.delete(who);
    if (this.members.get(name) !== who) return;
    this.members.delete(name);
    if (!announce) return;
    this.leaving = { name, reason };
    this.announcements.left(who);
    this.leaving = null;
  }

  /** A member speaks: its held join (if any) goes first, then its line, with the next id. */
  say(who: M, text: string): void {
    this.announcements.speaking(who);
    this.broadcast({ type: 'message', id: this.nextMessageId++, from: this.names.get(who) as string, text });
  }

  nameOf(who: M): string | null {
    return this.names.get(who) ?? null;
  }

  isMember(who: M): boolean {
    const name = this.names.get(who);
    return name !== undefined && this.members.get(name) === who;
  }

  get memberNames(): string[] {
    return [...this.members.keys()];
  }

  get size(): number {
    return this.members.size;
  }

  /** The members named in welcome and who: the first MAX_LISTED_MEMBERS, and how many there are. */
  roster(): { members: string[]; count: number } {
    const members: string[] = [];
    for (const name of this.members.keys()) {
      if (members.length === MAX_LISTED_MEMBERS) break;
      members.push(name);
    }
    return { members, count: this.members.size };
  }

  /** Every member but `except` gets the event; it is serialized once however many there are. */
  broadcast(event: ServerEvent, except?: M): void {
    const serialized = Buffer.from(JSON.stringify(event), 'utf8');
    for (const member of this.members.values()) if (member !== except) this.deliver(member, serialized);
  }

  /** Stops the announcements' calm check (on shutdown). */
  stop(): void {
    this.announcements.stop();
  }

  /** Joins held back by a burst (for tests and logs). */
  get heldJoins(): number {
    return this.announcements.heldCount;
  }
}
