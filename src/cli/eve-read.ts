import { DhlabError, fileError } from '../errors.ts';
import { readRegularBytes, readRegularFile } from '../files.ts';
import type { CryptoEngine } from '../crypto/engine.ts';
import { cbcOpener } from '../insecure/flags.ts';
import { parseKeyLog } from '../protocol/key-log.ts';
import { replayCapture, type ReplayedObservation } from '../tap/capture-replay.ts';
import { observationRecord } from '../tap/observation-record.ts';
import { printError, stdoutFlow, terminal } from '../terminal/output.ts';
import { safeText } from '../terminal/safe-text.ts';

/** The largest capture `eve --read` takes in (a class's hour of chat is a few megabytes). */
export const MAX_CAPTURE_BYTES = 512 * 1024 * 1024;
const MAX_KEY_LOG_BYTES = 16 * 1024 * 1024;

function readOrSay<T>(file: string, read: (file: string) => T): T {
  try {
    return read(file);
  } catch (error) {
    throw fileError(error, `cannot read ${file}`);
  }
}

/** A replayed frame as `eve --json` writes it, and with a key log what the key opened. */
export function replayRecord(o: ReplayedObservation): Record<string, unknown> {
  return {
    ...observationRecord(o),
    ...(o.plaintext === undefined ? {} : { plaintext: o.plaintext }),
    ...(o.record === 'cbc' ? { record: 'AES-256-CBC without a MAC: nothing proves who sealed it' } : {}),
    ...(o.openFailed === 'tag' ? { open: 'the tag does not verify under the logged key' } : {}),
    ...(o.openFailed === 'padding' ? { open: 'the CBC padding is wrong under the logged key (CBC has no tag)' } : {}),
  };
}

/**
 * `dhlab eve --read FILE [--keylog FILE] [--json]`: Eve's view of a capture someone made (tcpdump,
 * Wireshark, `--pcap`). With a key log, the teacher's view: each sealed frame beside its plaintext.
 * @throws DhlabError ERR_CAPTURE, ERR_KEY_LOG, ERR_FILE
 */
export async function eveRead(
  file: string,
  keyLogFile: string | undefined,
  json: boolean,
  engine: CryptoEngine,
): Promise<number> {
  if (!json && !terminal.stdoutIsTTY) throw new DhlabError('ERR_USAGE', 'without a terminal, use --json');
  const bytes = readOrSay(file, (f) => readRegularBytes(f, MAX_CAPTURE_BYTES));
  const log =
    keyLogFile === undefined
      ? undefined
      : parseKeyLog(readOrSay(keyLogFile, (f) => readRegularFile(f, MAX_KEY_LOG_BYTES)));
  const keys = log && { log, engine, cbc: cbcOpener(engine) };
  const observations: ReplayedObservation[] = [];
  const notes = replayCapture(bytes, (o) => observations.push(o), keys);
  if (json) {
    // Each line waits for stdout to take the last: a slow reader slows the file, not memory.
    for (const o of observations)
      if (!stdoutFlow.writeJson(replayRecord(o))) await new Promise<void>((r) => stdoutFlow.onceDrain(r));
    for (const gap of notes.gaps) printError(`dhlab eve: ${gap}`);
    if (notes.otherStreams > 0) printError(`dhlab eve: ${notes.otherStreams} TCP streams are not dhlab (skipped)`);
    return 0;
  }
  const { openEveScreen } = await import('../../lab/cli.ts');
  // What the screen is first: a cut title loses the file names before it.
  const title = `${log ? 'sealed frames opened with the key log · ' : ''}read from ${file}${log ? ` · keys from ${keyLogFile}` : ''}`;
  return new Promise<number>((resolve) => {
    const screen = openEveScreen(safeText(title), () => (screen.destroy(), resolve(0)));
    for (const o of observations)
      screen.onObservation(
        o,
        o.plaintext === undefined || o.record !== 'cbc' ? o.plaintext : `(CBC, no MAC) ${o.plaintext}`,
      );
    for (const gap of notes.gaps) screen.note(gap);
  });
}
