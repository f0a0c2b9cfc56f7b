import readline from 'node:readline';
import { ChatClient, CLIENT_DEFAULTS, nameRefusal } from '../client/chat-client.ts';
import { intOption, numberOption, stringOption } from './args.ts';
import type { ParsedArgs, Verb } from './verb.ts';
import { getEngine } from '../crypto/engines.ts';
import { INSECURE_CLIENT_FLAGS, insecureFromFlags, printWarnings, type InsecureChoice } from '../insecure/flags.ts';
import { safeText } from '../terminal/safe-text.ts';
import type { KeyLogEntry } from '../protocol/key-log.ts';
import { KEYLOG_FLAG, keyLogFromFlags, optional } from './key-log-option.ts';
import { DhlabError, type ErrorCode } from '../errors.ts';
import { defaultKnownServersPath, KnownServers } from '../client/known-servers.ts';
import { printError, readlineOutput, terminal } from '../terminal/output.ts';
import { setFullValues, traceNarrator } from '../terminal/narrate.ts';
import { jsonOutput, pipeOutput, terminalOutput, type ClientOutput } from './client-output.ts';

const CLIENT_LINES_PER_SECOND = 100;

/** `dhlab client`'s flags, checked. */
export interface ClientCommandOptions {
  name: string;
  host: string;
  port: number;
  knownServersFile: string;
  acceptNewHostKey: boolean;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  json: boolean;
  trace: boolean;
  full: boolean;
  insecure: InsecureChoice;
  /** `--keylog` or DHLAB_KEYLOGFILE: where this connection's keys go, opened already. */
  keyLog?: (entry: KeyLogEntry) => void;
}

export const clientVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: ['dhlab client --name NAME [--host HOST] [--port PORT] [--json] [--trace] [options]'],
  description: [
    'Joins a server as NAME. Lines typed are messages (one line, at most 4096 UTF-8 bytes);',
    '/who lists the members, /quit (or Ctrl-C) leaves, //text sends "/text". The server\'s host key',
    'is pinned on first use, as ssh does. --json prints one event per line, for scripts.',
  ],
  flags: {
    name: {
      type: 'string',
      value: 'NAME',
      needs: 'a name (letters, digits, one script, at most 32 characters)',
      help: 'your name in the room (required)',
    },
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', help: "the server's address" },
    port: {
      type: 'string',
      value: 'PORT',
      default: '5068',
      needs: 'a port number from 1 to 65535',
      help: "the server's port",
    },
    'known-servers': {
      type: 'string',
      value: 'PATH',
      default: defaultKnownServersPath(),
      needs: 'a file name',
      help: 'pinned host keys',
    },
    'accept-new-host-key': { type: 'boolean', help: "pin a server's new host key (after it changed)" },
    'connect-timeout': {
      type: 'string',
      value: 'SECONDS',
      default: String(CLIENT_DEFAULTS.connectTimeoutMs / 1000),
      needs: 'a number of seconds',
      help: 'time to connect',
    },
    'handshake-timeout': {
      type: 'string',
      value: 'SECONDS',
      default: String(CLIENT_DEFAULTS.handshakeTimeoutMs / 1000),
      needs: 'a number of seconds',
      help: 'time to be welcomed',
    },
    json: { type: 'boolean', help: 'one JSON event per line on stdout' },
    trace: { type: 'boolean', help: 'narrate the handshake and each frame on stderr (shows your keys)' },
    full: { type: 'boolean', help: 'with --trace: print long values whole' },
    ...INSECURE_CLIENT_FLAGS,
    ...KEYLOG_FLAG,
  },
  examples: ['dhlab client --name alice', "printf 'hello\\n/quit\\n' | dhlab client --name bob --json"],
  run: ({ values }) => runClient(clientOptions(values)),
};

/** The flags, checked. */
export function clientOptions(values: ParsedArgs['values']): ClientCommandOptions {
  if (typeof values.name !== 'string') throw new DhlabError('ERR_USAGE', '--name is required');
  // The name is part of the transcript hash, so it is sent exactly as the server will check it: NFC.
  const name = values.name.normalize('NFC');
  const refused = nameRefusal(name);
  if (refused) throw refused;
  return {
    name,
    host: stringOption(values, 'host'),
    port: intOption(values, 'port', 1, 65535),
    knownServersFile: stringOption(values, 'known-servers'),
    acceptNewHostKey: values['accept-new-host-key'] === true,
    connectTimeoutMs: numberOption(values, 'connect-timeout', 0.01, 3600) * 1000,
    handshakeTimeoutMs: numberOption(values, 'handshake-timeout', 0.01, 3600) * 1000,
    json: values.json === true,
    trace: values.trace === true,
    full: values.full === true,
    insecure: insecureFromFlags(values, getEngine(stringOption(values, 'crypto'))),
    ...optional('keyLog', keyLogFromFlags(values)),
  };
}

/**
 * The lines the user types or pipes, read from the start (so lines typed during the handshake
 * are kept, in order). Ctrl-C, SIGTERM and end of input all end it: the session then leaves
 * cleanly, so the room sees a normal leave rather than a dropped connection.
 */
class LineInput {
  readonly queued: string[] = [];
  ended = false;
  readonly readline: readline.Interface;
  /** Called as each line arrives, while readline's echo of it is the last thing on screen. */
  onLine: (line: string) => void = () => {};
  private wake: () => void = () => {};

  constructor(interactive: boolean) {
    this.readline = readline.createInterface({
      input: process.stdin,
      output: interactive ? readlineOutput() : undefined,
      terminal: interactive,
      prompt: '> ',
    });
    this.readline.on('line', (line) => (this.onLine(line), this.queued.push(line), this.wake()));
    this.readline.on('close', () => this.end());
    const interrupt = () => (this.queued.splice(0), this.end());
    this.readline.on('SIGINT', interrupt);
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Resolves at the next line, the end of input, or `nudge()`. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  nudge(): void {
    this.wake();
  }

  close(): void {
    this.readline.close();
    process.stdin.destroy();
  }
}

/**
 * Piped input is paced below the server's default rate limit (200/s): a script that pipes a long
 * file is slowed down rather than disconnected with ERR_RATE_LIMITED.
 */
function pacer(perSecond: number): () => Promise<void> {
  const sentAt: number[] = [];
  return async () => {
    if (sentAt.length === perSecond) {
      const wait = (sentAt.shift() as number) + 1000 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    sentAt.push(performance.now());
  };
}

/**
 * The session loop: sends queued lines in order (`/who`, `/quit`, `//text` for a line that starts
 * with a slash), until end of input or `/quit` (then a clean goodbye) or the session ends.
 * Returns the exit status: 0 after a clean goodbye, 1 when it ended with an error.
 */
async function chatLoop(
  client: ChatClient,
  input: LineInput,
  output: ClientOutput,
  reportError: (code: ErrorCode, message: string) => void,
  announced: () => boolean,
): Promise<number> {
  const closed = client.waitForClose();
  let finalError: Error | null | undefined;
  void closed.then((error) => {
    finalError = error;
    if (error && !announced()) reportError(error.code, error.message);
    input.nudge();
  });
  const pace = pacer(CLIENT_LINES_PER_SECOND);
  for (;;) {
    while (input.queued.length > 0 && finalError === undefined) {
      const line = input.queued.shift() as string;
      if (line.trim() === '') continue;
      await pace();
      try {
        if (line === '/quit') {
          input.ended = true;
          break;
        } else if (line === '/who') client.who();
        else if (line.startsWith('/') && !line.startsWith('//'))
          reportError('ERR_USAGE', `unknown command ${safeText(line.split(' ')[0] ?? '')} (try /who or /quit)`);
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
    if (input.ended) {
      await client.quit();
      break;
    }
    await input.next();
  }
  return (await closed) ? 1 : 0;
}

/** `dhlab client`: the terminal's input and output, then the session loop. */
async function runClient(options: ClientCommandOptions): Promise<number> {
  const { name, host, port, insecure } = options;
  printWarnings(insecure.warnings, printError);
  const interactive = !options.json && terminal.interactive;
  setFullValues(options.full);
  const input = new LineInput(interactive);
  const output = options.json ? jsonOutput() : interactive ? terminalOutput(input.readline, () => name) : pipeOutput();
  input.onLine = (line) => output.typed?.(line);
  const narrator = options.trace
    ? traceNarrator(name, 'server', (line) => output.aside(line), terminal.stderrColumns)
    : null;
  const reportError = (code: ErrorCode, message: string) => output.event({ type: 'error', code, message });

  const server = `${host}:${port}`;
  output.note(`connecting to ${server}...`);
  let announced = false; // the server said why it ended the session (bye or error)
  let client: ChatClient;
  try {
    client = await ChatClient.connect({
      name,
      host,
      port,
      engine: insecure.engine,
      knownServers: insecure.noHostKeyCheck ? undefined : new KnownServers(options.knownServersFile),
      acceptNewHostKey: options.acceptNewHostKey,
      insecure: insecure.hooks,
      connectTimeoutMs: options.connectTimeoutMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      // --trace shows this side's own secrets to this side's own user, on stderr, and nowhere else.
      // The client's own errors end the command with their line ("! ERR_..."): narrated once, there.
      trace: narrator
        ? (event) => void (event.kind === 'error' && !event.remote ? undefined : narrator(0, event))
        : undefined,
      revealSecrets: narrator !== null,
      keyLog: options.keyLog,
      onEvent: (event, self) => {
        // The welcome is where the session starts for the user: who we are, the key, the room.
        if (event.type === 'welcome')
          return output.event({
            type: 'connected',
            server,
            name: self.name,
            fingerprint: self.fingerprint,
            pin: self.pin,
            ...(self.pin === 'new' || self.pin === 'replaced' ? { pinnedIn: options.knownServersFile } : {}),
            members: self.members,
            count: self.memberCount,
          });
        if (event.type === 'bye' || event.type === 'error') announced = true;
        output.event(event);
      },
    });
  } catch (error) {
    input.close();
    if (!(error instanceof DhlabError)) throw error;
    reportError(error.code, error.message);
    return 1;
  }
  if (interactive) input.readline.prompt();
  const status = await chatLoop(client, input, output, reportError, () => announced);
  input.close();
  return status;
}
