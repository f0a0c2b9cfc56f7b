import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { DhlabError, isErrorCode } from '../errors.ts';
import { readRegularFile } from '../files.ts';
import { humanDuration, orderOfGenerator } from '../insecure/discrete-log.ts';
import { anyGroup } from '../insecure/toy-groups.ts';
import type { EndpointSpec, ClientSpec, ServerSpec, MallorySpec, Action, Expectation, Step, Scenario } from './types.ts';

type Path = (string | number)[];

/** A lesson is a few KiB of YAML; a file far larger is not one. */
const MAX_SCENARIO_BYTES = 1024 * 1024;
/** The longest string a field may hold: a narration of a few screens (the longest shipped is under 2,000). */
const MAX_STRING = 8192;
/** cbc_bitflip's text: its GCM half opens one box per bit, so the work grows with the square of it. */
const MAX_CBC_TEXT_BYTES = 256;
/** A baby-step table of 2^20 entries (a 2^40 search) takes about a second and 200 MB. */
export const MAX_DISCRETE_LOG_BITS = 40;

/** Reads a field with its position: every problem names the file, the line and the field. */
class Reader {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(path: Path): number {
    for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
      const node = this.doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.lines.linePos(node.range[0]).line;
      if (p.length === 0) break;
    }
    return 1;
  }

  fail(path: Path, message: string): never {
    const field =
      path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '') || '(top)';
    throw new DhlabError('ERR_SCENARIO', `${this.file}:${this.line(path)}: ${field}: ${message}`);
  }

  raw(path: Path): unknown {
    const value = this.doc.getIn(path, false) as unknown;
    return value !== null && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
  }

  has(path: Path): boolean {
    return this.doc.hasIn(path);
  }

  string(path: Path, fallback?: string): string {
    const value = this.raw(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value.length === 0) this.fail(path, 'must be a non-empty string');
    if (value.length > MAX_STRING) this.fail(path, `is ${value.length} characters long; at most ${MAX_STRING}`);
    return value;
  }

  optionalString(path: Path): string | undefined {
    return this.has(path) ? this.string(path) : undefined;
  }

  integer(path: Path, min: number, max: number): number {
    const value = this.raw(path);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(path, `must be an integer from ${min} to ${max}`);
    return value;
  }

  boolean(path: Path, fallback: boolean): boolean {
    if (!this.has(path)) return fallback;
    const value = this.raw(path);
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  keys(path: Path, allowed: readonly string[]): string[] {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (!isMap(node)) this.fail(path, 'must be a mapping (key: value lines)');
    const keys = node.items.map((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key));
    for (const key of keys) if (!allowed.includes(key)) this.fail([...path, key], `unknown field (expected one of: ${allowed.join(', ')})`);
    return keys;
  }

  /** The length of a list, refused above `max` items (limits before work: nothing runs long). */
  list(path: Path, max = 64): number {
    const node = this.doc.getIn(path, true);
    if (!isSeq(node)) this.fail(path, 'must be a list');
    if (node.items.length > max) this.fail(path, `has ${node.items.length} items; at most ${max}`);
    return node.items.length;
  }
}

const NAME = /^[a-z][a-z0-9]{0,15}$/;

function endpoint(r: Reader, path: Path): EndpointSpec {
  const spec: EndpointSpec = {
    validation: r.boolean([...path, 'validation'], true),
    cbc: r.boolean([...path, 'cbc'], false),
    nonceReuse: r.boolean([...path, 'nonce_reuse'], false),
  };
  if (spec.cbc && spec.nonceReuse) r.fail([...path, 'nonce_reuse'], 'nonce_reuse weakens GCM and cbc replaces it: choose one');
  if (r.has([...path, 'exponent'])) {
    const text = r.string([...path, 'exponent']);
    // Exponents are below 2^256 (s.4.1): a longer one is a typo, or a file that wants to stall modPow.
    if (!/^\d{1,78}$/.test(text) || BigInt(text) < 1n || BigInt(text) >= 1n << 256n)
      r.fail([...path, 'exponent'], 'must be a positive whole number below 2^256 (at most 78 digits)');
    spec.exponent = BigInt(text);
  }
  if (r.has([...path, 'exponent_bits'])) spec.exponentBits = r.integer([...path, 'exponent_bits'], 2, 256);
  return spec;
}

function client(r: Reader, path: Path): ClientSpec {
  const value = r.raw(path);
  if (typeof value === 'string') {
    if (!NAME.test(value)) r.fail(path, 'a client name is 1-16 lower-case letters or digits, starting with a letter');
    return { name: value, validation: true, cbc: false, nonceReuse: false, pinned: false, direct: false };
  }
  r.keys(path, ['name', 'exponent', 'exponent_bits', 'validation', 'cbc', 'nonce_reuse', 'pinned', 'direct']);
  const name = r.string([...path, 'name']);
  if (!NAME.test(name)) r.fail([...path, 'name'], 'a client name is 1-16 lower-case letters or digits, starting with a letter');
  return { name, ...endpoint(r, path), pinned: r.boolean([...path, 'pinned'], false), direct: r.boolean([...path, 'direct'], false) };
}

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
const EXPECTATIONS = [
  'equal',
  'differ',
  'value',
  'missing',
  'receives',
  'not_receives',
  'error',
  'members',
  'eve_reads',
  'eve_cannot_read',
  'mallory_reads',
  'mallory_rewrote',
] as const;

function serverSpec(r: Reader, path: Path, base: ServerSpec): ServerSpec {
  r.keys(path, ['group', 'exponent', 'exponent_bits', 'validation', 'cbc', 'nonce_reuse', 'static_key']);
  const spec: ServerSpec = { ...endpoint(r, path), group: r.string([...path, 'group'], base.group), staticKey: r.boolean([...path, 'static_key'], false) };
  if (!anyGroup(spec.group))
    r.fail([...path, 'group'], `unknown group "${spec.group}" (modp14, modp15, modp16, toy23, textbook23, toy-32, toy-48, toy-64, smooth-48)`);
  return spec;
}

function action(r: Reader, path: Path, clients: Set<string>, server: ServerSpec): Action {
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
      return { kind, server: serverSpec(r, at, server) };
    case 'connect':
    case 'leave':
      return { kind, name: known(at, r.string(at)) };
    case 'replay': {
      if (typeof r.raw(at) === 'string') return { kind, connection: known(at, r.string(at)), rewriteSeq: false };
      r.keys(at, ['connection', 'seq']);
      const seq = r.string([...at, 'seq'], 'as_sent');
      if (seq !== 'as_sent' && seq !== 'next') r.fail([...at, 'seq'], `must be as_sent or next, got "${seq}"`);
      return { kind, connection: known([...at, 'connection'], r.string([...at, 'connection'])), rewriteSeq: seq === 'next' };
    }
    case 'say':
      r.keys(at, ['from', 'text']);
      return { kind, from: known([...at, 'from'], r.string([...at, 'from'])), text: r.string([...at, 'text']) };
    case 'discrete_log':
      r.keys(at, ['of', 'bound_bits', 'as']);
      return {
        kind,
        of: r.string([...at, 'of']),
        as: r.string([...at, 'as']),
        ...(r.has([...at, 'bound_bits']) ? { boundBits: r.integer([...at, 'bound_bits'], 2, MAX_DISCRETE_LOG_BITS) } : {}),
      };
    case 'eve_decrypt':
      r.keys(at, ['connection', 'exponent']);
      return { kind, connection: known([...at, 'connection'], r.string([...at, 'connection'])), exponent: r.string([...at, 'exponent']) };
    case 'cost': {
      r.keys(at, ['groups']);
      const n = r.list([...at, 'groups'], 9);
      const groups = Array.from({ length: n }, (_, i) => {
        const name = r.string([...at, 'groups', i]);
        if (!anyGroup(name)) r.fail([...at, 'groups', i], `unknown group "${name}"`);
        return name;
      });
      return { kind, groups };
    }
    case 'flip': {
      // Either one bit, or "at byte N, turn FROM into TO" (XOR with FROM ^ TO, same length).
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
        what: `bytes ${offset}..${offset + from.length - 1} ("${from}" XOR "${to}")`,
      };
    }
    case 'aes_block': {
      r.keys(at, ['connection', 'show']);
      const show = r.string([...at, 'show']);
      if (!(AES_PARTS as readonly string[]).includes(show)) r.fail([...at, 'show'], `must be one of ${AES_PARTS.join(', ')}, got "${show}"`);
      return { kind, connection: known([...at, 'connection'], r.string([...at, 'connection'])), show: show as (typeof AES_PARTS)[number] };
    }
    case 'naive_read':
    case 'say_together': {
      r.keys(at, kind === 'naive_read' ? ['texts', 'long'] : ['from', 'texts', 'long']);
      const n = r.list([...at, 'texts'], 16);
      const texts = Array.from({ length: n }, (_, i) => r.string([...at, 'texts', i]));
      const long = r.has([...at, 'long']) ? r.integer([...at, 'long'], 1, 4096) : 0;
      if (kind === 'naive_read') return { kind, texts, long };
      return { kind, from: known([...at, 'from'], r.string([...at, 'from'])), texts, long };
    }
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
      if (Buffer.byteLength(r.string([...at, 'text'])) > MAX_CBC_TEXT_BYTES) r.fail([...at, 'text'], `must be at most ${MAX_CBC_TEXT_BYTES} bytes`);
      return { kind, text: r.string([...at, 'text']), key: r.string([...at, 'key']), from: r.string([...at, 'from']), to: r.string([...at, 'to']) };
  }
}

function expectation(r: Reader, path: Path): Expectation {
  const keys = r.keys(path, EXPECTATIONS);
  if (keys.length !== 1) r.fail(path, `one check per list item (found ${keys.length})`);
  const kind = keys[0] as (typeof EXPECTATIONS)[number];
  const at = [...path, kind];
  switch (kind) {
    case 'equal':
    case 'differ': {
      if (r.list(at) !== 2) r.fail(at, 'must name exactly two values');
      return { kind, names: [r.string([...at, 0]), r.string([...at, 1])] };
    }
    case 'value':
      r.keys(at, ['of', 'is']);
      return { kind, of: r.string([...at, 'of']), is: r.string([...at, 'is']) };
    case 'missing':
      return { kind, of: r.string(at) };
    case 'receives':
    case 'not_receives':
      r.keys(at, kind === 'receives' ? ['who', 'from', 'text', 'times'] : ['who', 'from', 'text']);
      return {
        kind,
        who: r.string([...at, 'who']),
        from: r.optionalString([...at, 'from']),
        text: r.string([...at, 'text']),
        ...(r.has([...at, 'times']) ? { times: r.integer([...at, 'times'], 1, 1000) } : {}),
      };
    case 'error': {
      r.keys(at, ['who', 'code', 'message']);
      const code = r.string([...at, 'code']);
      if (!isErrorCode(code)) r.fail([...at, 'code'], `"${code}" is not an error code of docs/PROTOCOL.md s.7`);
      const message = r.optionalString([...at, 'message']);
      return { kind, who: r.string([...at, 'who']), code, ...(message === undefined ? {} : { message }) };
    }
    case 'members': {
      const n = r.list(at);
      return { kind, names: Array.from({ length: n }, (_, i) => r.string([...at, i])) };
    }
    case 'eve_reads':
    case 'eve_cannot_read':
    case 'mallory_reads':
      return { kind, text: r.string(at) };
    case 'mallory_rewrote':
      r.keys(at, ['from', 'to']);
      return { kind, from: r.string([...at, 'from']), to: r.string([...at, 'to']) };
  }
}

/**
 * Without bound_bits a discrete log searches the whole order of g: in toy-48 a table of 2^24
 * entries (1.5 GB, half a minute), in modp14 one that cannot exist. Refused at load time, with the
 * estimate, so nothing that long ever runs on the lab's event loop.
 */
function refuseLongSearch(r: Reader, path: Path, groupName: string): void {
  const group = anyGroup(groupName);
  if (!group) return;
  const bits = orderOfGenerator(group).toString(2).length;
  if (bits <= MAX_DISCRETE_LOG_BITS) return;
  const half = Math.ceil(bits / 2);
  // About 90 bytes a BigInt table entry and 1 µs a step, measured on toy-48.
  const gigabytes = (2 ** half * 90) / 1e9;
  const estimate = half <= 32 ? ` (about ${gigabytes < 10 ? gigabytes.toFixed(1) : Math.round(gigabytes)} GB and ${humanDuration(2 ** half * 2e-6)})` : '';
  r.fail(
    path,
    `without bound_bits the search covers the order of g in ${groupName}, a ${bits}-bit number: a table of 2^${half} entries${estimate}; give bound_bits (at most ${MAX_DISCRETE_LOG_BITS})`,
  );
}

/** `seed: 42` and `seed: "42"` are the same seed. */
function seedOf(r: Reader): string {
  const raw = r.raw(['seed']);
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
  return r.string(['seed'], '1');
}

/** Fields a run records for a connection's end (world.ts valueNames, actions.ts). */
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
  if (side === 'mallory') return /^(.+)-(client|server)$/.test(client) && clients.has(client.replace(/-(client|server)$/, ''));
  return false;
}

/**
 * Checks what a step can only get wrong against the rest of the file: a placeholder or value name
 * no run records (`{alice.yy}`), and a view, action or check that needs an actor the file does not
 * have (`view: eve` without `eve: true`, a discrete log with no Eve to read y). All ERR_SCENARIO
 * with file:line:field at load time, before anything runs.
 */
function checkActorsAndNames(r: Reader, steps: Step[], clients: ReadonlySet<string>, eve: boolean, mallory: boolean): void {
  const defined = new Set(steps.flatMap((s) => (s.action.kind === 'discrete_log' || s.action.kind === 'small_subgroup' ? [s.action.as] : [])));
  const nameAt = (path: Path, name: string) => {
    if (!isValueName(name, clients, defined)) r.fail(path, `"${name}" is not a value a run records (docs/TEACHING.md lists the value names)`);
    if (name.startsWith('eve/') && !eve) r.fail(path, `"${name}" is Eve's, but actors.eve is not true`);
    if (name.startsWith('mallory/') && !mallory) r.fail(path, `"${name}" is Mallory's, but there is no actors.mallory`);
  };
  steps.forEach((step, i) => {
    const at: Path = ['steps', i];
    for (const match of step.narration.matchAll(/\{([A-Za-z0-9_./-]+)\}/g)) nameAt([...at, 'narration'], match[1] as string);
    if (step.view === 'eve' && !eve) r.fail([...at, 'view'], 'eve needs actors.eve: true');
    if (step.view === 'mallory' && !mallory) r.fail([...at, 'view'], 'mallory needs actors.mallory');
    const action = step.action;
    const actionAt: Path = [...at, 'action', action.kind];
    if ((action.kind === 'eve_decrypt' || action.kind === 'discrete_log') && !eve && (action.kind === 'eve_decrypt' || action.of.startsWith('eve/')))
      r.fail(actionAt, `${action.kind} needs actors.eve: true`);
    if ((action.kind === 'flip' || action.kind === 'replay' || action.kind === 'forge') && !mallory) r.fail(actionAt, `${action.kind} needs actors.mallory`);
    // These read the wire through Eve's tap (aes_block reads the frames the ends recorded).
    if ((action.kind === 'eve_xor' || action.kind === 'forbidden_attack' || action.kind === 'forge') && !eve)
      r.fail(actionAt, `${action.kind} needs actors.eve: true`);
    if (action.kind === 'discrete_log') nameAt([...actionAt, 'of'], action.of);
    if (action.kind === 'eve_decrypt') nameAt([...actionAt, 'exponent'], action.exponent);
    step.expect.forEach((e, j) => {
      const eAt: Path = [...at, 'expect', j, e.kind];
      if ((e.kind === 'eve_reads' || e.kind === 'eve_cannot_read') && !eve) r.fail(eAt, `${e.kind} needs actors.eve: true`);
      if ((e.kind === 'mallory_reads' || e.kind === 'mallory_rewrote') && !mallory) r.fail(eAt, `${e.kind} needs actors.mallory`);
      if (e.kind === 'equal' || e.kind === 'differ') e.names.forEach((n, k) => nameAt([...eAt, k], n));
      if (e.kind === 'value' || e.kind === 'missing') nameAt(e.kind === 'value' ? [...eAt, 'of'] : eAt, e.of);
    });
  });
}

/** Parses and checks a scenario; throws ERR_SCENARIO naming file, line and field. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new DhlabError('ERR_SCENARIO', `${file}:${line}: not valid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const r: Reader = new Reader(file, doc, lines);
  r.keys([], ['title', 'summary', 'seed', 'actors', 'steps']);
  r.keys(['actors'], ['server', 'clients', 'eve', 'mallory', 'resegment']);

  let server: ServerSpec = { group: 'modp14', validation: true, cbc: false, nonceReuse: false, staticKey: false };
  if (r.has(['actors', 'server'])) server = serverSpec(r, ['actors', 'server'], server);
  const clientCount = r.list(['actors', 'clients']);
  if (clientCount === 0) r.fail(['actors', 'clients'], 'needs at least one client');
  const clients = Array.from({ length: clientCount }, (_, i) => client(r, ['actors', 'clients', i]));
  const clientNames = new Set(clients.map((c) => c.name));
  if (clientNames.size !== clients.length) r.fail(['actors', 'clients'], 'client names must differ');

  let mallory: MallorySpec | undefined;
  if (r.has(['actors', 'mallory'])) {
    const at = ['actors', 'mallory'];
    r.keys(at, ['mode', 'fixed_value', 'rewrite']);
    const mode = r.string([...at, 'mode']);
    if (mode !== 'relay' && mode !== 'mitm' && mode !== 'fix-key') r.fail([...at, 'mode'], 'must be relay, mitm or fix-key');
    mallory = { mode, rewrites: [] };
    if (r.has([...at, 'fixed_value'])) {
      const value = r.string([...at, 'fixed_value']);
      if (value !== 'one' && value !== 'p-1' && value !== 'p') r.fail([...at, 'fixed_value'], 'must be one, p-1 or p');
      mallory.fixedValue = value;
    }
    if (r.has([...at, 'rewrite'])) {
      const n = r.list([...at, 'rewrite']);
      for (let i = 0; i < n; i++) {
        r.keys([...at, 'rewrite', i], ['from', 'to']);
        mallory.rewrites.push({ from: r.string([...at, 'rewrite', i, 'from']), to: r.string([...at, 'rewrite', i, 'to']) });
      }
    }
  }

  const stepCount = r.list(['steps'], 200);
  if (stepCount === 0) r.fail(['steps'], 'needs at least one step');
  const steps: Step[] = [];
  let current = server;
  for (let i = 0; i < stepCount; i++) {
    const at = ['steps', i];
    r.keys(at, ['title', 'narration', 'view', 'action', 'expect']);
    const view = r.optionalString([...at, 'view']);
    if (view !== undefined && !clientNames.has(view) && !['server', 'eve', 'mallory'].includes(view))
      r.fail([...at, 'view'], `must be a client's name, server, eve or mallory`);
    const expectCount = r.has([...at, 'expect']) ? r.list([...at, 'expect']) : 0;
    const act = action(r, [...at, 'action'], clientNames, current);
    if (act.kind === 'restart') current = act.server;
    if (act.kind === 'discrete_log' && act.boundBits === undefined) refuseLongSearch(r, [...at, 'action', 'discrete_log'], current.group);
    steps.push({
      title: r.string([...at, 'title']),
      narration: r.string([...at, 'narration']).trim(),
      view,
      action: act,
      expect: Array.from({ length: expectCount }, (_, j) => expectation(r, [...at, 'expect', j])),
      line: r.line(at),
    });
  }
  const eve = r.boolean(['actors', 'eve'], false);
  checkActorsAndNames(r, steps, clientNames, eve, mallory !== undefined);
  const name = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  return {
    file,
    name,
    title: r.string(['title']),
    summary: r.string(['summary']),
    seed: seedOf(r),
    server,
    clients,
    eve,
    mallory,
    resegment: r.boolean(['actors', 'resegment'], false),
    steps,
  };
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readRegularFile(file, MAX_SCENARIO_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOTREGULAR' ? 'not a regular file' : code === 'EFBIG' ? `larger than ${MAX_SCENARIO_BYTES / 1024} KiB` : code;
    throw new DhlabError('ERR_SCENARIO', `${file}: cannot read (${why})`);
  }
  return parseScenario(text, file);
}
