import { GROUPS, isGroupName, type DhGroup } from '../crypto/groups.ts';
import { DhlabError } from '../errors.ts';

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
