import { DhlabError, listenError } from '../errors.ts';
import { JsonObservationWriter } from '../tap/json-writer.ts';
import { startTapProxy, type TapObservation } from '../tap/tap-proxy.ts';
import { printError, terminal } from '../terminal/output.ts';
import { stringOption } from './args.ts';
import { eveRead } from './eve-read.ts';
import { getEngine } from '../crypto/engines.ts';
import { captureFromFlags, finishCapture, PCAP_FLAG } from './capture-options.ts';
import type { ParsedArgs, Verb } from './verb.ts';

/** `--listen` and `--forward`: PORT or HOST:PORT. */
export function hostPort(text: string, flag: string): { host: string; port: number } {
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new DhlabError('ERR_USAGE', `--${flag} must be PORT or HOST:PORT, got "${text}"`);
  return { host: match[1] ?? '127.0.0.1', port };
}

export const eveVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: [
    'dhlab eve [--listen [HOST:]PORT] [--forward HOST:PORT] [--json] [--pcap FILE]',
    'dhlab eve --read FILE [--keylog FILE] [--json]',
  ],
  description: [
    'A passive wiretap: a relay clients connect to instead of the server. It forwards every byte',
    'unchanged and shows what Eve learns from them: the handshake in clear, then only ciphertext.',
    "On a terminal it opens Eve's screen; --json prints one object per frame (and loads no screen).",
    '--read shows Eve what a capture holds (tcpdump, Wireshark or --pcap); with --keylog, each',
    "sealed frame is opened with the keys a client or server logged: the teacher's view.",
  ],
  flags: {
    listen: {
      type: 'string',
      value: '[HOST:]PORT',
      default: '5069',
      needs: 'PORT or HOST:PORT',
      help: 'where clients connect',
    },
    forward: { type: 'string', value: 'HOST:PORT', default: '127.0.0.1:5068', needs: 'HOST:PORT', help: 'the server' },
    json: { type: 'boolean', help: 'one JSON object per frame on stdout' },
    ...PCAP_FLAG,
    read: { type: 'string', value: 'FILE', needs: 'a pcap or pcapng file', help: 'read a capture instead of relaying' },
    keylog: {
      type: 'string',
      value: 'FILE',
      needs: 'a key log file',
      help: 'with --read: open sealed frames with the keys in this key log (--keylog of client, server, lab)',
    },
  },
  examples: [
    'dhlab eve --listen 5069 --forward 127.0.0.1:5068',
    'dhlab eve --json | jq .type',
    'dhlab eve --pcap class.pcapng --json > /dev/null',
    'dhlab eve --read class.pcapng --keylog keys.log --json | jq -r .plaintext',
  ],
  run: eveCommand,
};

/**
 * `dhlab eve`: a passive wiretap relay in front of any dhlab server. With `--json` it writes a
 * line per frame and never loads the lab (nor blessed); on a terminal it opens Eve's screen.
 */
async function eveCommand({ values }: ParsedArgs): Promise<number> {
  if (typeof values.read === 'string') {
    if (values.pcap !== undefined) throw new DhlabError('ERR_USAGE', '--read and --pcap: a capture is read or written');
    const keyLog = typeof values.keylog === 'string' ? values.keylog : undefined;
    return eveRead(values.read, keyLog, values.json === true, getEngine(stringOption(values, 'crypto')));
  }
  if (values.keylog !== undefined) throw new DhlabError('ERR_USAGE', '--keylog is for --read (a live Eve has no keys)');
  const listen = hostPort(stringOption(values, 'listen'), 'listen');
  const forward = hostPort(stringOption(values, 'forward'), 'forward');
  const json = values.json === true;
  if (!json && !terminal.stdoutIsTTY) throw new DhlabError('ERR_USAGE', 'without a terminal, use --json');
  const capture = captureFromFlags(values);
  const screens = json ? null : await import('../../lab/cli.ts');
  const writer = new JsonObservationWriter();
  let deliver: (o: TapObservation) => void = (o) => writer.write(o);
  const tap = await startTapProxy({
    listenHost: listen.host,
    listenPort: listen.port,
    targetHost: forward.host,
    targetPort: forward.port,
    onObservation: (o) => deliver(o),
    ...(capture ? { capture } : {}),
  }).catch(async (error: unknown) => {
    await capture?.close();
    throw listenError(error, listen.host, listen.port);
  });
  const banner = `dhlab eve listening on ${listen.host}:${tap.port}, forwarding to ${forward.host}:${forward.port}`;
  return new Promise<number>((resolve) => {
    const stop = () => {
      screen?.destroy();
      if (writer.dropped > 0)
        printError(`dhlab eve: ${writer.dropped} observations dropped (stdout was not read fast enough)`);
      void tap
        .close()
        .then(() => finishCapture(capture, 'eve'))
        .then(() => resolve(0));
    };
    const screen = screens?.openEveScreen(banner, stop);
    if (screen) {
      deliver = (o) => screen.onObservation(o);
      return;
    }
    // Handlers first: a SIGTERM sent on seeing the banner must find them in place.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    printError(banner);
  });
}
