import { DhlabError, listenError } from '../errors.ts';
import { JsonObservationWriter } from '../tap/json-writer.ts';
import { startTapProxy, type TapObservation } from '../tap/tap-proxy.ts';
import { printError, terminal } from '../terminal/output.ts';
import { stringOption } from './args.ts';
import type { ParsedArgs, Verb } from './verb.ts';

/** `--listen` and `--forward`: PORT or HOST:PORT. */
export function hostPort(text: string, flag: string): { host: string; port: number } {
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new DhlabError('ERR_USAGE', `--${flag} must be PORT or HOST:PORT, got "${text}"`);
  return { host: match[1] ?? '127.0.0.1', port };
}

export const eveVerb: Omit<Verb, 'name' | 'summary'> = {
  synopsis: ['dhlab eve [--listen [HOST:]PORT] [--forward HOST:PORT] [--json]'],
  description: [
    'A passive wiretap: a relay clients connect to instead of the server. It forwards every byte',
    'unchanged and shows what Eve learns from them: the handshake in clear, then only ciphertext.',
    "On a terminal it opens Eve's screen; --json prints one object per frame (and loads no screen).",
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
  },
  examples: ['dhlab eve --listen 5069 --forward 127.0.0.1:5068', 'dhlab eve --json | jq .type'],
  run: eveCommand,
};

/**
 * `dhlab eve`: a passive wiretap relay in front of any dhlab server. With `--json` it writes a
 * line per frame and never loads the lab (nor blessed); on a terminal it opens Eve's screen.
 */
async function eveCommand({ values }: ParsedArgs): Promise<number> {
  const listen = hostPort(stringOption(values, 'listen'), 'listen');
  const forward = hostPort(stringOption(values, 'forward'), 'forward');
  const json = values.json === true;
  if (!json && !terminal.stdoutIsTTY) throw new DhlabError('ERR_USAGE', 'without a terminal, use --json');
  const screens = json ? null : await import('../../lab/cli.ts');
  const writer = new JsonObservationWriter();
  let deliver: (o: TapObservation) => void = (o) => writer.write(o);
  const tap = await startTapProxy({
    listenHost: listen.host,
    listenPort: listen.port,
    targetHost: forward.host,
    targetPort: forward.port,
    onObservation: (o) => deliver(o),
  }).catch((error: unknown) => {
    throw listenError(error, listen.host, listen.port);
  });
  const banner = `dhlab eve listening on ${listen.host}:${tap.port}, forwarding to ${forward.host}:${forward.port}`;
  return new Promise<number>((resolve) => {
    const stop = () => {
      screen?.destroy();
      if (writer.dropped > 0)
        printError(`dhlab eve: ${writer.dropped} observations dropped (stdout was not read fast enough)`);
      void tap.close().then(() => resolve(0));
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
