import { bytesToBigint, toHex } from '../../src/crypto/bytes.ts';
import { anyGroup, describeGroup } from '../../src/insecure/toy-groups.ts';
import { modPow, type DhGroup } from '../../src/crypto/groups.ts';
import type { TraceEvent } from '../../src/protocol/trace.ts';
import { valueOf, valueOfBigint, type LabValue, type ValueKind, valueOfNumber } from './values.ts';

/** RFC 3526 g = 2 generates the order-q subgroup (checked in test/crypto/groups.test.ts); a toy group is checked here. */
function generatorNote(group: DhGroup): string {
  // smooth-48 is no safe prime: its "q" is p - 1 itself, and g = 5 is a primitive root (lesson 10).
  if (group.q === group.p - 1n)
    return `g = ${group.g} generates the whole group, of order p-1 (p is not a safe prime: there is no q = (p-1)/2 prime)`;
  if (!group.insecure || modPow(group.g, group.q, group.p) === 1n)
    return `g = ${group.g}, generates the subgroup of order q`;
  return `g = ${group.g} generates the whole group (order p-1), NOT the subgroup of prime order q`;
}

/** Basic shows what a first lesson needs; full adds the transcript hash, HKDF keys and signature. */
export type Detail = 'basic' | 'full';

/** One rung of the handshake ladder, in the order it happened. */
export interface LadderStep {
  label: string;
  kind: ValueKind;
  detail: Detail;
  value?: LabValue;
  /** Plain words shown instead of (or after) a value. */
  note?: string;
}

const OTHER = { client: 'server', server: 'client' } as const;

/** What one connection's ladder has seen so far, to show toy-group values as a computation. */
export interface HandContext {
  group?: DhGroup;
  x?: bigint;
  peerY?: bigint;
}

/** "= 2^6 mod 23 = 18": only in groups small enough to check by hand (below 2^64). */
function byHand(ctx: HandContext | undefined, base: bigint | undefined, result: Uint8Array): string | undefined {
  const group = ctx?.group;
  if (!group || group.p >= 1n << 64n || base === undefined || ctx?.x === undefined) return undefined;
  return `= ${base}^${ctx.x} mod ${group.p} = ${bytesToBigint(result)}`;
}

/** Keeps a connection's HandContext up to date; call before ladderSteps with the same event. */
export function updateHandContext(ctx: HandContext, event: TraceEvent): void {
  if (event.kind === 'group') ctx.group = anyGroup(event.group);
  else if (event.kind === 'private_key') ctx.x = bytesToBigint(event.x);
  else if (event.kind === 'public_key' && event.owner !== event.role) ctx.peerY = bytesToBigint(event.y);
}

/**
 * Turns one trace event of one side into ladder steps (docs/PROTOCOL.md s.4). The names are the
 * protocol's: x private exponent, y = g^x mod p, Z shared secret, K = SHA-256(Z), H transcript.
 */
export function ladderSteps(event: TraceEvent, ctx?: HandContext): LadderStep[] {
  const me = event.role;
  switch (event.kind) {
    case 'group':
    case 'announced':
    case 'private_key':
    case 'public_key':
    case 'public_key_valid':
    case 'shared_secret':
      return agreementSteps(event, ctx);
    case 'hashed_secret':
      return [
        {
          label: 'K = SHA-256(Z)',
          kind: 'secret',
          detail: 'basic',
          value: valueOf(event.k),
          note: 'hashed shared secret',
        },
      ];
    case 'transcript':
      return [
        {
          label: 'H transcript hash',
          kind: 'public',
          detail: 'full',
          value: valueOf(event.h),
          note: 'SHA-256 of name, group, y_s, host key, y_c',
        },
      ];
    case 'session_keys':
      return [
        {
          label: 'key client->server',
          kind: 'secret',
          detail: 'full',
          value: valueOf(event.clientToServer),
          note: 'HKDF-SHA-256(K, salt H)',
        },
        {
          label: 'key server->client',
          kind: 'secret',
          detail: 'full',
          value: valueOf(event.serverToClient),
          note: 'HKDF-SHA-256(K, salt H)',
        },
      ];
    case 'host_signature':
      return hostKeySteps(event, me);
    case 'established':
      return [{ label: '✓ established', kind: 'public', detail: 'basic', note: `${event.cipher} keys in place` }];
    case 'error':
      return [
        {
          label: `✗ ${event.code}`,
          kind: 'error',
          detail: 'basic',
          note: `${event.remote ? 'peer reported: ' : ''}${event.message}`,
        },
      ];
    case 'wire':
    case 'seal':
    case 'open':
      return [];
  }
}

/** The key agreement's steps, from the group to Z: what each side computed or received. */
function agreementSteps(event: Extract<TraceEvent, { kind: AgreementKind }>, ctx?: HandContext): LadderStep[] {
  const me = event.role;
  const ySub = (owner: 'client' | 'server') => (owner === 'client' ? 'y_c' : 'y_s');
  switch (event.kind) {
    case 'group':
      return groupSteps(event.group, event.p, event.g);
    case 'announced':
      return [
        {
          label: `server announces: INSECURE (teaching only): ${event.weakenings.join(', ')}`,
          kind: 'error',
          detail: 'basic',
        },
      ];
    case 'private_key':
      return [
        {
          label: `x (${me}'s private exponent)`,
          kind: 'secret',
          detail: 'basic',
          value: valueOfNumber(event.x),
          note: 'secret, from the CSPRNG',
        },
      ];
    case 'public_key':
      return event.owner === me
        ? [
            {
              label: `${ySub(me)} = g^x mod p (sent)`,
              kind: 'public',
              detail: 'basic',
              value: valueOfNumber(event.y),
              note: byHand(ctx, ctx?.group?.g, event.y),
            },
          ]
        : [{ label: `${ySub(event.owner)} received`, kind: 'wire', detail: 'basic', value: valueOfNumber(event.y) }];
    case 'public_key_valid':
      return event.checked === 'length only'
        ? [
            {
              label: `${ySub(event.owner)} not checked (validation off)`,
              kind: 'error',
              detail: 'basic',
              note: 'only its length: 2 <= y <= p-2 and y^q = 1 mod p were skipped',
            },
          ]
        : [
            {
              label: `✓ ${ySub(event.owner)} valid`,
              kind: 'public',
              detail: 'basic',
              note: '2 <= y <= p-2 and y^q = 1 mod p (q = (p-1)/2)',
            },
          ];
    case 'shared_secret':
      return [
        {
          label: `Z = ${ySub(OTHER[me])}^x mod p`,
          kind: 'secret',
          detail: 'basic',
          value: valueOfNumber(event.z),
          note: byHand(ctx, ctx?.peerY, event.z) ?? 'shared secret, padded to |p|',
        },
      ];
  }
}

type AgreementKind = 'group' | 'announced' | 'private_key' | 'public_key' | 'public_key_valid' | 'shared_secret';

/** The group's steps: its name and origin, p, g, and (full detail) q or p - 1. */
function groupSteps(name: string, p: bigint, g: bigint): LadderStep[] {
  const group = anyGroup(name);
  if (!group) return [];
  const origin = group.insecure ? 'INSECURE toy group' : `RFC 3526 s.${group.rfcSection.split(' ')[0]}`;
  return [
    { label: `group ${name}`, kind: 'public', detail: 'basic', note: `${group.p.toString(2).length}-bit, ${origin}` },
    { label: 'p', kind: 'public', detail: 'basic', value: valueOfBigint(p), note: describeGroup(group) },
    { label: 'g', kind: 'public', detail: 'basic', value: valueOfBigint(g), note: generatorNote(group) },
    group.q === group.p - 1n
      ? {
          label: 'p - 1',
          kind: 'public',
          detail: 'full',
          value: valueOfBigint(group.q),
          note: 'not 2q with q prime: p is not a safe prime',
        }
      : {
          label: 'q = (p-1)/2',
          kind: 'public',
          detail: 'full',
          value: valueOfBigint(group.q),
          note: 'prime: p is a safe prime',
        },
  ];
}

/** The server's host key and its signature over H, as verified (or not) on this side. */
function hostKeySteps(event: Extract<TraceEvent, { kind: 'host_signature' }>, me: TraceEvent['role']): LadderStep[] {
  return [
    {
      label: `host key ${event.fingerprint}`,
      kind: event.verified ? 'public' : 'error',
      detail: 'basic',
      value: valueOf(event.hostKey),
      note:
        me === 'server'
          ? 'Ed25519; signs H'
          : event.verified
            ? '✓ signature over H verified'
            : '✗ signature does NOT verify',
    },
    {
      label: 'signature over H',
      kind: 'public',
      detail: 'full',
      value: valueOf(event.signature),
      note: `Ed25519 ${toHex(event.signature).length / 2} bytes`,
    },
  ];
}
