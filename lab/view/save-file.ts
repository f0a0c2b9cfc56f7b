import fs from 'node:fs';
import path from 'node:path';

export type Saved = { ok: true; file: string } | { ok: false; folder: string; why: string };

/**
 * Saves a value (it may be a secret: K, x) to a new file readable by the user alone, named after
 * `label` in `dir`. Never follows or overwrites what is there (a planted symlink included): a
 * taken name gets a suffix, -2 to -100. Failure is returned, for a notice in the lab.
 */
export function saveToNewFile(dir: string, label: string, text: string): Saved {
  const base = path.join(dir, `dhlab-${label.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_|_$/g, '')}`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  for (let n = 1; n <= 100; n++) {
    const file = n === 1 ? `${base}.txt` : `${base}-${n}.txt`;
    try {
      const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      try {
        fs.writeSync(fd, `${text}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return { ok: true, file };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      const why =
        code === 'ENOENT' ? 'the folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (error as Error).message);
      return { ok: false, folder: path.dirname(base), why };
    }
  }
  return { ok: false, folder: path.dirname(base), why: 'every name up to -100 is taken' };
}
