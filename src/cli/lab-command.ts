import { defaultKnownServersPath, KnownServers } from '../client/known-servers.ts';
import { getEngine } from '../crypto/engines.ts';
import { DhlabError } from '../errors.ts';
import { INSECURE_CLIENT_FLAGS, INSECURE_SERVER_FLAGS, insecureFromFlags, printWarnings } from '../insecure/flags.ts';
import { DEFAULTS } from '../server/options.ts';
import { printError, terminal } from '../terminal/output.ts';
import { groupOption, intOption, stringOption } from './args.ts';
import { demoVerb } from './demo-command.ts';
import { captureFromFlags, finishCapture, PCAP_FLAG } from './capture-options.ts';
import { KEYLOG_FLAG, keyLogFromFlags, optional } from './key-log-option.ts';
import type { Flag, ParsedArgs, Verb } from './verb.ts';

type VerbSpec = Omit<Verb, 'name' | 'summary'>;

const PERSPECTIVES = ['alice', 'bob', 'carol', 'server', 'eve'];

export const labVerb: VerbSpec = {
  synopsis: ['dhlab lab [--perspective alice|bob|carol|server|eve] [--group modp14|modp15|modp16] [options]'],
  description: [
    'A real server, alice, bob and carol on loopback, and Eve on the wire between them: each',
    'handshake step, and every ciphertext beside its plaintext, from the point of view you choose',
    '(keys 1-5 switch it). Type to chat as the member in view; ? lists the keys; q quits.',
    "The --insecure-... flags weaken the lab's server and clients alike.",
  ],
  flags: {
    perspective: {
      type: 'string',
      value: 'alice|bob|carol|server|eve',
      default: 'alice',
      help: 'whose view opens first',
    },
    group: {
      type: 'string',
      value: 'modp14|modp15|modp16',
      default: 'modp14',
      needs: 'a group: modp14, modp15 or modp16',
      help: 'the RFC 3526 group',
    },
    ...INSECURE_SERVER_FLAGS,
    ...PCAP_FLAG,
    ...KEYLOG_FLAG,
  },
  examples: ['dhlab lab', 'dhlab lab --perspective eve --insecure-group toy-32', 'dhlab lab --pcap lab.pcapng'],
  run: labCommand,
};

export const startVerb: VerbSpec = {
  ...labVerb,
  synopsis: ['dhlab start [options]   (what npm start runs)'],
  description: [
    'On a terminal, the lab (dhlab lab); in a pipe or CI, the narrated demo (dhlab demo).',
    'The --insecure-... flags are for dhlab lab and dhlab server.',
  ],
  flags: { perspective: labVerb.flags.perspective as Flag, ...demoVerb.flags },
  examples: ['npm start', 'npx dhlab start --group modp15'],
  run: (parsed) => (terminal.interactive ? labCommand(parsed) : demoVerb.run(parsed)),
};

async function labCommand({ values }: ParsedArgs): Promise<number> {
  const perspective = stringOption(values, 'perspective');
  if (!PERSPECTIVES.includes(perspective))
    throw new DhlabError('ERR_USAGE', `--perspective must be one of ${PERSPECTIVES.join(', ')}, got "${perspective}"`);
  if (!terminal.stdoutIsTTY)
    throw new DhlabError('ERR_USAGE', 'the lab needs a terminal; try `dhlab demo` for the narrated trace');
  // The lab's server and clients share the weakenings (a toy group needs both ends to accept it).
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  const group = insecure.group ?? groupOption(values);
  const capture = captureFromFlags(values);
  const { runLab } = await import('../../lab/cli.ts');
  const code = await runLab({
    engine: insecure.engine,
    group,
    perspective,
    insecure: insecure.hooks,
    warnings: insecure.labels,
    ...optional('capture', capture),
    ...optional('keyLog', keyLogFromFlags(values)),
  });
  await finishCapture(capture, 'lab');
  return code;
}

export const inspectVerb: VerbSpec = {
  synopsis: ['dhlab inspect --name NAME [--host HOST] [--port PORT] [options]'],
  description: [
    'Joins a server as NAME, with the inspector on your own connection: your handshake step by',
    'step, your keys, and each frame you send and receive beside its plaintext.',
  ],
  flags: {
    name: {
      type: 'string',
      value: 'NAME',
      needs: 'a name (letters, digits, one script, at most 32 characters)',
      help: 'your name in the room (required)',
    },
    host: { type: 'string', value: 'HOST', default: DEFAULTS.host, help: "the server's address" },
    port: {
      type: 'string',
      value: 'PORT',
      default: String(DEFAULTS.port),
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
    ...INSECURE_CLIENT_FLAGS,
    ...KEYLOG_FLAG,
  },
  examples: [
    'dhlab inspect --name alice',
    'dhlab inspect --name bob --host 127.0.0.1 --port 5069   # through dhlab eve',
  ],
  run: inspectCommand,
};

async function inspectCommand({ values }: ParsedArgs): Promise<number> {
  if (typeof values.name !== 'string') throw new DhlabError('ERR_USAGE', '--name is required');
  const port = intOption(values, 'port', 1, 65535);
  const insecure = insecureFromFlags(values, getEngine(stringOption(values, 'crypto')));
  if (!terminal.stdoutIsTTY)
    throw new DhlabError('ERR_USAGE', 'the inspector needs a terminal; try `dhlab client --trace`');
  printWarnings(insecure.warnings, printError);
  const { runInspect } = await import('../../lab/cli.ts');
  return runInspect({
    name: values.name.normalize('NFC'),
    host: stringOption(values, 'host'),
    port,
    engine: insecure.engine,
    insecure: insecure.hooks,
    warnings: insecure.labels,
    knownServers: insecure.noHostKeyCheck ? undefined : new KnownServers(stringOption(values, 'known-servers')),
    acceptNewHostKey: values['accept-new-host-key'] === true,
    ...optional('keyLog', keyLogFromFlags(values)),
  });
}
