import fs from 'node:fs';
import path from 'node:path';
import { fileReason } from '../../src/errors.ts';
import { homeRelative } from '../../src/config-dir.ts';
import type { Palette } from '../../src/terminal/colors.ts';
import { safeText } from '../../src/terminal/safe-text.ts';

/** The file written, or the one that could not be and why. */
export type Saved = { ok: true; file: string } | { ok: false; file: string; why: string };

/**
 * Saves a value (it may be a secret: K, x) to a new file readable by the user alone, named after
 * `label` in `dir`. Never follows or overwrites what is there (a planted symlink included): a
 * taken name gets a suffix, -2 to -100. With `create`, a missing `dir` is made (0700, as it holds
 * secrets). Failure is returned, for a notice in the lab.
 */
export function saveToNewFile(dir: string, label: string, text: string, create = false): Saved {
  const base = path.join(dir, `dhlab-${label.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_|_$/g, '')}`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  if (create) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      return { ok: false, file: dir, why: fileReason(error) };
    }
  }
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
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      return { ok: false, file, why: fileReason(error) };
    }
  }
  return { ok: false, file: `${base}.txt`, why: 'it and every name up to -100 are taken' };
}

/** The status line's words for a save: where the file is, or why there is none. */
export function savedNotice(saved: Saved, colors: Palette): string {
  const file = safeText(homeRelative(saved.file));
  return saved.ok ? `saved ${file} (readable by you only)` : colors.error(`not saved to ${file}: ${saved.why}`);
}
