import { bytesToBigint } from '../../crypto/bytes.ts';
import type { Expectation } from '../types.ts';
import { showValue, type Value } from '../runtime/run-record.ts';
import type { RunView } from './action-context.ts';

export interface CheckResult {
  ok: boolean;
  /** The expectation in words: "alice.Z = server/alice.Z". */
  what: string;
  /** What was found instead, when it failed. */
  found?: string;
}

function same(a: Value, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') return String(a) === String(b);
  const big = (v: Uint8Array | bigint) => (typeof v === 'bigint' ? v : bytesToBigint(v));
  return big(a) === big(b);
}

/** "18" or "0x12" or "SHA256:..." compared with a value: numbers by value, text as text. */
function matches(value: Value, expected: string): boolean {
  if (typeof value === 'string') return value === expected;
  if (/^\d+$/.test(expected) || /^0x[0-9a-f]+$/i.test(expected)) return same(value, BigInt(expected));
  return false;
}

/** Every way a plaintext could show in Eve's bytes: raw, hex or base64 of its UTF-8. */
function appearsIn(bytes: Uint8Array, text: string): boolean {
  const buffer = Buffer.from(bytes);
  const raw = Buffer.from(text, 'utf8');
  return (
    buffer.includes(raw) ||
    buffer.includes(raw.toString('hex')) ||
    buffer.includes(raw.toString('base64').replace(/=+$/, ''))
  );
}

export function check(world: RunView, e: Expectation): CheckResult {
  const show = (name: string) => {
    const v = world.value(name);
    return v === undefined ? `${name} does not exist` : `${name} = ${showValue(v, false, name)}`;
  };
  switch (e.kind) {
    case 'equal':
    case 'differ':
      return compareValues(world, e, show);
    case 'value': {
      const v = world.value(e.of);
      const ok = v !== undefined && matches(v, e.is);
      return { ok, what: `${e.of} = ${e.is}`, found: ok ? undefined : show(e.of) };
    }
    case 'missing': {
      const ok = world.value(e.of) === undefined;
      return { ok, what: `${e.of} was not found`, found: ok ? undefined : show(e.of) };
    }
    case 'receives':
    case 'not_receives':
      return receives(world, e);
    case 'error':
      return failsWith(world, e);
    case 'members': {
      const members = world.memberNames;
      const ok = members.length === e.names.length && e.names.every((n) => members.includes(n));
      return {
        ok,
        what: `members are ${e.names.join(', ')}`,
        found: ok ? undefined : `members: ${members.join(', ') || '(none)'}`,
      };
    }
    case 'eve_reads': {
      const ok = world.eveRead.some((t) => t.includes(e.text));
      return {
        ok,
        what: `Eve reads "${e.text}"`,
        found: ok ? undefined : `Eve read: ${world.eveRead.join(' | ') || '(nothing)'}`,
      };
    }
    case 'eve_cannot_read': {
      const seen =
        world.observations.some((o) => appearsIn(o.bytes, e.text)) || world.eveRead.some((t) => t.includes(e.text));
      return {
        ok: !seen,
        what: `"${e.text}" appears nowhere in what Eve saw`,
        found: seen ? 'it appears in her capture' : undefined,
      };
    }
    case 'mallory_reads': {
      const ok = world.malloryEvents.some((m) => m.kind === 'read' && m.text.includes(e.text));
      return { ok, what: `Mallory reads "${e.text}"`, found: ok ? undefined : 'she did not' };
    }
    case 'mallory_rewrote': {
      const ok = world.malloryEvents.some((m) => m.kind === 'rewrote' && m.from === e.from && m.to === e.to);
      return { ok, what: `Mallory rewrote "${e.from}" as "${e.to}"`, found: ok ? undefined : 'she did not' };
    }
  }
}

function compareValues(
  world: RunView,
  e: Extract<Expectation, { kind: 'equal' | 'differ' }>,
  show: (name: string) => string,
): CheckResult {
  const [a, b] = e.names.map((n) => world.value(n));
  const what = `${e.names[0]} ${e.kind === 'equal' ? '=' : '≠'} ${e.names[1]}`;
  if (a === undefined || b === undefined) return { ok: false, what, found: e.names.map(show).join(', ') };
  const ok = same(a, b) === (e.kind === 'equal');
  return { ok, what, found: ok ? undefined : e.names.map(show).join(', ') };
}

function receives(world: RunView, e: Extract<Expectation, { kind: 'receives' | 'not_receives' }>): CheckResult {
  const events = world.received.get(e.who) ?? [];
  const count = events.filter(
    (ev) => ev.type === 'message' && ev.text === e.text && (e.from === undefined || ev.from === e.from),
  ).length;
  const times = e.times === undefined ? '' : e.times === 1 ? ' exactly once' : ` exactly ${e.times} times`;
  const what = `${e.who} ${e.kind === 'receives' ? 'receives' : 'does not receive'} ${e.from ? `<${e.from}> ` : ''}"${e.text}"${times}`;
  const ok = e.kind === 'not_receives' ? count === 0 : e.times === undefined ? count > 0 : count === e.times;
  const messages = events.flatMap((ev) => (ev.type === 'message' ? [`<${ev.from}> ${ev.text}`] : []));
  return {
    ok,
    what,
    found: ok ? undefined : `${e.who}'s messages: ${messages.length ? messages.join(' | ') : '(none)'}`,
  };
}

function failsWith(world: RunView, e: Extract<Expectation, { kind: 'error' }>): CheckResult {
  const mine = world.errors.filter((x) => x.who === e.who || x.who.startsWith(`${e.who}/`));
  const ok = mine.some((x) => x.code === e.code && (e.message === undefined || x.message.includes(e.message)));
  const what = `${e.who} fails with ${e.code}${e.message === undefined ? '' : ` ("${e.message}")`}`;
  return {
    ok,
    what,
    found: ok ? undefined : `errors of ${e.who}: ${mine.map((x) => `${x.code} ${x.message}`).join('; ') || '(none)'}`,
  };
}
