import type readline from 'node:readline';
import { palette } from '../terminal/colors.ts';
import { safeText } from '../terminal/safe-text.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { PinResult } from '../client/known-servers.ts';
import { rowsOf } from '../terminal/width.ts';
import { cursor, print, printJson, printStyled, terminal, writeStyled } from '../terminal/output.ts';

/** What `dhlab client` prints, and how: JSON lines, text lines on a pipe, or a terminal with a prompt. */
export type Printable = ServerEvent | { type: 'connected'; [key: string]: unknown };

/** What the client prints, as JSON lines or as text lines on a terminal or pipe. */
export interface ClientOutput {
  event(event: Printable): void;
  /** The user pressed Enter on a line: its echo, still on screen, is taken back. */
  typed?(line: string): void;
  /** A line the user typed is on its way: shown once, marked until the server's echo confirms it. */
  pending?(text: string): void;
  note(line: string): void;
  /** A --trace line for stderr; on a terminal it goes above the prompt, which stays whole. */
  aside(line: string): void;
}

const PIN_WORDS: Record<PinResult, string> = {
  new: 'first use',
  known: 'matches the pinned key',
  replaced: 'changed, accepted with --accept-new-host-key',
  unchecked: 'not checked: --insecure-no-host-key-check',
};

function roster(members: readonly string[], count: number): string {
  return members.map(safeText).join(', ') + (count > members.length ? ` and ${count - members.length} more` : '');
}

/** One text line per event; every peer-chosen string goes through safeText (docs/PROTOCOL.md s.6.3). */
export function plainLine(event: Printable): string | null {
  switch (event.type) {
    case 'connected': {
      const file = safeText(String(event.pinnedIn));
      const pin = PIN_WORDS[event.pin as PinResult];
      const pinned =
        event.pin === 'new'
          ? `\n* first connection to this server: its host key is now pinned in ${file}`
          : event.pin === 'replaced'
            ? `\n* the new host key replaces the old one in ${file}`
            : '';
      return `* connected to ${String(event.server)} as ${safeText(String(event.name))}; host key ${String(event.fingerprint)} (${pin})${pinned}\n* in the room: ${roster(event.members as string[], event.count as number)}`;
    }
    case 'message':
      return `<${safeText(event.from)}> ${safeText(event.text)}`;
    case 'join':
      return `* ${safeText(event.name)} joined`;
    case 'leave':
      return `* ${safeText(event.name)} left (${safeText(event.reason)})`;
    case 'who':
      return `* in the room: ${roster(event.members, event.count)}`;
    case 'bye':
      return `* server closed the session: ${safeText(event.reason)}`;
    case 'error':
      return `! ${event.code}: ${safeText(event.message)}`;
    case 'welcome':
      return null;
  }
}

export function jsonOutput(): ClientOutput {
  return { event: (event) => printJson(event), note: () => {}, aside: (line) => printStyled(line, 'stderr') };
}

export function pipeOutput(): ClientOutput {
  return {
    event: (event) => {
      const line = plainLine(event);
      if (line !== null) print(line);
    },
    note: (line) => print(line),
    aside: (line) => printStyled(line, 'stderr'),
  };
}

/**
 * An interactive terminal: readline owns the input line; events print above it. A line the user
 * sends is redrawn as `<me> text …` and the mark is removed in place when the echo arrives, so
 * each message appears once (as irssi and weechat do).
 */
export function terminalOutput(rl: readline.Interface, myName: () => string): ClientOutput {
  const colors = palette();
  const columns = () => terminal.columns;
  // Rows printed since each pending line, oldest first.
  const pending: Array<{ text: string; rows: number; rowsAfter: number }> = [];
  const print = (line: string, stream: 'stdout' | 'stderr' = 'stdout') => {
    cursor.clearLine();
    cursor.to(0);
    printStyled(line, stream);
    // stderr redirected to a file puts nothing on the screen above the pending lines.
    const onScreen = stream === 'stdout' || terminal.stderrIsTTY;
    const rows = onScreen ? line.split('\n').reduce((sum, part) => sum + rowsOf(part, columns()), 0) : 0;
    for (const p of pending) p.rowsAfter += rows;
    rl.prompt(true);
  };
  return {
    event(event) {
      if (event.type === 'message' && event.from === myName()) {
        const index = pending.findIndex((p) => p.text === event.text);
        const entry = pending[index];
        if (entry) {
          pending.splice(index, 1);
          const line = plainLine(event) as string;
          const up = entry.rows + entry.rowsAfter;
          if (up < terminal.rows - 1) {
            // Rewrite the pending line in place, then come back to the prompt.
            cursor.move(0, -up);
            cursor.to(0);
            cursor.clearLine();
            writeStyled(line);
            cursor.move(0, up);
            cursor.to(0);
            rl.prompt(true);
            return;
          }
          print(line);
          return;
        }
      }
      const line = plainLine(event);
      if (line !== null) print(event.type === 'error' ? colors.error(line) : line);
    },
    typed(line) {
      // Erased at once, while it is the line just above the cursor: a paste of twenty lines
      // arrives as twenty of these in a row, and each sent line is then printed as it leaves.
      cursor.move(0, -rowsOf(`> ${line}`, columns()));
      cursor.to(0);
      cursor.clearDown();
      rl.prompt(true);
    },
    pending(text) {
      const line = `<${safeText(myName())}> ${safeText(text)}`;
      print(`${line}${colors.dim(' …')}`);
      pending.push({ text, rows: rowsOf(`${line} …`, columns()), rowsAfter: 0 });
    },
    note: (line) => print(colors.dim(line)),
    aside: (line) => print(line, 'stderr'),
  };
}
