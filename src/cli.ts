import readline from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ChatClient } from './client.ts';
import { getEngine } from './crypto/engines.ts';
import { GROUPS, isGroupName, type DhGroup } from './crypto/groups.ts';
import { runDemo } from './demo.ts';
import { DhlabError, type ErrorCode } from './errors.ts';
import { defaultHostKeyPath, loadOrCreateHostKey } from './host-key-file.ts';
import { defaultKnownServersPath, KnownServers } from './known-servers.ts';
import type { ServerEvent } from './protocol/messages.ts';
import { ChatServer, DEFAULTS } from './server.ts';

const USAGE = `usage: dhlab <verb> [options]

  dhlab demo   [--crypto native|forge] [--group modp14|modp15|modp16]
      A server and three scripted clients on loopback, with a narrated trace.
  dhlab server [--host 127.0.0.1] [--port 5068] [--group modp14] [--crypto native|forge]
               [--host-key PATH] [--max-clients N] [--handshake-timeout SECONDS] [--rate-limit PER_SECOND]
  dhlab client --name NAME [--host 127.0.0.1] [--port 5068] [--known-servers PATH]
               [--accept-new-host-key] [--crypto native|forge] [--json]
      Lines typed are messages; /who lists members, /quit leaves, //text sends "/text".
`;

const CLIENT_LINES_PER_SECOND = 100;

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = { crypto: { type: 'string', default: 'native' }, help: { type: 'boolean', short: 'h' } };

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new DhlabError('ERR_USAGE', (error as Error).message);
  }
}

function stringOption(values: Record<string, unknown>, key: string): string {
  return String(values[key]);
}

function intOption(values: Record<string, unknown>, key: string, min: number, max: number): number {
  const text = stringOption(values, key);
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
    throw new DhlabError('ERR_USAGE', `--${key} must be a number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function groupOption(values: Record<string, unknown>): DhGroup {
  const name = stringOption(values, 'group');
  if (!isGroupName(name)) throw new DhlabError('ERR_USAGE', `--group must be modp14, modp15 or modp16, got "${name}"`);
  return GROUPS[name];
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'demo':
        return await demoCommand(rest);
      case 'server':
        return await serverCommand(rest);
      case 'client':
        return await clientCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return verb === undefined ? 2 : 0;
      default:
        throw new DhlabError('ERR_USAGE', `unknown verb "${verb}"`);
    }
  } catch (error) {
    if (error instanceof DhlabError) {
      process.stderr.write(`dhlab: ${error.code}: ${error.message}\n`);
      if (error.code === 'ERR_USAGE') process.stderr.write(USAGE);
      return error.code === 'ERR_USAGE' ? 2 : 1;
    }
    throw error;
  }
}

async function demoCommand(args: string[]): Promise<number> {
  const values = parse(args, { group: { type: 'string', default: 'modp14' } });
  if (values.help) return (process.stdout.write(USAGE), 0);
  await runDemo({ engine: getEngine(stringOption(values, 'crypto')), group: groupOption(values), out: (line) => console.log(line) });
  return 0;
}

async function serverCommand(args: string[]): Promise<number> {
  const values = parse(args, {
    host: { type: 'string', default: DEFAULTS.host },
    port: { type: 'string', default: String(DEFAULTS.port) },
    group: { type: 'string', default: 'modp14' },
    'host-key': { type: 'string', default: defaultHostKeyPath() },
    'max-clients': { type: 'string', default: String(DEFAULTS.maxClients) },
    'handshake-timeout': { type: 'string', default: String(DEFAULTS.handshakeTimeoutMs / 1000) },
    'rate-limit': { type: 'string', default: String(DEFAULTS.rateLimit) },
  });
  if (values.help) return (process.stdout.write(USAGE), 0);
  const engine = getEngine(stringOption(values, 'crypto'));
  const hostKeyPath = stringOption(values, 'host-key');
  const { identity, created } = loadOrCreateHostKey(engine, hostKeyPath);
  const server = new ChatServer({
    engine,
    group: groupOption(values),
    identity,
    host: stringOption(values, 'host'),
    port: intOption(values, 'port', 0, 65535),
    maxClients: intOption(values, 'max-clients', 1, 1_000_000),
    handshakeTimeoutMs: intOption(values, 'handshake-timeout', 0.01, 3600) * 1000,
    rateLimit: intOption(values, 'rate-limit', 1, 10_000_000),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let address: { host: string; port: number };
  try {
    address = await server.listen();
  } catch (error) {
    throw new DhlabError('ERR_CONNECTION', `cannot listen: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  console.log(`dhlab server listening on ${address.host}:${address.port}`);
  console.log(`host key ${identity.fingerprint} (${created ? 'created' : 'loaded'} ${hostKeyPath})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`${signal}: shutting down\n`);
      void server.close(`server shutting down (${signal})`).then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

async function clientCommand(args: string[]): Promise<number> {
  const values = parse(args, {
    name: { type: 'string' },
    host: { type: 'string', default: DEFAULTS.host },
    port: { type: 'string', default: String(DEFAULTS.port) },
    'known-servers': { type: 'string', default: defaultKnownServersPath() },
    'accept-new-host-key': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (values.help) return (process.stdout.write(USAGE), 0);
  if (typeof values.name !== 'string') throw new DhlabError('ERR_USAGE', '--name is required');
  const port = intOption(values, 'port', 1, 65535);
  const engine = getEngine(stringOption(values, 'crypto'));
  const json = values.json === true;
  const print = json ? (event: object) => console.log(JSON.stringify(event)) : printPlain;
  const reportError = (code: ErrorCode, message: string) => print({ type: 'error', code, message });

  // Read stdin from the start, so lines typed (or piped) during the handshake are kept in order.
  const queued: string[] = [];
  let inputEnded = false;
  let wake: () => void = () => {};
  const input = readline.createInterface({ input: process.stdin, terminal: false });
  input.on('line', (line) => (queued.push(line), wake()));
  input.on('close', () => ((inputEnded = true), wake()));

  const server = `${stringOption(values, 'host')}:${port}`;
  let client: ChatClient;
  try {
    client = await ChatClient.connect({
      name: values.name,
      host: stringOption(values, 'host'),
      port,
      engine,
      knownServers: new KnownServers(stringOption(values, 'known-servers')),
      acceptNewHostKey: values['accept-new-host-key'] === true,
    });
  } catch (error) {
    input.close();
    process.stdin.destroy();
    if (!(error instanceof DhlabError)) throw error;
    reportError(error.code, error.message);
    return 1;
  }
  print({ type: 'connected', server, name: client.name, fingerprint: client.fingerprint, pin: client.pin, members: client.members, count: client.memberCount });
  client.on('event', (event) => {
    if (event.type !== 'welcome') print(event);
  });
  const closed = client.waitForClose();
  let finalError: Error | null | undefined;
  void closed.then((error) => ((finalError = error), wake()));

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

  // Send queued lines in order; on EOF or /quit, leave cleanly.
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
        else if (line.startsWith('/') && !line.startsWith('//')) reportError('ERR_USAGE', `unknown command ${line.split(' ')[0]} (try /who or /quit)`);
        else client.say(line.startsWith('//') ? line.slice(1) : line);
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

function roster(members: string[], count: number): string {
  return members.join(', ') + (count > members.length ? ` and ${count - members.length} more` : '');
}

function printPlain(event: ServerEvent | { type: 'connected'; [key: string]: unknown }): void {
  switch (event.type) {
    case 'connected':
      console.log(`* connected to ${String(event.server)} as ${String(event.name)}; host key ${String(event.fingerprint)} (${event.pin === 'new' ? 'first use: pinned' : event.pin === 'replaced' ? 'changed: re-pinned' : 'matches the pinned key'})`);
      console.log(`* in the room: ${roster(event.members as string[], event.count as number)}`);
      return;
    case 'message':
      console.log(`<${event.from}> ${event.text}`);
      return;
    case 'join':
      console.log(`* ${event.name} joined`);
      return;
    case 'leave':
      console.log(`* ${event.name} left (${event.reason})`);
      return;
    case 'who':
      console.log(`* in the room: ${roster(event.members, event.count)}`);
      return;
    case 'bye':
      console.log(`* server closed the session: ${event.reason}`);
      return;
    case 'error':
      console.log(`! ${event.code}: ${event.message}`);
      return;
    case 'welcome':
      return;
  }
}
