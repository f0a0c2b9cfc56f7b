import fs from 'node:fs';

/**
 * Files a user named on the command line or in a scenario, opened so that a planted name cannot
 * hang or redirect dhlab: O_NONBLOCK so a FIFO does not wait for a writer, fstat on the open
 * descriptor so only a regular file is read or written, O_NOFOLLOW so a symlink in a shared
 * folder (/tmp) cannot point a write at another file. Errors carry an errno-style code for
 * errors.ts fileError: ELOOP (a link), ENOTREGULAR (a FIFO, a device, a folder), EFBIG (too big).
 */

class FileProblem extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function regularOrThrow(fd: number): fs.Stats {
  const stats = fs.fstatSync(fd);
  if (!stats.isFile()) throw new FileProblem(stats.isDirectory() ? 'EISDIR' : 'ENOTREGULAR');
  return stats;
}

function existingKind(stats: fs.Stats): string {
  if (stats.isSymbolicLink()) return 'ELOOP';
  if (stats.isDirectory()) return 'EISDIR';
  return stats.isFile() ? 'EEXIST' : 'ENOTREGULAR';
}

/** Reads a regular file of at most `maxBytes`, as bytes. @throws an errno-coded error */
export function readRegularBytes(file: string, maxBytes: number): Buffer {
  const { O_RDONLY, O_NONBLOCK } = fs.constants;
  const fd = fs.openSync(file, O_RDONLY | O_NONBLOCK);
  try {
    if (regularOrThrow(fd).size > maxBytes) throw new FileProblem('EFBIG');
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a regular file of at most `maxBytes` as UTF-8. @throws an errno-coded error */
export function readRegularFile(file: string, maxBytes: number): string {
  const { O_RDONLY, O_NONBLOCK } = fs.constants;
  const fd = fs.openSync(file, O_RDONLY | O_NONBLOCK);
  try {
    if (regularOrThrow(fd).size > maxBytes) throw new FileProblem('EFBIG');
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Creates or replaces a regular file, never through a symlink and never into a FIFO; with
 * `replace: false`, only creates (EEXIST when the file is there). @throws an errno-coded error
 */
export function writeRegularFile(file: string, text: string, mode = 0o644, replace = true): void {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | (replace ? 0 : O_EXCL), mode);
  } catch (error) {
    // O_EXCL says EEXIST for whatever is there: a link, a folder or a FIFO is named as such.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileProblem(existingKind(fs.lstatSync(file)));
    throw error;
  }
  try {
    regularOrThrow(fd);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens a regular file for a stream of writes (a capture, a key log): created with `mode` if it
 * is not there, never through a symlink or into a FIFO; emptied first unless `append`. Returns
 * the descriptor. @throws an errno-coded error
 */
export function openForWriting(file: string, mode: number, append: boolean): number {
  const { O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_APPEND } = fs.constants;
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | (append ? O_APPEND : 0), mode);
  try {
    regularOrThrow(fd);
    if (!append) fs.ftruncateSync(fd, 0);
    return fd;
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

const temporary = new Set<string>();
const CLEANUP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function removeTemporary(): void {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
  temporary.clear();
}

/** A signal that would end the process: remove the folders, then let it end as it would have. */
function onCleanupSignal(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  removeTemporary();
  stopWatching();
  // Another listener (the lab's, the server's) decides what the signal does; alone, it kills.
  if (alone) process.kill(process.pid, signal);
}

function stopWatching(): void {
  for (const s of CLEANUP_SIGNALS) process.removeListener(s, onCleanupSignal);
  process.removeListener('exit', removeTemporary);
}

/** A private temporary folder that is removed on exit and on SIGINT, SIGTERM or SIGHUP. */
export function temporaryFolder(prefix: string): { path: string; remove(): void } {
  const dir = fs.mkdtempSync(prefix);
  if (temporary.size === 0) {
    for (const s of CLEANUP_SIGNALS) process.on(s, onCleanupSignal);
    process.on('exit', removeTemporary);
  }
  temporary.add(dir);
  return {
    path: dir,
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
      temporary.delete(dir);
      if (temporary.size === 0) stopWatching();
    },
  };
}
