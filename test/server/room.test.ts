import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhlabError } from '../../src/errors.ts';
import { MAX_LISTED_MEMBERS } from '../../src/protocol/messages.ts';
import { Room } from '../../src/server/room.ts';
import { nameKeys, nameProblem } from '../../src/protocol/names.ts';
import fc from 'fast-check';

/** A room whose members are plain names; each member's inbox holds the events it was given. */
function room() {
  const inbox = new Map<string, unknown[]>();
  const buffers: Uint8Array[] = [];
  const r = new Room<string>((member, event) => {
    buffers.push(event);
    inbox.set(member, [...(inbox.get(member) ?? []), JSON.parse(Buffer.from(event).toString('utf8'))]);
  });
  const enter = (who: string, name = who) => {
    r.reserve(who, name);
    const welcome = r.join(who);
    r.announceJoin(who);
    return welcome;
  };
  return { r, inbox, buffers, enter, of: (who: string) => inbox.get(who) ?? [] };
}

const refusal = (code: string, message: string) => (e: unknown) =>
  e instanceof DhlabError && e.code === code && e.message === message;

describe('the room (unit)', () => {
  it('a name is refused when it breaks the profile or is held, even by someone still in the handshake', () => {
    const { r } = room();
    assert.throws(
      () => r.reserve('x', 'a\u202eb'),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_BAD_NAME',
    );
    r.reserve('first', 'alice'); // hello read, handshake not finished
    assert.throws(() => r.reserve('second', 'alice'), refusal('ERR_NAME_TAKEN', 'the name "alice" is taken'));
    assert.throws(
      () => r.reserve('third', 'ALICE'),
      refusal('ERR_NAME_TAKEN', 'the name "ALICE" is taken (it looks like "alice", who is here)'),
    );
    assert.deepEqual(r.memberNames, [], 'reserved is not a member');
    assert.equal(r.isMember('first'), false);
    r.leave('first', 'ERR_HANDSHAKE_TIMEOUT');
    r.reserve('second', 'ALICE');
    assert.equal(r.nameOf('second'), 'ALICE');
  });

  it("any one of a name's keys is enough to collide: ALICE (alice, allce) against allce", () => {
    const { r } = room();
    r.reserve('x', 'allce');
    assert.throws(
      () => r.reserve('y', 'ALICE'),
      refusal('ERR_NAME_TAKEN', 'the name "ALICE" is taken (it looks like "allce", who is here)'),
    );
    assert.throws(() => r.join('stranger'), /join before reserve/);
  });

  it('welcome lists the members with the joiner; the others hear a join, the joiner does not', () => {
    const { r, enter, of } = room();
    enter('alice');
    r.reserve('bob', 'bob');
    assert.equal(r.isMember('bob'), false, 'reserved at hello, not yet a member');
    const welcome = r.join('bob');
    r.announceJoin('bob');
    assert.equal(r.isMember('bob'), true);
    assert.deepEqual(welcome, { name: 'bob', members: ['alice', 'bob'], count: 2 });
    assert.deepEqual(of('alice'), [{ type: 'join', name: 'bob' }]);
    assert.deepEqual(of('bob'), []);
  });

  it('messages get ids from 1 in room order and reach every member, the speaker too, serialized once', () => {
    const { r, enter, of, buffers } = room();
    enter('alice');
    enter('bob');
    buffers.length = 0;
    r.say('alice', 'hi');
    r.say('bob', 'hello');
    const expected = [
      { type: 'message', id: 1, from: 'alice', text: 'hi' },
      { type: 'message', id: 2, from: 'bob', text: 'hello' },
    ];
    assert.deepEqual(of('alice').slice(-2), expected);
    assert.deepEqual(of('bob').slice(-2), expected);
    assert.equal(buffers.length, 4);
    assert.equal(buffers[0], buffers[1], 'one buffer for every recipient');
  });

  it('a member leaving is announced with its reason and frees its name; leaving twice changes nothing', () => {
    const { r, enter, of } = room();
    enter('alice');
    enter('bob');
    r.leave('bob', 'ERR_SLOW_CONSUMER');
    r.leave('bob', 'quit');
    assert.deepEqual(of('alice').slice(-1), [{ type: 'leave', name: 'bob', reason: 'ERR_SLOW_CONSUMER' }]);
    assert.equal(of('alice').length, 2);
    assert.deepEqual(r.memberNames, ['alice']);
    assert.equal(r.size, 1);
    assert.equal(r.nameOf('bob'), null);
    enter('bob2', 'bob');
    assert.deepEqual(r.memberNames, ['alice', 'bob']);
  });

  it('one who never finished the handshake leaves without a line; at shutdown nobody is announced', () => {
    const { r, enter, of } = room();
    enter('alice');
    r.reserve('ghost', 'ghost');
    r.leave('ghost', 'ERR_HANDSHAKE_TIMEOUT');
    enter('bob');
    r.leave('bob', 'ERR_SERVER_SHUTDOWN', false);
    assert.deepEqual(of('alice'), [{ type: 'join', name: 'bob' }]);
    assert.deepEqual(r.memberNames, ['alice']);
  });

  it(`the roster names the first ${MAX_LISTED_MEMBERS} members and counts them all`, () => {
    const { r, enter } = room();
    for (let i = 0; i < MAX_LISTED_MEMBERS + 5; i++) enter(`m${i}`);
    const roster = r.roster();
    assert.equal(roster.count, MAX_LISTED_MEMBERS + 5);
    assert.equal(roster.members.length, MAX_LISTED_MEMBERS);
    assert.equal(roster.members[0], 'm0');
    assert.equal(roster.members.at(-1), `m${MAX_LISTED_MEMBERS - 1}`);
    r.stop();
  });

  it('in a burst a join is held until the member speaks, then goes out just before its line', () => {
    const { r, enter, of } = room();
    enter('watcher');
    for (let i = 0; i < 12; i++) enter(`m${i}`);
    assert.ok(r.heldJoins > 0);
    const last = `m11`;
    r.say(last, 'first words');
    const tail = of('watcher').slice(-2);
    assert.deepEqual(tail, [
      { type: 'join', name: last },
      { type: 'message', id: 1, from: last, text: 'first words' },
    ]);
    r.stop();
  });

  it("members are members until they leave; stop() cancels the held joins' calm check", async () => {
    const { r, enter, of } = room();
    enter('watcher');
    assert.equal(r.isMember('watcher'), true);
    for (let i = 0; i < 12; i++) enter(`m${i}`);
    const held = r.heldJoins;
    assert.ok(held > 0);
    const seen = of('watcher').length;
    r.stop();
    await new Promise((resolve) => setTimeout(resolve, 1200)); // a running calm check would announce them now
    assert.equal(of('watcher').length, seen);
    r.leave('watcher', 'quit');
    assert.equal(r.isMember('watcher'), false);
  });
});

describe('the room and the name profile together (properties)', () => {
  // Look-alikes a student would try: case, digits for letters, Cyrillic and Greek twins, rn for m.
  const SWAPS: Array<[RegExp, string]> = [
    [/l/g, 'I'],
    [/o/g, '0'],
    [/m/g, 'rn'],
    [/a/g, '\u0430'],
    [/e/g, '\u0435'],
    [/o/g, '\u03bf'],
    [/i/g, '1'],
  ];
  const base = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
  const variant = fc.tuple(base, fc.subarray(SWAPS), fc.boolean()).map(([name, swaps, upper]) => {
    let other = name;
    for (const [pattern, to] of swaps) other = other.replace(pattern, to);
    return [name, upper ? other.toUpperCase() : other] as const;
  });

  it('for any pair of names that share a key, the room refuses the second; names that share none both get in', () => {
    fc.assert(
      fc.property(fc.oneof(variant, fc.tuple(base, base)), ([first, second]) => {
        const { r } = room();
        r.reserve('first', first);
        const clash = nameKeys(first).some((key) => nameKeys(second).includes(key));
        let refused: DhlabError | null = null;
        try {
          r.reserve('second', second);
        } catch (error) {
          if (!(error instanceof DhlabError)) throw error;
          refused = error;
        }
        if (clash) assert.ok(refused !== null, `${JSON.stringify(second)} got in beside ${JSON.stringify(first)}`);
        if (refused?.code === 'ERR_NAME_TAKEN')
          assert.ok(clash, `${JSON.stringify(second)} refused as taken, without a shared key`);
        if (!clash && nameProblem(second) === null)
          assert.equal(refused, null, `${JSON.stringify(second)}: ${refused?.message}`);
        // A refused name takes nothing: after the first leaves, the second's name is free.
        r.leave('first', 'quit');
        if (refused !== null && nameProblem(second) === null) r.reserve('second', second);
      }),
      { numRuns: 500 },
    );
  });
});
