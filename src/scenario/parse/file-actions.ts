import { anyGroup } from '../../insecure/toy-groups.ts';
import type { Path, Reader } from './yaml-reader.ts';
import type { Action, ServerSpec } from '../types.ts';

/** cbc_bitflip's text: its GCM half opens one box per bit, so the work grows with the square of it. */
const MAX_CBC_TEXT_BYTES = 256;
/** A baby-step table of 2^20 entries (a 2^40 search) takes about a second and 200 MB. */
export const MAX_DISCRETE_LOG_BITS = 40;

const ACTIONS = [
  'restart',
  'connect',
  'leave',
  'say',
  'discrete_log',
  'eve_decrypt',
  'cost',
  'flip',
  'replay',
  'cbc_bitflip',
  'aes_block',
  'naive_read',
  'say_together',
  'small_subgroup',
  'eve_xor',
  'forbidden_attack',
  'forge',
] as const;
const AES_PARTS = ['counter', 'rounds', 'keystream', 'tag'] as const;

type Known = (p: Path, name: string) => string;

/** cost: the groups whose discrete log is timed, each one dhlab knows. */
function groupNames(r: Reader, at: Path): string[] {
  r.keys(at, ['groups']);
  const n = r.list([...at, 'groups'], 9);
  return Array.from({ length: n }, (_, i) => {
    const name = r.string([...at, 'groups', i]);
    if (!anyGroup(name)) r.fail([...at, 'groups', i], `unknown group "${name}"`);
    return name;
  });
}

/** flip: one bit, or "at byte N, turn FROM into TO" (XOR with FROM ^ TO, same length). */
function flipAction(r: Reader, at: Path, known: Known): Extract<Action, { kind: 'flip' }> {
  const kind = 'flip';
  const connection = known([...at, 'connection'], r.string([...at, 'connection']));
  if (r.has([...at, 'bit'])) {
    r.keys(at, ['connection', 'bit']);
    const bit = r.integer([...at, 'bit'], 0, 1 << 20);
    return { kind, connection, offset: bit >> 3, xor: Uint8Array.of(0x80 >> (bit & 7)), what: `bit ${bit}` };
  }
  r.keys(at, ['connection', 'at', 'from', 'to']);
  const offset = r.integer([...at, 'at'], 0, 1 << 16);
  const from = Buffer.from(r.string([...at, 'from']), 'utf8');
  const to = Buffer.from(r.string([...at, 'to']), 'utf8');
  if (from.length !== to.length) r.fail([...at, 'to'], `must be as long as "from" (${from.length} bytes)`);
  return {
    kind,
    connection,
    offset,
    xor: Uint8Array.from(from.map((b, i) => b ^ (to[i] as number))),
    what: `bytes ${offset}..${offset + from.length - 1} ("${from.toString('utf8')}" XOR "${to.toString('utf8')}")`,
  };
}

/** replay: a connection's last data frame again, with its seq as sent or rewritten to the next. */
function replayAction(r: Reader, at: Path, known: Known): Extract<Action, { kind: 'replay' }> {
  const kind = 'replay';
  if (typeof r.raw(at) === 'string') return { kind, connection: known(at, r.string(at)), rewriteSeq: false };
  r.keys(at, ['connection', 'seq']);
  const seq = r.string([...at, 'seq'], 'as_sent');
  if (seq !== 'as_sent' && seq !== 'next') r.fail([...at, 'seq'], `must be as_sent or next, got "${seq}"`);
  return {
    kind,
    connection: known([...at, 'connection'], r.string([...at, 'connection'])),
    rewriteSeq: seq === 'next',
  };
}

/**
 * A step's action: one key naming it, its fields checked where they stand (file:line:field).
 * `restart` reads a server spec over the lesson's own, which the caller knows how to read.
 */
export function action(r: Reader, path: Path, clients: Set<string>, restart: (at: Path) => ServerSpec): Action {
  if (!r.has(path)) return { kind: 'none' };
  const keys = r.keys(path, ACTIONS);
  if (keys.length !== 1) r.fail(path, `one action per step (found ${keys.length})`);
  const kind = keys[0] as (typeof ACTIONS)[number];
  const at = [...path, kind];
  const known = (p: Path, name: string) => {
    if (!clients.has(name)) r.fail(p, `"${name}" is not one of the clients (${[...clients].join(', ')})`);
    return name;
  };
  switch (kind) {
    case 'restart':
      return { kind, server: restart(at) };
    case 'connect':
    case 'leave':
      return { kind, name: known(at, r.string(at)) };
    case 'replay':
      return replayAction(r, at, known);
    case 'say':
      r.keys(at, ['from', 'text']);
      return { kind, from: known([...at, 'from'], r.string([...at, 'from'])), text: r.string([...at, 'text']) };
    case 'discrete_log':
      r.keys(at, ['of', 'bound_bits', 'as']);
      return {
        kind,
        of: r.string([...at, 'of']),
        as: r.string([...at, 'as']),
        ...(r.has([...at, 'bound_bits'])
          ? { boundBits: r.integer([...at, 'bound_bits'], 2, MAX_DISCRETE_LOG_BITS) }
          : {}),
      };
    case 'eve_decrypt':
      r.keys(at, ['connection', 'exponent']);
      return {
        kind,
        connection: known([...at, 'connection'], r.string([...at, 'connection'])),
        exponent: r.string([...at, 'exponent']),
      };
    case 'cost':
      return { kind, groups: groupNames(r, at) };
    case 'flip':
      return flipAction(r, at, known);
    case 'aes_block':
      return aesBlockAction(r, at, known);
    case 'naive_read':
    case 'say_together':
      return textsAction(r, at, kind, known);
    case 'small_subgroup': {
      r.keys(at, ['orders', 'as']);
      const n = r.list([...at, 'orders'], 16);
      const orders = Array.from({ length: n }, (_, i) => BigInt(r.integer([...at, 'orders', i], 2, 1_000_000)));
      return { kind, orders, as: r.string([...at, 'as']) };
    }
    case 'eve_xor':
    case 'forbidden_attack':
      return { kind, connection: known(at, r.string(at)) };
    case 'forge':
      r.keys(at, ['connection', 'known', 'text']);
      return {
        kind,
        connection: known([...at, 'connection'], r.string([...at, 'connection'])),
        known: r.string([...at, 'known']),
        text: r.string([...at, 'text']),
      };
    case 'cbc_bitflip':
      r.keys(at, ['text', 'key', 'from', 'to']);
      if (Buffer.byteLength(r.string([...at, 'text'])) > MAX_CBC_TEXT_BYTES)
        r.fail([...at, 'text'], `must be at most ${MAX_CBC_TEXT_BYTES} bytes`);
      return {
        kind,
        text: r.string([...at, 'text']),
        key: r.string([...at, 'key']),
        from: r.string([...at, 'from']),
        to: r.string([...at, 'to']),
      };
  }
}

/** aes_block: which part of lesson 13's computation a step shows, for one connection's first frame. */
function aesBlockAction(r: Reader, at: Path, known: Known): Extract<Action, { kind: 'aes_block' }> {
  r.keys(at, ['connection', 'show']);
  const show = r.string([...at, 'show']);
  if (!(AES_PARTS as readonly string[]).includes(show))
    r.fail([...at, 'show'], `must be one of ${AES_PARTS.join(', ')}, got "${show}"`);
  return {
    kind: 'aes_block',
    connection: known([...at, 'connection'], r.string([...at, 'connection'])),
    show: show as (typeof AES_PARTS)[number],
  };
}

/** naive_read and say_together (lesson 12): up to 16 texts, and one line of `long` bytes. */
function textsAction(
  r: Reader,
  at: Path,
  kind: 'naive_read' | 'say_together',
  known: Known,
): Extract<Action, { kind: 'naive_read' | 'say_together' }> {
  r.keys(at, kind === 'naive_read' ? ['texts', 'long'] : ['from', 'texts', 'long']);
  const n = r.list([...at, 'texts'], 16);
  const texts = Array.from({ length: n }, (_, i) => r.string([...at, 'texts', i]));
  const long = r.has([...at, 'long']) ? r.integer([...at, 'long'], 1, 4096) : 0;
  if (kind === 'naive_read') return { kind, texts, long };
  return { kind, from: known([...at, 'from'], r.string([...at, 'from'])), texts, long };
}
