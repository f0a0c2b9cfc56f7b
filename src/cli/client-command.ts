import readline from 'node:readline';
import { ChatClient, CLIENT_DEFAULTS } from '../client/chat-client.ts';
import { intOption, parse, stringOption } from './args.ts';
import { palette } from '../terminal/colors.ts';
import { getEngine } from '../crypto/engines.ts';
import { INSECURE_CLIENT_FLAGS, insecureFromFlags, printWarnings } from '../insecure/flags.ts';
import { safeText } from '../terminal/safe-text.ts';
import { DhlabError, type ErrorCode } from '../errors.ts';
import { defaultKnownServersPath, KnownServers } from '../client/known-servers.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import { rowsOf } from '../terminal/width.ts';
import { cursor, exitQuietlyOnBrokenPipe, print, printError, printJson, printStyled, readlineOutput, terminal, writeStyled } from '../terminal/output.ts';
import { setFullValues, traceNarrator } from '../terminal/narrate.ts';

const CLIENT_LINES_PER_SECOND = 100;

type Printable = ServerEvent | { type: 'connected'; [key: string]: unknown };

/** What the client prints, as JSON lines or as text lines on a terminal or pipe. */
export interface ClientOutput {
  event(event: Printable): void;
  /** A line the user typed is on its way: shown once, marked until the server's echo confirms it. */
  pending?(text: string): void;
  note(line: string): void;
}

function roster(members: readonly string[], count: number): string {
  return members.map(safeText).join(', ') + (count > members.length ? ` and ${count - members.length} more` : '');
}

/** One text line per event; every peer-chosen string goes through safeText (docs/PROTOCOL.md s.6.3). */
export function plainLine(event: Printable): string | null {
  switch (event.type) {
    case 'connected': {
      const pin = event.pin === 'new' ? 'first use: pinned' : event.pin === 'replaced' ? 'changed: re-pinned' : 'matches the pinned key';
      return `* connected to ${String(event.server)} as ${safeText(String(event.name))}; host key ${String(event.fingerprint)} (${pin})\n* in the room: ${roster(event.members as string[], event.count as number)}`;
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

function jsonOutput(): ClientOutput {
  return { event: (event) => printJson(event), note: () => {} };
}

function pipeOutput(): ClientOutput {
  return {
    event: (event) => {
      const line = plainLine(event);
      if (line !== null) print(line);
    },
    note: (line) => print(line),
  };
}

/**
 * An interactive terminal: readline owns the input line; events print above it. A line the user
 * sends is redrawn as `<me> text …` and the mark is removed in place when the echo arrives, so
 * each message appears once (as irssi and weechat do).
 */
function terminalOutput(rl: readline.Interface, myName: () => string): ClientOutput {
  const colors = palette();
  const columns = () => terminal.columns;
  // Rows printed since each pending line, oldest first.
  const pending: Array<{ text: string; rows: number; rowsAfter: number }> = [];
  const print = (line: string) => {
    cursor.clearLine();
    cursor.to(0);
    printStyled(line);
    const rows = line.split('\n').reduce((sum, part) => sum + rowsOf(part, columns()), 0);
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
    pending(text) {
      // readline left the typed line on screen: replace it with the marked chat line.
      const typed = rowsOf(`> ${text}`, columns());
      cursor.move(0, -typed);
      cursor.to(0);
      cursor.clearDown();
      const line = `<${safeText(myName())}> ${safeText(text)}`;
      printStyled(`${line}${colors.dim(' …')}`);
      pending.push({ text, rows: rowsOf(`${line} …`, columns()), rowsAfter: 0 });
      rl.prompt(true);
    },
    note: (line) => print(colors.dim(line)),
  };
}

export async function clientCommand(args: string[], usage: string): Promise<number> {
  const values = parse(args, {
    name: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5068' },
    'known-servers': { type: 'string', default: defaultKnownServersPath() },
    'accept-new-host-key': { type: 'boolean', default: false },
    'connect-timeout': { type: 'string', default: String(CLIENT_DEFAULTS.connectTimeoutMs / 1000) },
    'handshake-timeout': { type: 'string', default: String(CLIENT_DEFAULTS.handshakeTimeoutMs / 1000) },
    json: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    ...INSECURE_CLIENT_FLAGS,
  });
  if (values.help) return (print(usage.trimEnd()), 0);
  if (typeof values.name !== 'string') throw new DhlabError('ERR_USAGE', '--name is required');
  // The name is part of the transcript hash, so it is sent exactly as the server will check it: NFC.
  const name = values.name.normalize('NFC');
  const host = stringOption(values, 'host');
  const port = intOption(values, 'port', 1, 65535);
  const connectTimeoutMs = intOption(values, 'connect-timeout', 0.01, 3600) * 1000;
  const handshakeTimeoutMs = intOption(values, 'handshake-timeout', 0.01, 3600) * 1000;
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  const engine = insecure.engine;
  printWarnings(insecure.warnings, printError);
  const json = values.json === true;
  const interactive = !json && terminal.interactive;
  setFullValues(values.full === true);
  const narrator = values.trace === true ? traceNarrator(name, 'server', (line) => printStyled(line, 'stderr'), terminal.stderrColumns) : null;

  exitQuietlyOnBrokenPipe();

  // Read stdin from the start, so lines typed (or piped) during the handshake are kept in order.
  const queued: string[] = [];
  let inputEnded = false;
  let wake: () => void = () => {};
  const input = readline.createInterface({ input: process.stdin, output: interactive ? readlineOutput() : undefined, terminal: interactive, prompt: '> ' });
  input.on('line', (line) => (queued.push(line), wake()));
  input.on('close', () => ((inputEnded = true), wake()));
  // Ctrl-C leaves like /quit, so the room sees a normal leave rather than a dropped connection.
  const interrupt = () => ((inputEnded = true), queued.splice(0), wake());
  input.on('SIGINT', interrupt);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const output = json ? jsonOutput() : interactive ? terminalOutput(input, () => name) : pipeOutput();
  const reportError = (code: ErrorCode, message: string) => output.event({ type: 'error', code, message });

  const server = `${host}:${port}`;
  output.note(`connecting to ${server}...`);
  let client: ChatClient;
  try {
    client = await ChatClient.connect({
      name,
      host,
      port,
      engine,
      knownServers: insecure.noHostKeyCheck ? undefined : new KnownServers(stringOption(values, 'known-servers')),
      acceptNewHostKey: values['accept-new-host-key'] === true,
      insecure: insecure.hooks,
      connectTimeoutMs,
      handshakeTimeoutMs,
      // --trace shows this side's own secrets to this side's own user, on stderr, and nowhere else.
      trace: narrator ? (event) => narrator(0, event) : undefined,
      revealSecrets: narrator !== null,
    });
  } catch (error) {
    input.close();
    process.stdin.destroy();
    if (!(error instanceof DhlabError)) throw error;
    reportError(error.code, error.message);
    return 1;
  }
  output.event({ type: 'connected', server, name: client.name, fingerprint: client.fingerprint, pin: client.pin, members: client.members, count: client.memberCount });
  if (interactive) input.prompt();
  let announced = false; // the server said why it ended the session (bye or error)
  client.on('event', (event) => {
    if (event.type === 'bye' || event.type === 'error') announced = true;
    if (event.type !== 'welcome') output.event(event);
  });
  const closed = client.waitForClose();
  let finalError: Error | null | undefined;
  void closed.then((error) => {
    finalError = error;
    if (error && !announced) reportError(error.code, error.message);
    wake();
  });

  // Piped input is paced below the server's default rate limit (200/s), so a script that pipes a
  // long file is slowed down rather than disconnected with ERR_RATE_LIMITED.
  const sentAt: number[] = [];
  const pace = async () => {
    if (sentAt.length === CLIENT_LINES_PER_SECOND) {
      const wait = (sentAt.shift() as number) + 1000 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    sentAt.push(performance.now());
  };

  // Send queued lines in order; on EOF, Ctrl-C or /quit, leave cleanly.
  for (;;) {
    while (queued.length > 0 && finalError === undefined) {
      const line = queued.shift() as string;
      if (line.trim() === '') continue;
      await pace();
      try {
        if (line === '/quit') {
          inputEnded = true;
          break;
        } else if (line === '/who') client.who();
        else if (line.startsWith('/') && !line.startsWith('//')) reportError('ERR_USAGE', `unknown command ${safeText(line.split(' ')[0] ?? '')} (try /who or /quit)`);
        else {
          const text = line.startsWith('//') ? line.slice(1) : line;
          client.say(text);
          output.pending?.(text);
        }
      } catch (error) {
        if (!(error instanceof DhlabError)) throw error;
        reportError(error.code, error.message);
      }
    }
    if (finalError !== undefined) break;
    if (inputEnded) {
      await client.quit();
      break;
    }
    await new Promise<void>((resolve) => (wake = resolve));
  }
  input.close();
  process.stdin.destroy();
  // 0 after a clean goodbye; 1 whenever the session ended with an error (a server shutdown included).
  return (await closed) ? 1 : 0;
}
