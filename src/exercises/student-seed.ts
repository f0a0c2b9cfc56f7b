import { createHmac } from 'node:crypto';
import { DhlabError } from '../errors.ts';

/** The most a course secret file may hold (a secret is a line; this bounds a wrong path). */
export const MAX_COURSE_SECRET_BYTES = 4096;

/**
 * One student's cases: HMAC-SHA256(course secret, "dhlab/1 student" || id || exercise) (RFC 2104).
 * Two students get different values, so a copied answer fails; the same student always the same;
 * and without the secret nobody can compute another student's cases from their id.
 * @throws DhlabError ERR_USAGE for an empty secret or id
 */
export function studentSeed(secret: string, student: string, exercise: string): string {
  if (secret.trim() === '') throw new DhlabError('ERR_USAGE', 'the course secret is empty');
  if (student === '') throw new DhlabError('ERR_USAGE', '--student needs an id');
  // Length-prefixed fields: ("ab", "c") and ("a", "bc") are different inputs.
  const fields = ['dhlab/1 student', student, exercise].map((f) => `${Buffer.byteLength(f)}:${f}`).join('');
  return createHmac('sha256', secret.trim()).update(fields).digest('hex');
}

/** What a report names: a short id of the seed, which says nothing of the secret (12 hex digits). */
export function seedId(seed: string): string {
  return seed.slice(0, 12);
}
