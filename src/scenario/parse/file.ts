import { LineCounter, parseDocument } from 'yaml';
import { DhlabError, isErrorCode } from '../../errors.ts';
import { readRegularFile } from '../../files.ts';
import { humanDuration, orderOfGenerator } from '../../insecure/attacks/discrete-log.ts';
import { anyGroup } from '../../insecure/toy-groups.ts';
import { checkActorsAndNames } from './value-names.ts';
import { action, MAX_DISCRETE_LOG_BITS } from './file-actions.ts';

export { MAX_DISCRETE_LOG_BITS };
import { Reader, type Path } from './yaml-reader.ts';
import type { EndpointSpec, ClientSpec, ServerSpec, MallorySpec, Expectation, Step, Scenario } from '../types.ts';

/** A lesson is a few KiB of YAML; a file far larger is not one. */
const MAX_SCENARIO_BYTES = 1024 * 1024;
function endpoint(r: Reader, path: Path): EndpointSpec {
  const spec: EndpointSpec = {
    validation: r.boolean([...path, 'validation'], true),
    cbc: r.boolean([...path, 'cbc'], false),
    nonceReuse: r.boolean([...path, 'nonce_reuse'], false),
  };
  if (spec.cbc && spec.nonceReuse)
    r.fail([...path, 'nonce_reuse'], 'nonce_reuse weakens GCM and cbc replaces it: choose one');
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

const NAME = /^[a-z][a-z0-9]{0,15}$/;

function client(r: Reader, path: Path): ClientSpec {
  const value = r.raw(path);
  if (typeof value === 'string') {
    if (!NAME.test(value)) r.fail(path, 'a client name is 1-16 lower-case letters or digits, starting with a letter');
    return { name: value, validation: true, cbc: false, nonceReuse: false, pinned: false, direct: false };
  }
  r.keys(path, ['name', 'exponent', 'exponent_bits', 'validation', 'cbc', 'nonce_reuse', 'pinned', 'direct']);
  const name = r.string([...path, 'name']);
  if (!NAME.test(name))
    r.fail([...path, 'name'], 'a client name is 1-16 lower-case letters or digits, starting with a letter');
  return {
    name,
    ...endpoint(r, path),
    pinned: r.boolean([...path, 'pinned'], false),
    direct: r.boolean([...path, 'direct'], false),
  };
}

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
  const spec: ServerSpec = {
    ...endpoint(r, path),
    group: r.string([...path, 'group'], base.group),
    staticKey: r.boolean([...path, 'static_key'], false),
  };
  if (!anyGroup(spec.group))
    r.fail(
      [...path, 'group'],
      `unknown group "${spec.group}" (modp14, modp15, modp16, toy23, textbook23, toy-32, toy-48, toy-64, smooth-48)`,
    );
  return spec;
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
  const estimate =
    half <= 32
      ? ` (about ${gigabytes < 10 ? gigabytes.toFixed(1) : Math.round(gigabytes)} GB and ${humanDuration(2 ** half * 2e-6)})`
      : '';
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

/** actors.mallory: her mode, the value fix-key substitutes, and the text she rewrites. */
function mallorySpec(r: Reader, at: Path): MallorySpec {
  r.keys(at, ['mode', 'fixed_value', 'rewrite']);
  const mode = r.string([...at, 'mode']);
  if (mode !== 'relay' && mode !== 'mitm' && mode !== 'fix-key')
    r.fail([...at, 'mode'], 'must be relay, mitm or fix-key');
  const mallory: MallorySpec = { mode, rewrites: [] };
  if (r.has([...at, 'fixed_value'])) {
    const value = r.string([...at, 'fixed_value']);
    if (value !== 'one' && value !== 'p-1' && value !== 'p') r.fail([...at, 'fixed_value'], 'must be one, p-1 or p');
    mallory.fixedValue = value;
  }
  if (r.has([...at, 'rewrite'])) {
    const n = r.list([...at, 'rewrite']);
    for (let i = 0; i < n; i++) {
      r.keys([...at, 'rewrite', i], ['from', 'to']);
      mallory.rewrites.push({
        from: r.string([...at, 'rewrite', i, 'from']),
        to: r.string([...at, 'rewrite', i, 'to']),
      });
    }
  }
  return mallory;
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

  const mallory = r.has(['actors', 'mallory']) ? mallorySpec(r, ['actors', 'mallory']) : undefined;

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
    const act = action(r, [...at, 'action'], clientNames, (restartAt) => serverSpec(r, restartAt, current));
    if (act.kind === 'restart') current = act.server;
    if (act.kind === 'discrete_log' && act.boundBits === undefined)
      refuseLongSearch(r, [...at, 'action', 'discrete_log'], current.group);
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
    const why =
      code === 'ENOTREGULAR'
        ? 'not a regular file'
        : code === 'EFBIG'
          ? `larger than ${MAX_SCENARIO_BYTES / 1024} KiB`
          : code;
    throw new DhlabError('ERR_SCENARIO', `${file}: cannot read (${why})`);
  }
  return parseScenario(text, file);
}
