import { groupOption, intOption, numberOption, parse, stringOption } from './args.ts';
import { clientCommand } from './client-command.ts';
import { getEngine } from '../crypto/engines.ts';
import { runDemo } from './demo.ts';
import { setFullValues, traceNarrator, wrapLine } from '../terminal/narrate.ts';
import { DhlabError, fileError } from '../errors.ts';
import { print, printError, printStyled, terminal } from '../terminal/output.ts';
import { defaultHostKeyPath, loadOrCreateHostKey } from '../server/host-key-file.ts';
import { defaultKnownServersPath, KnownServers } from '../client/known-servers.ts';
import { ChatServer, DEFAULTS } from '../server/chat-server.ts';
import { scenarioCommand, SCENARIO_USAGE } from '../scenario/cli.ts';
import { checkCommand, exerciseCommand, EXERCISE_USAGE } from './exercise-command.ts';
import { aesCommand, AES_USAGE } from './aes-command.ts';
import { eveCommand } from './eve-command.ts';
import { INSECURE_CLIENT_FLAGS, INSECURE_SERVER_FLAGS, INSECURE_USAGE, insecureFromFlags, printWarnings } from '../insecure/flags.ts';

const USAGE = `usage: dhlab <verb> [options]

  dhlab lab    [--group modp14|modp15|modp16] [--crypto native|forge]
               [--perspective alice|bob|carol|server|eve] [--no-color] [--insecure-... as the server]
      The inspector: a server, alice, bob and carol on loopback, and Eve on the wire.
  dhlab eve    --listen [HOST:]PORT --forward HOST:PORT [--json]
      A passive wiretap relay in front of any dhlab server: clients connect to it.
  dhlab inspect --name NAME [--host 127.0.0.1] [--port 5068] [--insecure-... as the client]
      Join a server with the inspector on your own connection.
${SCENARIO_USAGE.trimEnd()}
${EXERCISE_USAGE.trimEnd()}
${AES_USAGE.trimEnd()}
  dhlab demo   [--crypto native|forge] [--group modp14|modp15|modp16] [--full]
      A server and three scripted clients on loopback, with a narrated trace.
  dhlab server [--host 127.0.0.1] [--port 5068] [--group modp14] [--crypto native|forge]
               [--host-key PATH] [--max-clients N] [--handshake-timeout SECONDS] [--frame-timeout SECONDS]
               [--rate-limit PER_SECOND] [--max-per-address 16] [--max-handshakes-per-address 4]
               [--connect-rate PER_SECOND_PER_ADDRESS] [--fanout-limit BYTES_PER_SECOND]
               [--trace [--full]]   narrate every connection's handshake and messages on stderr
  dhlab client --name NAME [--host 127.0.0.1] [--port 5068] [--known-servers PATH]
               [--accept-new-host-key] [--crypto native|forge] [--json]
               [--connect-timeout SECONDS] [--handshake-timeout SECONDS] [--trace [--full]]
      Lines typed are messages (one line, at most 4096 UTF-8 bytes); /who lists members,
      /quit (or Ctrl-C) leaves, //text sends "/text".
${INSECURE_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'demo':
        return await demoCommand(rest);
      case 'start':
        // npm start: the lab on a terminal, the narrated demo in a pipe or CI.
        return terminal.interactive ? await labCommand(rest) : await demoCommand(rest);
      case 'lab':
        return await labCommand(rest);
      case 'eve':
        return await eveCommand(rest, USAGE.trimEnd());
      case 'scenario':
        // The lab (and blessed) load only when a scenario runs in it: `dhlab server` never loads them.
        return await scenarioCommand(rest, async (scenario, engineName) => (await import('../../lab/apps/scenario.ts')).runScenarioLab(scenario, engineName));
      case 'inspect':
        return await inspectCommand(rest);
      case 'exercise':
        return exerciseCommand(rest);
      case 'check':
        return await checkCommand(rest);
      case 'aes':
        return aesCommand(rest);
      case 'server':
        return await serverCommand(rest);
      case 'client':
        return await clientCommand(rest, USAGE);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        print(USAGE.trimEnd());
        return verb === undefined ? 2 : 0;
      default:
        throw new DhlabError('ERR_USAGE', `unknown verb "${verb}"`);
    }
  } catch (error) {
    if (error instanceof DhlabError) {
      // The message may quote a peer or a file (a server's error text, a scenario's title): the
      // gate escapes it.
      printError(`dhlab: ${error.code}: ${error.message}`);
      if (error.code === 'ERR_USAGE') printError(USAGE.trimEnd());
      return error.code === 'ERR_USAGE' ? 2 : 1;
    }
    throw error;
  }
}

async function demoCommand(args: string[]): Promise<number> {
  const values = parse(args, { group: { type: 'string', default: 'modp14' }, full: { type: 'boolean', default: false } });
  if (values.help) return (print(USAGE.trimEnd()), 0);
  setFullValues(values.full === true);
  // Fit the terminal, and 80 columns in a pipe: wrapped at spaces, values split only with --full.
  const width = terminal.stdoutIsTTY ? terminal.columns : 80;
  await runDemo({
    engine: getEngine(stringOption(values, 'crypto')),
    group: groupOption(values),
    // Prose wraps flush left; an indented trace line hangs its continuations under its value.
    out: (line) => wrapLine(line, width, line.startsWith(' ') ? undefined : '').forEach((part) => printStyled(part)),
  });
  return 0;
}

const PERSPECTIVES = ['alice', 'bob', 'carol', 'server', 'eve'];

async function labCommand(args: string[]): Promise<number> {
  const values = parse(args, { group: { type: 'string', default: 'modp14' }, perspective: { type: 'string', default: 'alice' }, ...INSECURE_SERVER_FLAGS });
  if (values.help) return (print(USAGE.trimEnd()), 0);
  const perspective = stringOption(values, 'perspective');
  if (!PERSPECTIVES.includes(perspective)) throw new DhlabError('ERR_USAGE', `--perspective must be one of ${PERSPECTIVES.join(', ')}, got "${perspective}"`);
  if (!terminal.stdoutIsTTY) throw new DhlabError('ERR_USAGE', 'the lab needs a terminal; try `dhlab demo` for the narrated trace');
  const { runLab } = await import('../../lab/apps/room.ts');
  // The lab's server and clients share the weakenings (a toy group needs both ends to accept it).
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  return runLab({ engine: insecure.engine, group: insecure.group ?? groupOption(values), perspective, insecure: insecure.hooks, warnings: insecure.labels });
}

async function inspectCommand(args: string[]): Promise<number> {
  const values = parse(args, {
    name: { type: 'string' },
    host: { type: 'string', default: DEFAULTS.host },
    port: { type: 'string', default: String(DEFAULTS.port) },
    'known-servers': { type: 'string', default: defaultKnownServersPath() },
    'accept-new-host-key': { type: 'boolean', default: false },
    ...INSECURE_CLIENT_FLAGS,
  });
  if (values.help) return (print(USAGE.trimEnd()), 0);
  if (typeof values.name !== 'string') throw new DhlabError('ERR_USAGE', '--name is required');
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  if (!terminal.stdoutIsTTY) throw new DhlabError('ERR_USAGE', 'the inspector needs a terminal; try `dhlab client --trace`');
  printWarnings(insecure.warnings, printError);
  const { runInspect } = await import('../../lab/apps/inspect.ts');
  return runInspect({
    name: values.name.normalize('NFC'),
    host: stringOption(values, 'host'),
    port: intOption(values, 'port', 1, 65535),
    engine: insecure.engine,
    insecure: insecure.hooks,
    warnings: insecure.labels,
    knownServers: insecure.noHostKeyCheck ? undefined : new KnownServers(stringOption(values, 'known-servers')),
    acceptNewHostKey: values['accept-new-host-key'] === true,
  });
}

/**
 * `dhlab server --trace`: each connection is labelled with the name the room holds for it (set
 * only after the name passed validation), so nothing is kept per connection here.
 */
export function serverTraceNarrator(write: (line: string) => void, width: number) {
  return traceNarrator('server', (id) => `connection ${id}`, write, width);
}

async function serverCommand(args: string[]): Promise<number> {
  const values = parse(args, {
    host: { type: 'string', default: DEFAULTS.host },
    port: { type: 'string', default: String(DEFAULTS.port) },
    group: { type: 'string', default: 'modp14' },
    'host-key': { type: 'string', default: defaultHostKeyPath() },
    'max-clients': { type: 'string', default: String(DEFAULTS.maxClients) },
    'handshake-timeout': { type: 'string', default: String(DEFAULTS.handshakeTimeoutMs / 1000) },
    'frame-timeout': { type: 'string', default: String(DEFAULTS.frameTimeoutMs / 1000) },
    'rate-limit': { type: 'string', default: String(DEFAULTS.rateLimit) },
    'fanout-limit': { type: 'string', default: String(DEFAULTS.fanoutLimit) },
    'max-per-address': { type: 'string', default: String(DEFAULTS.maxPerAddress) },
    'max-handshakes-per-address': { type: 'string', default: String(DEFAULTS.maxHandshakesPerAddress) },
    'connect-rate': { type: 'string', default: String(DEFAULTS.connectRatePerAddress) },
    trace: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    ...INSECURE_SERVER_FLAGS,
  });
  setFullValues(values.full === true);
  const narrator = values.trace === true ? serverTraceNarrator((line) => printStyled(line, 'stderr'), terminal.stderrColumns) : null;
  if (values.help) return (print(USAGE.trimEnd()), 0);
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  const engine = insecure.engine;
  const hostKeyPath = stringOption(values, 'host-key');
  const { identity, created } = loadOrCreateHostKey(engine, hostKeyPath);
  printWarnings(insecure.warnings, printError);
  const server = new ChatServer({
    engine,
    group: insecure.group ?? groupOption(values),
    insecure: insecure.hooks,
    identity,
    host: stringOption(values, 'host'),
    port: intOption(values, 'port', 0, 65535),
    maxClients: intOption(values, 'max-clients', 1, 1_000_000),
    handshakeTimeoutMs: numberOption(values, 'handshake-timeout', 0.01, 3600) * 1000,
    frameTimeoutMs: numberOption(values, 'frame-timeout', 0.01, 3600) * 1000,
    rateLimit: intOption(values, 'rate-limit', 1, 10_000_000),
    fanoutLimit: intOption(values, 'fanout-limit', 1024, 1_000_000_000_000),
    maxPerAddress: intOption(values, 'max-per-address', 1, 1_000_000),
    maxHandshakesPerAddress: intOption(values, 'max-handshakes-per-address', 1, 1_000_000),
    connectRatePerAddress: numberOption(values, 'connect-rate', 0.1, 1_000_000),
    log: printError,
    revealSecrets: narrator !== null,
    trace: narrator ?? undefined,
  });
  let address: { host: string; port: number };
  try {
    address = await server.listen();
  } catch (error) {
    throw fileError(error, `cannot listen on ${stringOption(values, 'host')}:${stringOption(values, 'port')}`);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      printError(`${signal}: shutting down`);
      void server.close(`server shutting down (${signal})`).then(resolve);
    };
    // Handlers before the banner: a supervisor that sends SIGTERM on seeing it must find them.
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    print(`dhlab server listening on ${address.host}:${address.port}`);
    print(`host key ${identity.fingerprint} (${created ? 'created' : 'loaded'} ${hostKeyPath})`);
  });
  return 0;
}
