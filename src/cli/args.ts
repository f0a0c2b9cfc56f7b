import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GROUPS, isGroupName, type DhGroup } from '../crypto/groups.ts';
import { DhlabError } from '../errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = {
  crypto: { type: 'string', default: 'native' },
  help: { type: 'boolean', short: 'h' },
  'no-color': { type: 'boolean', default: false },
};

export function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new DhlabError('ERR_USAGE', (error as Error).message);
  }
}

/** parse() for a verb that takes names too ("dhlab check dh"): values and positionals. */
export function parseWithPositionals(args: string[], options: Options) {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: true });
    return { values, positionals };
  } catch (error) {
    throw new DhlabError('ERR_USAGE', (error as Error).message);
  }
}

export function stringOption(values: Record<string, unknown>, key: string): string {
  return String(values[key]);
}

/**
 * A whole number from `min` to `max` (a port, a count).
 * @throws DhlabError ERR_USAGE for anything else, "8080.5" and "1e3" included
 */
export function intOption(values: Record<string, unknown>, key: string, min: number, max: number): number {
  const text = stringOption(values, key);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new DhlabError('ERR_USAGE', `--${key} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/**
 * A decimal number from `min` to `max` (seconds, a rate): digits, optionally a point and more.
 * @throws DhlabError ERR_USAGE for anything else
 */
export function numberOption(values: Record<string, unknown>, key: string, min: number, max: number): number {
  const text = stringOption(values, key);
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
    throw new DhlabError('ERR_USAGE', `--${key} must be a number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

export function groupOption(values: Record<string, unknown>): DhGroup {
  const name = stringOption(values, 'group');
  if (!isGroupName(name)) throw new DhlabError('ERR_USAGE', `--group must be modp14, modp15 or modp16, got "${name}"`);
  return GROUPS[name];
}
