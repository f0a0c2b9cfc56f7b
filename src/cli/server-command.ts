import { KEYLOG_FLAG, keyLogFromFlags, optional } from './key-log-option.ts';
import { getEngine } from '../crypto/engines.ts';
import { listenError } from '../errors.ts';
import { insecureFromFlags, INSECURE_SERVER_FLAGS, printWarnings } from '../insecure/flags.ts';
import { ChatServer, DEFAULTS } from '../server/chat-server.ts';
import { defaultHostKeyPath, loadOrCreateHostKey } from '../server/host-key-file.ts';
import { setFullValues, traceNarrator } from '../terminal/narrate.ts';
import { print, printError, printStyled, terminal } from '../terminal/output.ts';
import { groupOption, intOption, numberOption, stringOption } from './args.ts';
import type { ParsedArgs, Verb } from './verb.ts';

/**
 * `dhlab server --trace`: each connection is labelled with the name the room holds for it (set
 * only after the name passed validation), so nothing is kept per connection here.
 */
export function serverTraceNarrator(write: (line: string) => void, width: number) {
  return traceNarrator('server', (id) => `connection ${id}`, write, width);
}

const seconds = (ms: number) => String(ms / 1000);

export const serverVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: ['dhlab server [--host HOST] [--port PORT] [--group modp14|modp15|modp16] [--trace] [options]'],
  description: [
    'A chat room on TCP: every client agrees its own key with the server (RFC 3526 DH, Ed25519-signed),',
    'and the server re-encrypts each line for every other member. Ctrl-C or SIGTERM says bye to all.',
    'The host key is made on first use and kept; clients pin it as ssh does.',
  ],
  flags: {
    host: { type: 'string', value: 'HOST', default: DEFAULTS.host, help: 'the address to listen on' },
    port: {
      type: 'string',
      value: 'PORT',
      default: String(DEFAULTS.port),
      needs: 'a port number from 0 to 65535 (0: any free port)',
      help: 'the TCP port (0: any free one)',
    },
    group: {
      type: 'string',
      value: 'modp14|modp15|modp16',
      default: 'modp14',
      needs: 'a group: modp14, modp15 or modp16',
      help: 'the RFC 3526 group offered',
    },
    'host-key': {
      type: 'string',
      value: 'PATH',
      default: defaultHostKeyPath(),
      needs: 'a file name',
      help: 'the Ed25519 host key (PKCS#8 PEM, 0600)',
    },
    'max-clients': {
      type: 'string',
      value: 'N',
      default: String(DEFAULTS.maxClients),
      needs: 'a whole number',
      help: 'connections open at once',
    },
    'handshake-timeout': {
      type: 'string',
      value: 'SECONDS',
      default: seconds(DEFAULTS.handshakeTimeoutMs),
      needs: 'a number of seconds',
      help: 'time to finish the handshake',
    },
    'frame-timeout': {
      type: 'string',
      value: 'SECONDS',
      default: seconds(DEFAULTS.frameTimeoutMs),
      needs: 'a number of seconds',
      help: 'time to finish a frame once started',
    },
    'rate-limit': {
      type: 'string',
      value: 'PER_SECOND',
      default: String(DEFAULTS.rateLimit),
      needs: 'a whole number',
      help: "a client's requests per second",
    },
    'fanout-limit': {
      type: 'string',
      value: 'BYTES_PER_SECOND',
      default: String(DEFAULTS.fanoutLimit),
      needs: 'a whole number',
      help: "the bytes a member's lines may make the server send",
    },
    'max-per-address': {
      type: 'string',
      value: 'N',
      default: String(DEFAULTS.maxPerAddress),
      needs: 'a whole number',
      help: 'connections per client address',
    },
    'max-handshakes-per-address': {
      type: 'string',
      value: 'N',
      default: String(DEFAULTS.maxHandshakesPerAddress),
      needs: 'a whole number',
      help: 'unfinished handshakes per address',
    },
    'connect-rate': {
      type: 'string',
      value: 'PER_SECOND',
      default: String(DEFAULTS.connectRatePerAddress),
      needs: 'a number',
      help: 'new connections per second per address',
    },
    trace: { type: 'boolean', help: "narrate every connection's handshake and messages on stderr (shows keys)" },
    full: { type: 'boolean', help: 'with --trace: print long values whole' },
    ...INSECURE_SERVER_FLAGS,
    ...KEYLOG_FLAG,
  },
  examples: [
    'dhlab server --port 5068 --trace',
    'dhlab server --port 0 --insecure-group toy-48    # a weak room for lesson 05',
  ],
  run: serverCommand,
};

async function serverCommand({ values }: ParsedArgs): Promise<number> {
  setFullValues(values.full === true);
  const narrator =
    values.trace === true ? serverTraceNarrator((line) => printStyled(line, 'stderr'), terminal.stderrColumns) : null;
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  const engine = insecure.engine;
  const host = stringOption(values, 'host');
  const port = intOption(values, 'port', 0, 65535);
  const hostKeyPath = stringOption(values, 'host-key');
  const { identity, created } = loadOrCreateHostKey(engine, hostKeyPath);
  printWarnings(insecure.warnings, printError);
  const server = new ChatServer({
    engine,
    group: insecure.group ?? groupOption(values),
    insecure: insecure.hooks,
    identity,
    host,
    port,
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
    ...optional('keyLog', keyLogFromFlags(values)),
  });
  const address = await server.listen().catch((error: unknown) => {
    throw listenError(error, host, port);
  });
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
