import type { Step } from '../types.ts';
import type { Path, Reader } from './yaml-reader.ts';

/** Fields a run records for a connection's end (runtime/run-record.ts valueNames, actions/). */
const END_FIELDS = new Set([
  // eve_xor (lesson 11): C1 XOR C2, and what Eve read with her guess of P1.
  'xor',
  'recovered',
  'x',
  'y',
  'y_s',
  'y_c',
  'Z',
  'K',
  'H',
  'key_c2s',
  'key_s2c',
  'fingerprint',
  'host_key',
  'last_sealed',
  'last_sealed_plaintext',
  'last_opened',
  'name',
  'group',
]);
const FIXED_VALUES = new Set([
  'group.p',
  'group.g',
  'group.q',
  'server.fingerprint',
  'mallory.fingerprint',
  'cbc.iv',
  'cbc.forged_iv',
  'cbc.tampered',
  'gcm.flips_tried',
  'gcm.flips_accepted',
  // forbidden_attack and forge (lesson 11): what Mallory found, what the key says, her tag.
  ...['h', 'ek_j0', 'true_h', 'true_ek_j0'].map((name) => `forbidden.${name}`),
  'forge.tag',
  // naive_read and say_together (lesson 12)
  'naive.first',
  'naive.count',
  'framing.long_received',
  // aes_block (lesson 13): the first chat frame recomputed by hand, and what the wire carried.
  ...[
    'key',
    'nonce',
    'j0',
    'j1',
    'keystream',
    'plaintext_block',
    'ciphertext_block',
    'wire_block',
    'ciphertext',
    'wire_ciphertext',
    'h',
    's',
    'ek_j0',
    'tag',
    'wire_tag',
  ].map((name) => `aes.${name}`),
]);

/** Whether a run can ever record a value of this name (docs/TEACHING.md, "value names"). */
function isValueName(name: string, clients: ReadonlySet<string>, defined: ReadonlySet<string>): boolean {
  if (FIXED_VALUES.has(name) || defined.has(name) || /^cost\.[a-z0-9-]+\.(x|secret)$/.test(name)) return true;
  const dot = name.lastIndexOf('.');
  if (dot < 0 || !END_FIELDS.has(name.slice(dot + 1))) return false;
  const who = name.slice(0, dot);
  const [side, client] = who.includes('/') ? (who.split('/', 2) as [string, string]) : ['', who];
  if (side === '') return clients.has(client);
  if (side === 'server' || side === 'eve') return clients.has(client);
  if (side === 'mallory')
    return /^(.+)-(client|server)$/.test(client) && clients.has(client.replace(/-(client|server)$/, ''));
  return false;
}

/**
 * Checks what a step can only get wrong against the rest of the file: a placeholder or value name
 * no run records (`{alice.yy}`), and a view, action or check that needs an actor the file does not
 * have (`view: eve` without `eve: true`, a discrete log with no Eve to read y). All ERR_SCENARIO
 * with file:line:field at load time, before anything runs.
 */
export function checkActorsAndNames(
  r: Reader,
  steps: Step[],
  clients: ReadonlySet<string>,
  eve: boolean,
  mallory: boolean,
): void {
  const defined = new Set(
    steps.flatMap((s) => (s.action.kind === 'discrete_log' || s.action.kind === 'small_subgroup' ? [s.action.as] : [])),
  );
  const nameAt = (path: Path, name: string) => {
    if (!isValueName(name, clients, defined))
      r.fail(path, `"${name}" is not a value a run records (docs/TEACHING.md lists the value names)`);
    if (name.startsWith('eve/') && !eve) r.fail(path, `"${name}" is Eve's, but actors.eve is not true`);
    if (name.startsWith('mallory/') && !mallory) r.fail(path, `"${name}" is Mallory's, but there is no actors.mallory`);
  };
  const needs = (at: Path, kind: string, actor: 'eve' | 'mallory') => {
    if (actor === 'eve' && !eve) r.fail(at, `${kind} needs actors.eve: true`);
    if (actor === 'mallory' && !mallory) r.fail(at, `${kind} needs actors.mallory`);
  };
  steps.forEach((step, i) => {
    const at: Path = ['steps', i];
    for (const match of step.narration.matchAll(/\{([A-Za-z0-9_./-]+)\}/g))
      nameAt([...at, 'narration'], match[1] as string);
    if (step.view === 'eve' && !eve) r.fail([...at, 'view'], 'eve needs actors.eve: true');
    if (step.view === 'mallory' && !mallory) r.fail([...at, 'view'], 'mallory needs actors.mallory');
    const action = step.action;
    const actionAt: Path = [...at, 'action', action.kind];
    for (const actor of ACTION_NEEDS[action.kind] ?? []) needs(actionAt, action.kind, actor);
    if (action.kind === 'discrete_log' && action.of.startsWith('eve/')) needs(actionAt, action.kind, 'eve');
    if (action.kind === 'discrete_log') nameAt([...actionAt, 'of'], action.of);
    if (action.kind === 'eve_decrypt') nameAt([...actionAt, 'exponent'], action.exponent);
    step.expect.forEach((e, j) => {
      const eAt: Path = [...at, 'expect', j, e.kind];
      for (const actor of EXPECT_NEEDS[e.kind] ?? []) needs(eAt, e.kind, actor);
      if (e.kind === 'equal' || e.kind === 'differ') e.names.forEach((n, k) => nameAt([...eAt, k], n));
      if (e.kind === 'value' || e.kind === 'missing') nameAt(e.kind === 'value' ? [...eAt, 'of'] : eAt, e.of);
    });
  });
}

/**
 * Who an action needs: Eve's tap to read the wire (aes_block reads the frames the ends recorded,
 * so it needs neither), Mallory to change it. A discrete log needs Eve when it reads her y.
 */
const ACTION_NEEDS: Partial<Record<Step['action']['kind'], ReadonlyArray<'eve' | 'mallory'>>> = {
  eve_decrypt: ['eve'],
  eve_xor: ['eve'],
  forbidden_attack: ['eve'],
  forge: ['eve', 'mallory'],
  flip: ['mallory'],
  replay: ['mallory'],
};

const EXPECT_NEEDS: Partial<Record<Step['expect'][number]['kind'], ReadonlyArray<'eve' | 'mallory'>>> = {
  eve_reads: ['eve'],
  eve_cannot_read: ['eve'],
  mallory_reads: ['mallory'],
  mallory_rewrote: ['mallory'],
};
