import { createHmac } from 'node:crypto';
import { DhlabError, fileError } from '../errors.ts';
import { readRegularFile } from '../files.ts';

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

/**
 * The course secret: the file `--course-secret` names, else DHLAB_COURSE_SECRET. `who` begins
 * the refusal ("--student needs", "dhlab class needs").
 * @throws DhlabError ERR_USAGE without one, ERR_FILE for a file that cannot be read
 */
export function courseSecret(file: unknown, who: string, env: NodeJS.ProcessEnv = process.env): string {
  let secret = env.DHLAB_COURSE_SECRET;
  if (typeof file === 'string') {
    try {
      secret = readRegularFile(file, MAX_COURSE_SECRET_BYTES);
    } catch (error) {
      throw fileError(error, `cannot read ${file}`);
    }
  }
  if (secret === undefined || secret.trim() === '')
    throw new DhlabError(
      'ERR_USAGE',
      `${who} the course secret: set DHLAB_COURSE_SECRET, or give --course-secret FILE (one line, kept from students)`,
    );
  return secret;
}
