import type { CryptoEngine } from '../crypto/engine.ts';
import type { DhGroup } from '../crypto/groups.ts';
import { DhlabError } from '../errors.ts';
import type { RecordCipher } from '../protocol/channel.ts';
import type { InsecureHooks } from '../protocol/session.ts';
import { cbcRecordCipher } from './cbc.ts';
import { insecureEngine } from './weak-engine.ts';
import { insecureHooks, type InsecureSettings } from './hooks.ts';
import { TOY_GROUPS, toyGroup } from './toy-groups.ts';

/** The shape of a CLI flag (src/cli/verb.ts's Flag): parsed, and printed in a verb's help. */
interface InsecureFlag {
  type: 'string' | 'boolean';
  value?: string;
  needs?: string;
  help: string;
}
type Options = Record<string, InsecureFlag>;

const TEACHING = 'INSECURE, teaching only:';

/** `--insecure-...` flags of `dhlab server`: for a class that attacks a weak server across the room. */
export const INSECURE_SERVER_FLAGS: Options = {
  'insecure-group': {
    type: 'string',
    value: 'toy23|textbook23|toy-32|toy-48|toy-64|smooth-48',
    needs: 'a toy group name',
    help: `${TEACHING} a toy group instead of --group`,
  },
  'insecure-exponent-bits': {
    type: 'string',
    value: 'N',
    needs: 'a number of bits from 2 to 256',
    help: `${TEACHING} private exponents of N bits`,
  },
  'insecure-no-validation': { type: 'boolean', help: `${TEACHING} accept any public value (1, p-1, p)` },
  'insecure-cbc': { type: 'boolean', help: `${TEACHING} AES-256-CBC without a MAC (both ends)` },
  'insecure-nonce-reuse': { type: 'boolean', help: `${TEACHING} seal every frame with nonce 0 (both ends)` },
  'insecure-static-key': { type: 'boolean', help: `${TEACHING} one private exponent for every connection` },
};

/** `--insecure-...` flags of `dhlab client` and `dhlab inspect`. */
export const INSECURE_CLIENT_FLAGS: Options = {
  'insecure-toy-groups': { type: 'boolean', help: `${TEACHING} accept a server's toy group` },
  'insecure-exponent-bits': INSECURE_SERVER_FLAGS['insecure-exponent-bits'] as InsecureFlag,
  'insecure-no-validation': INSECURE_SERVER_FLAGS['insecure-no-validation'] as InsecureFlag,
  'insecure-no-host-key-check': { type: 'boolean', help: `${TEACHING} do not check the server's host key` },
  'insecure-cbc': INSECURE_SERVER_FLAGS['insecure-cbc'] as InsecureFlag,
  'insecure-nonce-reuse': INSECURE_SERVER_FLAGS['insecure-nonce-reuse'] as InsecureFlag,
};

export interface InsecureChoice {
  /** The engine to use: the base one, or the base one able to compute in toy groups. */
  engine: CryptoEngine;
  hooks: InsecureHooks | undefined;
  /** Server: the toy group that replaces --group. */
  group?: DhGroup;
  noHostKeyCheck: boolean;
  /** One line per weakening, for stderr; empty on the secure path. */
  warnings: string[];
  /** The same, in a word or two each, for a title bar. */
  labels: string[];
}

/** Reads the insecure flags; with none of them, returns the base engine and no hooks. */
export function insecureFromFlags(values: Record<string, unknown>, base: CryptoEngine): InsecureChoice {
  const warnings: string[] = [];
  const labels: string[] = [];
  const settings: InsecureSettings = {};
  let group: DhGroup | undefined;
  if (typeof values['insecure-group'] === 'string') {
    group = toyGroup(values['insecure-group']);
    if (!group)
      throw new DhlabError(
        'ERR_USAGE',
        `--insecure-group must be one of ${Object.keys(TOY_GROUPS).join(', ')}, got "${values['insecure-group']}"`,
      );
    settings.acceptToyGroups = true; // and draw x below q
    warnings.push(`toy group ${group.name} (p has ${group.p.toString(2).length} bits): anyone can compute every key`);
    labels.push(group.name);
  }
  if (values['insecure-toy-groups'] === true) {
    settings.acceptToyGroups = true;
    warnings.push('toy groups accepted: a server offering one gets a connection anyone can decrypt');
    labels.push('toy groups');
  }
  if (typeof values['insecure-exponent-bits'] === 'string') {
    const bits = Number(values['insecure-exponent-bits']);
    if (!Number.isInteger(bits) || bits < 2 || bits > 256)
      throw new DhlabError(
        'ERR_USAGE',
        `--insecure-exponent-bits must be a whole number from 2 to 256, got "${values['insecure-exponent-bits']}"`,
      );
    settings.exponentBits = bits;
    warnings.push(`${bits}-bit private exponents: baby-step giant-step recovers them in about 2^${bits / 2} steps`);
    labels.push(`${bits}-bit exponents`);
  }
  if (values['insecure-no-validation'] === true) {
    settings.skipValidation = true;
    warnings.push('public values not validated: 1, p-1 and p are accepted (parameter injection)');
    labels.push('no validation');
  }
  if (values['insecure-cbc'] === true) {
    settings.cbc = true;
    warnings.push(
      'AES-256-CBC without a MAC: anyone on the path can flip bits and replay messages (both ends need --insecure-cbc)',
    );
    labels.push('CBC, no MAC');
  }
  if (values['insecure-nonce-reuse'] === true) {
    if (settings.cbc)
      throw new DhlabError('ERR_USAGE', '--insecure-nonce-reuse weakens GCM, --insecure-cbc replaces it: choose one');
    settings.nonceReuse = true;
    warnings.push(
      'every frame sealed with nonce 0: two frames give P1 XOR P2 and the GCM hash key, and messages can be forged (both ends need --insecure-nonce-reuse)',
    );
    labels.push('nonce reuse');
  }
  if (values['insecure-static-key'] === true) {
    settings.staticKey = true;
    warnings.push(
      'one private exponent for every connection (the original project): with validation off, small-subgroup probes reveal it',
    );
    labels.push('static key');
  }
  const noHostKeyCheck = values['insecure-no-host-key-check'] === true;
  if (noHostKeyCheck) {
    warnings.push('host key not checked: a man in the middle goes unnoticed');
    labels.push('no host-key check');
  }
  const weakened = warnings.length > 0;
  // A server announces its weakenings in server_key (PROTOCOL s.4.1); a client never sends them.
  const hooks = weakened
    ? {
        ...insecureHooks(base, settings),
        announce: labels,
        checkAnnounced: (announced: readonly string[]) => matchRecordLayer(labels, announced),
      }
    : undefined;
  return { engine: weakened ? insecureEngine(base) : base, hooks, group, noHostKeyCheck, warnings, labels };
}

/**
 * For a reader of a capture (`eve --read --keylog`): the teaching CBC record layer, to try on a
 * frame that does not open as AES-256-GCM (a lesson's CBC room announces nothing on the wire).
 */
export function cbcOpener(base: CryptoEngine): (key: Uint8Array) => RecordCipher {
  return (key) => cbcRecordCipher(base, key);
}

/** The weakenings that change the record layer: both ends need the flag, or every frame is ERR_DECRYPT. */
const RECORD_LAYER_FLAGS: Record<string, string> = {
  'CBC, no MAC': '--insecure-cbc',
  'nonce reuse': '--insecure-nonce-reuse',
};

/** A client's record layer must be the server's: say which flag is missing, before the handshake. */
function matchRecordLayer(mine: readonly string[], announced: readonly string[]): void {
  for (const [label, flag] of Object.entries(RECORD_LAYER_FLAGS)) {
    if (announced.includes(label) && !mine.includes(label))
      throw new DhlabError(
        'ERR_INSECURE_SERVER',
        `the server announces "${label}": join it with ${flag} as well (both ends need it, or every frame fails as ERR_DECRYPT)`,
      );
    if (mine.includes(label) && !announced.includes(label))
      throw new DhlabError(
        'ERR_INSECURE_SERVER',
        `this client runs with ${flag}, but the server does not announce "${label}": every frame would fail as ERR_DECRYPT; drop ${flag}`,
      );
  }
}

export function printWarnings(warnings: string[], write: (line: string) => void): void {
  for (const warning of warnings) write(`WARNING: INSECURE (teaching only): ${warning}`);
}
